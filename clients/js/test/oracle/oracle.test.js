// The oracle as a node:test suite (npm run test:oracle): one run of the whole case table on
// the real agora-rtm-sdk@2.3.0 and on the emulator, then the ratchet checks.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, test } from 'node:test';
import { fidelityMarkdown } from './fidelity.js';
import { FILES, checkRun, runOracle, tableJson } from './oracle.js';
import { buildCases } from './cases.js';
import { MESSAGING_CALLS, runCase, shapeOf } from './lib/runner.js';
import { canon, decode } from './lib/values.js';
import { FakeRelay } from './sdk/fake-relay.js';
import { FakeStore } from './sdk/fake-store.js';
import { AP, rtcVerdict, verdict } from './sdk/fake-token.js';
import { CERT } from './cases-token.js';
import { buildToken } from './lib/tokens.js';

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

// ---------------------------------------------------------------- messaging (issue 16)

test('the messaging cases: at least 100, each says who decides its outcome, and the real SDK ran them all', () => {
  const ms = run.cases.filter((c) => c.messaging);
  assert.ok(ms.length >= 100, `${ms.length} messaging cases`);
  for (const c of ms) assert.ok(['client', 'server', 'client+server'].includes(c.decidedBy), `${c.id}: decidedBy ${c.decidedBy}`);
  for (const c of ms) assert.ok(!run.sdk[c.id]?.unsupported && !run.sdk[c.id]?.harnessError, c.id);
  // Skipped on the emulator leg only while its client lacks a call: never a known gap.
  for (const id of Object.keys(run.skipped)) {
    assert.ok(run.cases.some((c) => c.id === id && (c.messaging || c.family)), `${id} skipped but not a messaging or family case`);
    assert.ok(!Object.hasOwn(run.gaps, id), `${id} is skipped and listed in known-gaps.json`);
    assert.ok(!(id in run.results), `${id} is skipped and has a result`);
  }
  if (Object.keys(run.skipped).length) assert.match(run.summary, new RegExp(`; ${Object.keys(run.skipped).length} cases skipped on the emulator leg`));
});

test('the issue-17 family cases: each names its family and who decides, and the real SDK ran them all', () => {
  const fs = run.cases.filter((c) => c.family);
  assert.ok(fs.length >= 100, `${fs.length} family cases`);
  for (const c of fs) assert.ok(['storage', 'lock', 'token'].includes(c.family), `${c.id}: family ${c.family}`);
  for (const c of fs) assert.ok(['client', 'server', 'client+server'].includes(c.decidedBy), `${c.id}: decidedBy ${c.decidedBy}`);
  for (const c of fs) assert.ok(!run.sdk[c.id]?.unsupported && !run.sdk[c.id]?.harnessError, c.id);
});

test('runCase skips a messaging case on a target that lacks its calls, and only then', async () => {
  const c = buildCases().find((x) => x.id === 'publish.fanout.echo-to-publisher');
  const calls = [];
  const target = {
    missingFeatures: (k) => (k.messaging ? ['publish'] : []),
    beginCase: async () => calls.push('begin'),
  };
  assert.deepEqual(await runCase(target, c), { unsupported: 'the client lacks publish' });
  assert.deepEqual(calls, []);
  assert.ok(MESSAGING_CALLS.includes('publish') && MESSAGING_CALLS.includes('stream.getSubscribedUserList'));
});

test('values: binary arguments decode to the JS values the SDK distinguishes; bytes canonicalize by content', () => {
  assert.deepEqual([...decode({ $: 'u8', bytes: [1, 2] })], [1, 2]);
  assert.equal(decode({ $: 'u8', n: 3 }).byteLength, 3);
  const pooled = decode({ $: 'buffer', s: 'hi' });
  assert.ok(Buffer.isBuffer(pooled) && pooled.byteLength === 2 && pooled.buffer.byteLength > 2, 'a pooled Buffer');
  const sub = decode({ $: 'subarray', n: 2000, start: 0, end: 2 });
  assert.equal(sub.byteLength, 2);
  assert.equal(sub.buffer.byteLength, 2000);
  assert.ok(decode({ $: 'arraybuffer', n: 3 }) instanceof ArrayBuffer);
  assert.ok(decode({ $: 'dataview', n: 2 }) instanceof DataView);
  assert.ok(decode({ $: 'u16', n: 2 }) instanceof Uint16Array);
  assert.deepEqual(decode({ $: 'list', n: 2, prefix: 'u', pad: 2 }), ['u00', 'u01']);
  assert.deepEqual(canon(Uint8Array.from([1, 2])), { $: 'bytes', hex: '0102', n: 2 });
  assert.deepEqual(canon(Buffer.from([1, 2])), canon(Uint8Array.from([1, 2])));
  const big = canon(new Uint8Array(65));
  assert.equal(big.n, 65);
  assert.ok(big.sha1 && !big.hex);
});

test('shapeOf: the key order of an event or a result, nested', () => {
  const ev = { eventType: 'SNAPSHOT', topicInfos: [{ publishers: [{ publisherUserId: 'a', publisherMeta: '' }], topicName: 't' }], message: new Uint8Array(1), timestamp: 1 };
  assert.equal(shapeOf(ev), '{eventType,topicInfos:[{publishers:[{publisherUserId,publisherMeta}],topicName}],message,timestamp}');
  assert.notEqual(shapeOf({ a: 1, b: 2 }), shapeOf({ b: 2, a: 1 }));
});

/** A FakeRelay over stub sessions (the fields of agora-rtm.js's session the relay reads). */
function relayWorld(now = () => 1000) {
  class L {
    constructor(n) {
      this.n = n;
      this.low = n;
    }
    static fromNumber(n) {
      return new L(n);
    }
    toNumber() {
      return this.n;
    }
    toString() {
      return String(this.n);
    }
  }
  const store = { dbs: [] };
  const relay = new FakeRelay(store, now);
  const got = {};
  const order = [];
  const session = (uid, appId = 'app') => {
    const emit = (name, p) => {
      order.push(uid);
      (got[uid] ??= []).push([name, p]);
    };
    const s = {
      context: { uid, appId, internalEmitter: { emit } },
      replies: [],
      __pkt: (name) => ({ next: (v) => s.replies.push([name, v]) }),
    };
    store.dbs.push({ session: s, uid, active: true, online: true });
    return s;
  };
  const packet = (src, dst, type, text, extra = {}) => ({
    src,
    dst,
    instance: new L(7),
    dialogue: new L(9),
    sequence: new L(extra.sequence ?? 5),
    options: { low: type | (extra.store ? 1 << 30 : 0) },
    payload: Buffer.from(text),
    MiscMap: {},
  });
  const tick = () => new Promise((r) => setTimeout(r, 5));
  return { L, store, relay, got, order, session, packet, tick };
}

test('fake relay: MESSAGE fan-out to the group, publisher included, in user-id order, sequences renumbered per receiver (R-M9, R-E7)', async () => {
  const w = relayWorld();
  const bob = w.session('bob');
  const alice = w.session('alice');
  const other = w.session('carol', 'app2');
  for (const s of [bob, alice, other]) w.relay.handle(s, 'GroupEnter', { account: 'room', seq: 1 }, 0);
  w.relay.handle(alice, 'Message', w.packet('alice', 'room', 1, 'm1', { sequence: 5 }), 0);
  w.relay.handle(alice, 'Message', w.packet('alice', 'room', 1, 'm2', { sequence: 6 }), 0);
  await w.tick();
  assert.deepEqual(w.order, ['alice', 'bob', 'alice', 'bob']);
  assert.deepEqual(w.got.bob.map(([, p]) => [String(p.sequence), p.payload.toString()]), [['1', 'm1'], ['2', 'm2']]);
  assert.deepEqual(alice.replies.map(([n, v]) => [n, v.code]), [['Ack', 0], ['Ack', 0]]);
  w.relay.handle(bob, 'GroupLeave2', { account: 'room' }, 0);
  w.relay.handle(alice, 'Message', w.packet('alice', 'room', 1, 'm3', { sequence: 7 }), 0);
  await w.tick();
  assert.equal(w.got.bob.length, 2);
});

test('fake relay: USER to an offline id is ack 8 and stores nothing; delivered with dst = publisher (R-M4, R-M23); held while the link is down (R-M22)', async () => {
  const w = relayWorld();
  const alice = w.session('alice');
  w.relay.handle(alice, 'Message', w.packet('alice', 'ghost', 0, 'x', { store: true }), 0);
  await w.tick();
  assert.deepEqual(alice.replies.map(([n, v]) => [n, v.code]), [['Ack', 8]]);
  assert.equal(w.relay.history.length, 0);
  w.session('bob');
  const bobDb = w.store.dbs.find((d) => d.uid === 'bob');
  bobDb.online = false;
  w.relay.handle(alice, 'Message', w.packet('alice', 'bob', 0, 'psst', { store: true }), 0);
  await w.tick();
  assert.equal(w.got.bob, undefined);
  assert.equal(alice.replies.at(-1)[1].code, 0);
  bobDb.online = true;
  w.relay.flush(bobDb);
  await w.tick();
  assert.deepEqual(w.got.bob.map(([, p]) => [p.dst, p.payload.toString()]), [['alice', 'psst']]);
  assert.equal(w.relay.history.length, 1);
});

test('fake relay: history newest first, start exclusive, end inclusive, count, more / oldestTime; USER by conversation (R-M11 [ours])', async () => {
  let t = 1000;
  const w = relayWorld(() => t);
  const alice = w.session('alice');
  w.session('bob');
  for (const [i, text] of ['h0', 'h1', 'h2', 'h3'].entries()) {
    t = 1000 + i * 1000;
    w.relay.handle(alice, 'Message', w.packet('alice', 'room', 1, text, { store: true }), 0);
  }
  w.relay.handle(alice, 'Message', w.packet('alice', 'room', 1, 'not stored'), 0);
  w.relay.handle(alice, 'Message', w.packet('alice', 'bob', 0, 'dm', { store: true }), 0);
  const ask = async (dst, flags, start, end, count) => {
    alice.replies.length = 0;
    w.relay.handle(alice, 'StateHistoryGet2', { dst, uuid: 'u', startTime: w.L.fromNumber(start), endTime: w.L.fromNumber(end), count, flags: w.L.fromNumber(flags) }, 0);
    await w.tick();
    const [, r] = alice.replies.find(([n]) => n === 'StateHistoryGetResult2');
    return { texts: r.messages.map((m) => m.payload.toString()), ts: r.messages.map((m) => m.ms.toNumber()), more: r.more, oldest: r.oldestTime.toNumber() };
  };
  assert.deepEqual(await ask('room', 1, 0, 0, 100), { texts: ['h3', 'h2', 'h1', 'h0'], ts: [4000, 3000, 2000, 1000], more: false, oldest: 1000 });
  assert.deepEqual((await ask('room', 1, 3000, 2000, 100)).texts, ['h1']);
  assert.deepEqual(await ask('room', 1, 0, 0, 2), { texts: ['h3', 'h2'], ts: [4000, 3000], more: true, oldest: 3000 });
  assert.deepEqual((await ask('room', 1, 0, 0, -3)).texts.length, 4);
  assert.deepEqual((await ask('alice', 0, 0, 0, 100)).texts, ['dm']);
  assert.deepEqual((await ask('room', 0, 0, 0, 100)).texts, ['dm']);
});

// ---------------------------------------------------------------- tokens (issue 17)

test('the token cases: ids token.*, each with rule R-TK…, source, decidedBy and title; the real SDK ran them all', () => {
  const ts = run.cases.filter((c) => c.family === 'token');
  assert.ok(ts.length >= 60, `${ts.length} token cases`);
  for (const c of ts) {
    assert.ok(c.id.startsWith('token.'), c.id);
    assert.match(c.rule, /^R-TK\d+$/, c.id);
    assert.ok(['runtime', 'rule'].includes(c.source) && c.title && c.decidedBy, c.id);
    assert.ok(run.sdk[c.id] && !run.sdk[c.id].harnessError && !run.sdk[c.id].unsupported, c.id);
  }
  assert.ok(ts.every((c) => c.id.startsWith('token.')) && run.cases.filter((c) => c.id.startsWith('token.')).every((c) => c.family === 'token'));
});

test('token values: built with agora-token on the case clock, the same string for the same spec and time', () => {
  const APP = '0123456789abcdef0123456789abcdef';
  const ctx = (nowMs) => ({ appId: APP, certificate: CERT, startMs: 1_735_689_600_000, nowMs });
  const a = buildToken({ user: 'alice' }, ctx(1_735_689_600_000));
  assert.ok(a.startsWith('007'));
  assert.equal(buildToken({ user: 'alice' }, ctx(1_735_689_600_999)), a);
  assert.notEqual(buildToken({ user: 'alice' }, ctx(1_735_689_601_000)), a);
  assert.equal(buildToken({ user: 'alice', issued: 0 }, ctx(1_735_689_700_000)), a);
  assert.ok(buildToken({ user: 'alice', kind: '006' }, ctx(1_735_689_600_000)).startsWith(`006${APP}`));
});

test('fake token server: the AP verdicts and expiry instants (R-TK21..R-TK23 [ours])', () => {
  const APP = '0123456789abcdef0123456789abcdef';
  const T0 = 1_735_689_600;
  const ctx = { appId: APP, certificate: CERT, startMs: T0 * 1000, nowMs: T0 * 1000 };
  const v = (spec, uid = 'alice') => verdict(buildToken(spec, ctx), APP, CERT, uid);
  assert.deepEqual(v({ user: 'alice', expire: 60 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: 'alice', expire: 600, privilege: 60 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: 'alice', expire: 60, privilege: 0 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: 'alice', cert: '0f0e0d0c0b0a09080706050403020100' }), { code: AP.NO_AUTHORIZED });
  assert.deepEqual(v({ user: 'bob' }), { code: AP.INVALID_USER_ID });
  assert.deepEqual(v({ user: 'alice', service: 'rtc' }), { code: AP.NO_RTM_PRIVILEGE });
  assert.deepEqual(v({ user: 'alice', kind: '006', expire: 600, privilege: 60 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: 'alice', kind: '006', expire: 60, privilege: 0 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: 'bob', kind: '006' }), { code: AP.INVALID_USER_ID });
  assert.deepEqual(v({ user: 'alice', kind: '006', cert: '0f0e0d0c0b0a09080706050403020100' }), { code: AP.NO_AUTHORIZED });
  assert.deepEqual(verdict(undefined, APP, CERT, 'alice'), { code: AP.DYNAMIC_ENABLED_BUT_STATIC_KEY });
  assert.deepEqual(verdict(APP, APP, CERT, 'alice'), { code: AP.DYNAMIC_ENABLED_BUT_STATIC_KEY });
  assert.deepEqual(verdict('007garbage', APP, CERT, 'alice'), { code: AP.NO_AUTHORIZED });
});

test('fake token server: stream-channel (RTC) verdicts (R-TK21..R-TK23 [ours])', () => {
  const APP = '0123456789abcdef0123456789abcdef';
  const T0 = 1_735_689_600;
  const ctx = { appId: APP, certificate: CERT, startMs: T0 * 1000, nowMs: T0 * 1000 };
  const v = (spec, channel = 'stage', uid = 'alice') => rtcVerdict(buildToken({ service: 'rtc', channel: 'stage', ...spec }, ctx), APP, CERT, channel, uid);
  assert.deepEqual(v({ user: 'alice', expire: 60 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: '', expire: 60 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: 'alice', expire: 600, privilege: 60 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: 'alice' }, 'other'), { code: AP.NO_AUTHORIZED });
  assert.deepEqual(v({ user: 'bob' }), { code: AP.NO_AUTHORIZED });
  assert.deepEqual(v({ user: 'alice', service: 'rtm' }), { code: AP.NO_AUTHORIZED });
  assert.deepEqual(v({ user: 'alice', kind: '006-rtc', expire: 600, privilege: 60 }), { expiryS: T0 + 60 });
  assert.deepEqual(v({ user: 'alice', kind: '006-rtc' }, 'other'), { code: AP.NO_AUTHORIZED });
  assert.deepEqual(rtcVerdict(APP, APP, CERT, 'stage', 'alice'), { code: AP.DYNAMIC_ENABLED_BUT_STATIC_KEY });
});
