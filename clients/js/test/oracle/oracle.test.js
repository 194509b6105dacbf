// The oracle as a node:test suite (npm run test:oracle): one run of the whole case table on
// the real agora-rtm-sdk@2.3.0 and on the emulator, then the ratchet checks.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, test } from 'node:test';
import { fidelityMarkdown } from './fidelity.js';
import { FILES, checkRun, runOracle, tableJson } from './oracle.js';
import { FakeStore } from './sdk/fake-store.js';

const require = createRequire(import.meta.url);
let run;

before(async () => {
  run = await runOracle();
  console.log(run.summary);
});

test('the SDK under test is agora-rtm-sdk 2.3.0, its bundle unmodified', () => {
  const pkg = require('agora-rtm-sdk/package.json');
  assert.equal(pkg.version, '2.3.0');
  const md5 = createHash('md5').update(readFileSync(require.resolve('agora-rtm-sdk'))).digest('hex');
  assert.equal(md5, '643f4b6e960a027f184a9a6173089304');
});

test('the table has at least 400 cases and cases.json is current', () => {
  assert.ok(run.cases.length >= 400, `${run.cases.length} cases`);
  assert.equal(readFileSync(FILES.cases, 'utf8'), tableJson());
});

test('the real SDK ran every case without a harness error', () => {
  const failed = run.cases.filter((c) => run.sdk[c.id]?.harnessError).map((c) => c.id);
  assert.deepEqual(failed, []);
});

test("the real SDK's outcomes equal real-sdk.json, and every emulator disagreement is in known-gaps.json (and only those)", () => {
  assert.deepEqual(checkRun(run), []);
});

test('docs/fidelity.md is what this run generates', () => {
  assert.equal(readFileSync(FILES.fidelity, 'utf8'), fidelityMarkdown(run));
});

// The fake server's own decisions (the emulator's rules R-Q3, R-Q5), pinned so that a change
// to them shows here and not only as a changed record.
test('fake store: whoNow RPC pages in code-point order from an exclusive start (R-Q3)', () => {
  const store = new FakeStore();
  const docs = store.coll('room');
  for (const u of ['b', 'a', 'B', 'c', '_', 'A']) docs.set(u, { state: { u } });
  const coll = '/Vendors//ChannelPresence/room/Users';
  const [page1, count, more1] = store.query(coll, { start: '', keysOnly: true, limit: 4, startIncluded: true });
  assert.deepEqual([page1, count, more1], [['A', 'B', '_', 'a'], 6, true]);
  const [page2, , more2] = store.query(coll, { start: 'a', keysOnly: true, limit: 4, startIncluded: false });
  assert.deepEqual([page2, more2], [['b', 'c'], false]);
  const [states] = store.query(coll, { start: 'c', keysOnly: false, limit: 1, startIncluded: true });
  assert.deepEqual([...states], [['c', '{"u":"c"}']]);
  assert.deepEqual(store.query(coll, { countOnly: true })[1], 6);
});

test('fake store: whereNow lists MESSAGE channels then STREAM channels, each by name (R-Q5)', () => {
  const store = new FakeStore();
  for (const ch of ['zeta', '*s*b', 'alpha', '*s*a']) store.coll(ch).set('bob', { state: {} });
  store.coll('other').set('carol', { state: {} });
  const [docs] = store.query('_keepalive_', { start: '/Vendors//Presence/bob' });
  assert.deepEqual(Object.keys(JSON.parse(docs.get('/Vendors//Presence/bob'))), ['alpha', 'zeta', '*s*a', '*s*b']);
});
