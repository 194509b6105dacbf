// The oracle's wire leg as a node:test suite (part of npm run test:oracle): the whole case
// table through the real agora-rtm-sdk@2.3.0 in real-SDK mode (useEmulator against one
// `rtm-emulator serve`), each outcome compared with the real SDK's recorded one
// (real-sdk.json). The ratchet: every case that does not agree is in wire-known-gaps.json
// with its reason, and a listed case that agrees fails the run (the list can only shrink).

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { checkWire, runWire } from './oracle.js';

let wire;

before(async () => {
  wire = await runWire();
  console.log(wire.summary);
});

test('the wire leg ran every case of the table', () => {
  assert.equal(Object.keys(wire.results).length, wire.cases.length);
});

test('every wire-leg case agrees with the real SDK, or is in wire-known-gaps.json (and only those)', () => {
  assert.deepEqual(checkWire(wire), []);
});

test('most of the table agrees in real-SDK mode', () => {
  const agree = Object.values(wire.results).filter((r) => r.status === 'agree').length;
  assert.ok(agree >= 0.9 * wire.cases.length, `${agree} of ${wire.cases.length} agree`);
});
