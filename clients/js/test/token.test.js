// Tokens end to end through a real `rtm-emulator serve` (issue 17, R-TK...): tokens built
// with Agora's official npm builder (`agora-token`, a dev dependency) on the emulator's
// clock, checked against an app certificate set by `control.reset`; login refusals with
// the SDK's error fields, renewToken, the will-expire notice and the expiry link event.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { APP_ID, client, useServer } from './helpers.js';

const require = createRequire(import.meta.url);
const { AccessToken2, ServiceRtm } = require('agora-token/src/AccessToken2');

const CERT = 'fedcba9876543210fedcba9876543210';
const OTHER = '00000000000000000000000000000001';
const START_MS = 1_700_000_000_000;

let server;
let control;
useServer((started) => {
  server = started;
  control = started.control;
});

/**
 * An RTM 007 token issued at the emulator's `nowMs`: what RtmTokenBuilder.buildToken
 * builds (its AccessToken2 with an RTM service and the login privilege), with the issue
 * time given instead of read from the wall clock.
 */
function token(userId, expire, nowMs, cert = CERT) {
  const built = new AccessToken2(APP_ID, cert, nowMs / 1000, expire);
  const rtm = new ServiceRtm(userId);
  rtm.add_privilege(ServiceRtm.kPrivilegeLogin, expire);
  built.add_service(rtm);
  return built.build();
}

async function certified() {
  await control.reset({ startTimeMs: START_MS, appCertificates: { [APP_ID]: CERT } });
}

function recorder(rtm) {
  const seen = [];
  for (const name of ['linkState', 'token', 'tokenPrivilegeWillExpire']) {
    rtm.addEventListener(name, (...args) => seen.push([name, ...args]));
  }
  return seen;
}

describe('tokens with an app certificate (R-TK7, R-TK10, R-TK25, R-TK26)', () => {
  it('refuses a token signed with another certificate as the SDK surfaces AP code 9', async () => {
    await certified();
    const rtm = client(server, 'alice');
    const seen = recorder(rtm);
    await assert.rejects(rtm.login({ token: token('alice', 600, START_MS, OTHER) }), (err) => {
      assert.equal(err.name, 'RtmUnauthenticatedError');
      assert.equal(err.code, -10005);
      assert.equal(err.serverCode, 9);
      assert.equal(err.reason, 'Invalid token. detail: NO_AUTHORIZED, Signature verification failed.');
      return true;
    });
    const links = seen.filter(([n]) => n === 'linkState').map(([, e]) => [e.currentState, e.reasonCode]);
    assert.deepEqual(links.at(-1), ['FAILED', 'INVALID_TOKEN']);
  });

  it('notices, renews and expires on the fake clock', async () => {
    await certified();
    const rtm = client(server, 'alice');
    await rtm.login({ token: token('alice', 100, START_MS) });
    await rtm.subscribe('room');
    const seen = recorder(rtm);
    await control.advance(70);
    await rtm.subscribe('other'); // a round trip: the events before it have arrived
    const notices = seen.filter(([n]) => n !== "linkState");
    assert.deepEqual(notices.map((entry) => entry.slice(0, 2).map((x) => (typeof x === 'object' ? x.eventType : x))), [
      ['tokenPrivilegeWillExpire', ''],
      ['token', 'WILL_EXPIRE'],
    ]);
    const event = notices[1][1];
    assert.deepEqual(Object.keys(event), ['eventType', 'reason', 'affectedResources', 'timestamp']);
    assert.deepEqual(event.affectedResources, { messageChannels: ['room'] });
    assert.deepEqual(await rtm.renewToken(token('alice', 600, START_MS + 70_000)), { timestamp: 0 });
    await control.advance(500);
    await rtm.subscribe('third');
    assert.equal(seen.filter(([n, e]) => n === 'linkState' && e.currentState === 'FAILED').length, 0);
    await control.advance(100);
    await control.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const failed = seen.filter(([n, e]) => n === 'linkState' && e.currentState === 'FAILED');
    assert.deepEqual(
      failed.map(([, e]) => [e.operation, e.reasonCode]),
      [['SERVER_REJECT', 'TOKEN_EXPIRED']],
    );
  });
});
