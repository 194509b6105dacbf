// Real-SDK mode (rtm-emulator-client/real-sdk, docs/real-sdk.md): the version check, the
// packet codec, and the real agora-rtm-sdk@2.3.0 (loaded as the oracle's SDK leg loads it:
// test/oracle/sdk/load-sdk.cjs, virtual timers) talking to `rtm-emulator serve` through
// useEmulator.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { setImmediate as realImmediate } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SUPPORTED_SDK_VERSIONS, closeAll, decodePacket, encodePacket, inFlight, useEmulator } from '../real-sdk.js';

const require = createRequire(import.meta.url);
const { EmulatedRtcClient, findRtcModule, installRtc } = require('../lib/real-sdk-rtc.cjs');
const APP_ID = '0123456789abcdef0123456789abcdef';
const START_MS = 1_735_689_600_000;
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('an SDK version real-SDK mode does not support is refused, naming the supported ones', async () => {
  const fake = { VERSION: '9.9.9', RTM: class {} };
  await assert.rejects(useEmulator(fake, { url: 'ws://127.0.0.1:1' }), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /agora-rtm-sdk "9\.9\.9" is not supported/);
    for (const v of SUPPORTED_SDK_VERSIONS) assert.ok(err.message.includes(v), `${v} named`);
    return true;
  });
  await assert.rejects(useEmulator({ RTM: class {} }, { url: 'ws://127.0.0.1:1' }), /\(no VERSION\) is not supported/);
  assert.deepEqual([...SUPPORTED_SDK_VERSIONS], ['2.2.3', '2.2.4', '2.3.0']);
});

// ---------------------------------------------------------------- the SDK, once per file

for (const k of ['log', 'info', 'debug']) console[k] = () => {};
const { loadSdk } = require('./oracle/sdk/load-sdk.cjs');
const { links } = require('../lib/real-sdk-link.cjs');
/** Node's own setTimeout, taken before loadSdk fakes it. */
const nodeSetTimeout = globalThis.setTimeout;
const realSleep = (ms) => new Promise((resolve) => nodeSetTimeout(resolve, ms));
const { AgoraRTM, clock } = loadSdk({ now: START_MS });
// as the oracle's SDK leg: several instances of one user id in one process are allowed
// (2.2.x has no such parameter and refuses it with -10014: the tests use new user ids)
try {
  AgoraRTM.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', true);
} catch (err) {
  if (err?.errorCode !== -10014) throw err;
}

/** The SDK's own Long class (long.js inside the bundle): a client context's `seq`. */
function sdkLong() {
  const rtm = new AgoraRTM.RTM(APP_ID, 'long-probe', { logLevel: 'none', logUpload: false });
  return rtm._rtmImpl._context.seq.constructor;
}

test('the packet codec: Longs (signed and unsigned, beyond 2^53) and bytes at any depth, and back', () => {
  const Long = sdkLong();
  const packet = {
    seq: Long.fromString('9007199254740993', true),
    neg: Long.fromString('-42', false),
    payload: new Uint8Array([0, 1, 2, 255]),
    nested: { list: [Long.fromNumber(7, true), { raw: new Uint8Array([104, 105]) }], text: 'hi', n: 3, ok: true, none: null },
  };
  const wire = encodePacket(packet);
  assert.deepEqual(JSON.parse(JSON.stringify(wire)), {
    seq: { $long: '9007199254740993', unsigned: true },
    neg: { $long: '-42', unsigned: false },
    payload: { $bytes: 'AAEC/w==' },
    nested: { list: [{ $long: '7', unsigned: true }, { raw: { $bytes: 'aGk=' } }], text: 'hi', n: 3, ok: true, none: null },
  });
  const back = decodePacket(JSON.parse(JSON.stringify(wire)), Long);
  assert.ok(Long.isLong(back.seq));
  assert.equal(back.seq.toString(), '9007199254740993');
  assert.equal(back.seq.unsigned, true);
  assert.equal(back.neg.toString(), '-42');
  assert.equal(back.neg.unsigned, false);
  assert.ok(back.payload instanceof Uint8Array);
  assert.deepEqual([...back.payload], [0, 1, 2, 255]);
  assert.ok(Long.isLong(back.nested.list[0]));
  assert.deepEqual([...back.nested.list[1].raw], [104, 105]);
  assert.equal(back.nested.text, 'hi');
  assert.equal(back.nested.none, null);
  // undefined members and functions are not sent
  assert.deepEqual(encodePacket({ a: undefined, f() {}, b: 1 }), { b: 1 });
});

test('useEmulator finds the session class of the real SDK without reaching the network, and restore() puts it back', async () => {
  const fetchBefore = globalThis.fetch;
  const xhrBefore = globalThis.XMLHttpRequest;
  const setup = await useEmulator(AgoraRTM, { url: 'ws://127.0.0.1:1' });
  assert.equal(setup.version, AgoraRTM.VERSION);
  assert.equal(globalThis.fetch, fetchBefore);
  assert.equal(globalThis.XMLHttpRequest, xhrBefore);
  assert.equal('WebSocket' in globalThis, false); // the shim's Node: none before, none after
  const rtm = new AgoraRTM.RTM(APP_ID, 'restore-probe', { logLevel: 'none', logUpload: false });
  const login = rtm.login().catch((e) => e);
  const AG = rtm._rtmImpl._rtmSession.constructor;
  assert.equal(AG.prototype.loginHandler.name, 'loginHandler');
  rtm._rtmImpl._rtmSession.cancelLogin();
  await clock.tickAsync(0);
  await login;
  const ours = AG.prototype.sendOperationPacket;
  setup.restore();
  assert.notEqual(AG.prototype.sendOperationPacket, ours);
  assert.equal(typeof AG.prototype.sendOperationPacket, 'function');
});

test('stream channels: useEmulator puts its RTC client on the RTC module the SDK captured, and restore() takes it off', async () => {
  // the module the bundle's require("agora-rtc-sdk-ng") gave it (here the oracle's stub,
  // through load-sdk.cjs's resolve hook): the same cached exports from the SDK's own file
  const rtc = createRequire(require.resolve('agora-rtm-sdk'))('agora-rtc-sdk-ng');
  const theirs = rtc.createClient;
  const setup = await useEmulator(AgoraRTM, { url: 'ws://127.0.0.1:1' });
  assert.equal(setup.rtc, true);
  assert.notEqual(rtc.createClient, theirs);
  const client = rtc.createClient({ codec: 'vp8', mode: 'rtc' });
  assert.ok(client instanceof EmulatedRtcClient);
  assert.equal(client.connectionState, 'DISCONNECTED');
  assert.deepEqual(client.remoteUsers, []);
  // a join with no logged-in session of that user to carry it is refused, as RTC refuses
  await assert.rejects(client.join(APP_ID, 'stage', null, 'nobody'), (err) => err.code === 'UNEXPECTED_ERROR');
  assert.equal(client.connectionState, 'DISCONNECTED');
  setup.restore();
  assert.equal(rtc.createClient, theirs);
  // an explicit {rtc} is taken instead; restore() puts its own back too
  const mine = { createClient: () => 'own' };
  const other = await useEmulator(AgoraRTM, { url: 'ws://127.0.0.1:1', rtc: mine });
  assert.equal(other.rtc, true);
  assert.ok(mine.createClient() instanceof EmulatedRtcClient);
  assert.equal(rtc.createClient, theirs);
  other.restore();
  assert.equal(mine.createClient(), 'own');
});

test('stream channels: with no RTC module reachable they stay the SDK\'s own', async () => {
  // a frozen module cannot take the client: useEmulator says so and changes nothing
  const frozen = Object.freeze({ createClient: () => 'own' });
  const setup = await useEmulator(AgoraRTM, { url: 'ws://127.0.0.1:1', rtc: frozen });
  assert.equal(setup.rtc, false);
  assert.equal(frozen.createClient(), 'own');
  setup.restore();
  // nor one whose createClient is neither writable nor configurable
  const fixed = {};
  Object.defineProperty(fixed, 'createClient', { value: () => 'own', writable: false, configurable: false });
  assert.equal(installRtc(fixed), null);
  assert.equal(installRtc(null), null);
  // an SDK object Node's CommonJS loader did not load, on a page without AgoraRTC: none
  assert.equal(findRtcModule({ VERSION: '2.3.0' }, undefined), null);
  globalThis.AgoraRTC = { createClient: () => 'page' };
  try {
    assert.equal(findRtcModule({ VERSION: '2.3.0' }, undefined), globalThis.AgoraRTC);
  } finally {
    delete globalThis.AgoraRTC;
  }
});

test('the probe leaves nothing behind: no request after useEmulator returns; a second useEmulator probes with the SDK\'s own methods and a new user id', async () => {
  const names = ['fetch', 'XMLHttpRequest', 'WebSocket'];
  const saved = names.map((n) => [n, Object.getOwnPropertyDescriptor(globalThis, n)]);
  const requests = [];
  const spies = {
    fetch: (url) => {
      requests.push(['fetch', String(url)]);
      return new Promise(() => {});
    },
    XMLHttpRequest: class {
      open(method, url) {
        requests.push(['xhr', String(url)]);
      }
      send() {}
      setRequestHeader() {}
      addEventListener() {}
      removeEventListener() {}
      abort() {}
    },
    WebSocket: class {
      constructor(url) {
        requests.push(['ws', String(url)]);
        this.readyState = 0;
      }
      addEventListener() {}
      removeEventListener() {}
      send() {}
      close() {}
    },
  };
  // the SDK's own check of one instance per (app id, user id), as an app without the
  // oracle's parameter has it (2.2.x has no such parameter: -10014, and its check is on)
  let param = true;
  try {
    AgoraRTM.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', false);
  } catch {
    param = false;
  }
  try {
    for (const n of names) Object.defineProperty(globalThis, n, { value: spies[n], configurable: true, writable: true });
    const first = await useEmulator(AgoraRTM, { url: 'ws://127.0.0.1:1' });
    const second = await useEmulator(AgoraRTM, { url: 'ws://127.0.0.1:1' });
    // the probes' cancelled logins and their logouts run out, with the SDK's timers
    for (let i = 0; i < 20; i += 1) {
      await realImmediate();
      await clock.tickAsync(5_000);
    }
    assert.deepEqual(requests, []);
    let idle = false; // no session link of a probe waits for an answer
    inFlight().then(() => {
      idle = true;
    });
    for (let i = 0; i < 5 && !idle; i += 1) await realImmediate();
    assert.ok(idle, 'a probe left a session link behind');
    for (const n of names) assert.equal(globalThis[n], spies[n], `${n} is restored`);
    first.restore(); // undone already by the second setup: nothing to do
    second.restore();
  } finally {
    if (param) AgoraRTM.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', true);
    for (const [n, d] of saved) {
      if (d) Object.defineProperty(globalThis, n, d);
      else delete globalThis[n];
    }
  }
});

// ---------------------------------------------------------------- end to end

let server = null;
let skipWhy = null;

before(async () => {
  const { startEmulator } = require('../node.cjs');
  try {
    server = await startEmulator({ cwd: REPO_ROOT, appId: APP_ID });
  } catch (err) {
    skipWhy = `no emulator server: ${err.message.split('\n')[0]}`;
  }
});

after(async () => {
  await closeAll();
  await server?.stop();
});

/**
 * Let sockets and the SDK's (virtual) timers run until `cond()` holds: `rounds` ms of the
 * SDK's clock. While a session's login is on the wire (inFlight() leaves a login out) the
 * SDK's clock waits for it, up to 10 s of real time: the server's answer takes real time,
 * which a busy machine must not turn into the SDK's (its login would time out).
 */
async function until(cond, what, rounds = 400) {
  const started = performance.now();
  for (let i = 0; i < rounds; ) {
    if (cond()) return;
    await inFlight();
    await realImmediate();
    if ([...links].some((l) => l.phase === 'login') && performance.now() - started < 10_000) {
      await realSleep(1);
      continue;
    }
    await clock.tickAsync(1);
    i += 1;
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Settle a promise while the sockets and virtual timers run. */
async function settle(promise, what) {
  let done = false;
  let value;
  let error;
  promise.then(
    (v) => {
      done = true;
      value = v;
    },
    (e) => {
      done = true;
      error = e;
    },
  );
  await until(() => done, what);
  if (error) throw error;
  return value;
}

test('two real SDK clients on the emulator: join, state, whoNow, publish, leave', async (t) => {
  if (skipWhy) {
    t.skip(skipWhy);
    return;
  }
  await server.control.reset({ debounce: 0 });
  await useEmulator(AgoraRTM, { url: server.url });
  const events = { alice: [], bob: [] };
  const make = (uid) => {
    const rtm = new AgoraRTM.RTM(APP_ID, uid, { logLevel: 'none', logUpload: false });
    rtm.addEventListener('presence', (e) => events[uid].push(['presence', e]));
    rtm.addEventListener('message', (e) => events[uid].push(['message', e]));
    return rtm;
  };
  const alice = make('alice');
  const bob = make('bob');
  await settle(alice.login(), 'alice login');
  await settle(bob.login(), 'bob login');
  await settle(bob.subscribe('room'), 'bob subscribe');
  await settle(alice.subscribe('room'), 'alice subscribe');
  const of = (who, type) => events[who].filter(([k, e]) => k === 'presence' && e.eventType === type);
  await until(() => of('bob', 'REMOTE_JOIN').length === 1, 'REMOTE_JOIN at bob');
  assert.equal(of('bob', 'REMOTE_JOIN')[0][1].publisher, 'alice');
  const snap = of('alice', 'SNAPSHOT')[0]?.[1];
  assert.deepEqual(snap.snapshot.map((s) => s.userId).sort(), ['alice', 'bob']);

  await settle(alice.presence.setState('room', 'MESSAGE', { mood: 'happy' }), 'setState');
  await until(() => of('bob', 'REMOTE_STATE_CHANGED').length === 1, 'REMOTE_STATE_CHANGED at bob');
  assert.deepEqual(of('bob', 'REMOTE_STATE_CHANGED')[0][1].stateChanged, { mood: 'happy' });

  const who = await settle(bob.presence.whoNow('room', 'MESSAGE', { includedState: true }), 'whoNow');
  assert.equal(who.totalOccupancy, 2);
  assert.deepEqual(
    who.occupants.map((o) => [o.userId, o.states]),
    [
      ['alice', { mood: 'happy' }],
      ['bob', {}],
    ],
  );

  await settle(alice.publish('room', 'hello'), 'publish');
  await until(() => events.bob.some(([k]) => k === 'message'), 'message at bob');
  const msg = events.bob.find(([k]) => k === 'message')[1];
  assert.equal(msg.message, 'hello');
  assert.equal(msg.publisher, 'alice');
  assert.equal(msg.channelName, 'room');

  await settle(alice.logout(), 'alice logout');
  await until(() => of('bob', 'REMOTE_LEAVE').length === 1, 'REMOTE_LEAVE at bob');
  assert.equal(of('bob', 'REMOTE_LEAVE')[0][1].publisher, 'alice');
  await settle(bob.logout(), 'bob logout');
});

// ---------------------------------------------------------------- tokens (D-RS11)

const { SDK_VERSION_NOTES } = require('./oracle/real-sdk-versions-notes.cjs');
/** This SDK version's differences from 2.3.0 (real-sdk-versions-notes.cjs), by cause. */
const differs = (cause) => SDK_VERSION_NOTES[AgoraRTM.VERSION]?.differences.some((d) => d.cause === cause) ?? false;
const CERTIFICATE = '5e1f0c2b9a8d7e6f5e1f0c2b9a8d7e6f';
const OTHER_CERTIFICATE = 'ffffeeeeddddccccbbbbaaaa99998888';

/** Move the SDK's (virtual) clock and the emulator's together, a second at a time (D-RS7). */
async function advanceBoth(seconds) {
  for (let i = 0; i < seconds; i += 1) {
    await clock.tickAsync(1000);
    await server.control.advance(1);
    await inFlight();
    await realImmediate();
    await clock.tickAsync(0);
  }
}

test('tokens through the real SDK: a refused renewal is its own rejection, an accepted one moves the notice and the lapse, the lapse is its FAILED', async (t) => {
  if (skipWhy) {
    t.skip(skipWhy);
    return;
  }
  const { buildToken } = await import('./oracle/lib/tokens.js');
  await server.control.reset({ debounce: 0 });
  await server.control.setAppCertificate(CERTIFICATE, { appId: APP_ID });
  await useEmulator(AgoraRTM, { url: server.url });
  const nowMs = await server.control.now();
  const token = (spec) => buildToken({ user: 'tess', ...spec }, { appId: APP_ID, certificate: CERTIFICATE, startMs: nowMs, nowMs });
  const rtm = new AgoraRTM.RTM(APP_ID, 'tess', { logLevel: 'none', logUpload: false });
  const seen = [];
  rtm.addEventListener('linkState', (e) => seen.push(['linkState', `${e.currentState} ${e.operation} ${e.reasonCode}`]));
  rtm.addEventListener('token', (e) => seen.push(['token', `${e.eventType} ${e.affectedResources.messageChannels.join(',')}`]));
  rtm.addEventListener('tokenPrivilegeWillExpire', (e) => seen.push(['tokenPrivilegeWillExpire', e]));
  await settle(rtm.login({ token: token({ expire: 40 }) }), 'login');
  await settle(rtm.subscribe('room'), 'subscribe');

  // the access point's refusals (its code as serverCode): the SDK's own errors, plain reasons
  const refused = async (bad, code) => {
    const err = await settle(rtm.renewToken(bad), 'a refused renewal').then(
      () => assert.fail('the renewal was taken'),
      (e) => e,
    );
    assert.equal(err.errorCode, code);
    assert.equal(err.operation, 'renewToken');
    assert.equal(err.name, 'RtmUnauthenticatedError');
  };
  await refused(token({ expire: 40, cert: OTHER_CERTIFICATE }), -10005); // AP 9
  await refused(token({ expire: 40, user: 'someone-else' }), -10005); // AP 7
  await refused(token({ expire: 30, issued: -60 }), -10009); // AP 13
  await refused(token({ expire: 40, service: 'rtc' }), differs('noRtmPrivilegeIs10012') ? -10012 : -10015); // AP 21
  assert.deepEqual(
    seen.map(([k]) => k),
    ['linkState', 'linkState'],
  );

  // taken: the notice and the lapse follow the new token (70 s from now)
  assert.deepEqual(await settle(rtm.renewToken(token({ expire: 70, salt: 2 })), 'a renewal'), { timestamp: 0 });
  await advanceBoth(39);
  assert.equal(seen.length, 2, 'no notice before expiry - 30 s');
  await advanceBoth(1);
  await until(() => seen.length === 4, 'the notice');
  assert.deepEqual(seen.slice(2), [
    ['tokenPrivilegeWillExpire', ''],
    ['token', 'WILL_EXPIRE room'],
  ]);
  await advanceBoth(29);
  assert.equal(seen.length, 4, 'still logged in');
  await advanceBoth(1);
  await until(() => seen.length === 5, 'the lapse');
  assert.deepEqual(seen.map(([, v]) => v), [
    'CONNECTING LOGIN LOGIN',
    'CONNECTED LOGIN LOGIN_SUCCESS',
    '',
    'WILL_EXPIRE room',
    'FAILED SERVER_REJECT TOKEN_EXPIRED',
  ]);
  // the SDK itself is FAILED: a call after the lapse is refused by the SDK, not sent
  await assert.rejects(settle(rtm.publish('room', 'late'), 'publish after the lapse'), (e) => e.errorCode === -10025);
  assert.deepEqual(await server.control.userChannels('tess'), []);
  await settle(rtm.logout(), 'logout');
  await server.control.reset({ debounce: 0 });
});

test('tokens through the real SDK: a token that lapses while the link is down fails the reconnect (tokenExpired, FAILED)', async (t) => {
  if (skipWhy) {
    t.skip(skipWhy);
    return;
  }
  if (!SDK_VERSION_NOTES[AgoraRTM.VERSION]?.internals.handleFailed) {
    t.skip(`agora-rtm-sdk ${AgoraRTM.VERSION} has no connectionController.handleFailed: its refused reconnect cannot be driven`);
    return;
  }
  const { buildToken } = await import('./oracle/lib/tokens.js');
  await server.control.reset({ debounce: 0 });
  await server.control.setAppCertificate(CERTIFICATE, { appId: APP_ID });
  await useEmulator(AgoraRTM, { url: server.url });
  const nowMs = await server.control.now();
  const rtm = new AgoraRTM.RTM(APP_ID, 'dora', { logLevel: 'none', logUpload: false });
  const states = [];
  rtm.addEventListener('linkState', (e) => states.push(`${e.currentState} ${e.reasonCode}`));
  const token = buildToken({ user: 'dora', expire: 40 }, { appId: APP_ID, certificate: CERTIFICATE, startMs: nowMs, nowMs });
  await settle(rtm.login({ token }), 'login');
  await server.control.disconnect('dora');
  await until(() => states.at(-1)?.startsWith('DISCONNECTED'), 'the loss');
  await advanceBoth(45); // the token lapses while down
  await server.control.reconnect('dora');
  await advanceBoth(45); // the next reconnect attempt is refused
  await until(() => states.at(-1)?.startsWith('FAILED'), `FAILED (${states.join(', ')})`);
  assert.equal(states.at(-1), 'FAILED TOKEN_EXPIRED');
  await settle(rtm.logout(), 'logout');
  await server.control.reset({ debounce: 0 });
});

test('a stream channel and a topic between two real SDK clients on the emulator (D-RS12, D-RS13)', async (t) => {
  if (skipWhy) {
    t.skip(skipWhy);
    return;
  }
  await server.control.reset({ debounce: 0 });
  const setup = await useEmulator(AgoraRTM, { url: server.url });
  assert.equal(setup.rtc, true);
  const events = { sally: [], tom: [] };
  const make = (uid) => {
    const rtm = new AgoraRTM.RTM(APP_ID, uid, { logLevel: 'none', logUpload: false });
    for (const kind of ['presence', 'message', 'topic']) rtm.addEventListener(kind, (e) => events[uid].push([kind, e]));
    return rtm;
  };
  const sally = make('sally');
  const tom = make('tom');
  await settle(sally.login(), 'sally login');
  await settle(tom.login(), 'tom login');
  const sallyStage = sally.createStreamChannel('stage');
  const tomStage = tom.createStreamChannel('stage');
  await settle(tomStage.join({ withPresence: true }), 'tom joins the stream channel');
  await settle(sallyStage.join({ withPresence: true }), 'sally joins the stream channel');
  await until(() => events.tom.some(([k, e]) => k === 'presence' && e.eventType === 'REMOTE_JOIN'), 'REMOTE_JOIN at tom');
  await settle(sallyStage.joinTopic('scores'), 'sally joins the topic');
  await until(() => events.tom.some(([k, e]) => k === 'topic' && e.eventType === 'REMOTE_JOIN'), 'topic REMOTE_JOIN at tom');
  const topic = events.tom.find(([k, e]) => k === 'topic' && e.eventType === 'REMOTE_JOIN')[1];
  assert.deepEqual(
    topic.topicInfos.map((i) => [i.topicName, i.publishers.map((p) => p.publisherUserId)]),
    [['scores', ['sally']]],
  );
  const sub = await settle(tomStage.subscribeTopic('scores', { users: ['sally'] }), 'tom subscribes');
  assert.deepEqual(sub.succeedUsers, ['sally']);
  await settle(sallyStage.publishTopicMessage('scores', '3:1'), 'sally publishes');
  await until(() => events.tom.some(([k]) => k === 'message'), 'the topic message at tom');
  const msg = events.tom.find(([k]) => k === 'message')[1];
  assert.deepEqual([msg.channelType, msg.channelName, msg.topicName, msg.publisher, msg.message], ['STREAM', 'stage', 'scores', 'sally', '3:1']);
  assert.equal(events.sally.filter(([k]) => k === 'message').length, 0); // never the sender
  await settle(sallyStage.leave(), 'sally leaves');
  await until(() => events.tom.some(([k, e]) => k === 'topic' && e.eventType === 'REMOTE_LEAVE'), 'topic REMOTE_LEAVE at tom');
  await settle(tomStage.leave(), 'tom leaves');
  await settle(sally.logout(), 'sally logout');
  await settle(tom.logout(), 'tom logout');
});
