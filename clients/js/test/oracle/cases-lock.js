// The lock cases of the oracle (issue 17): setLock / removeLock / acquireLock / releaseLock /
// revokeLock / getLock, their check order, TTL clamping, in-flight de-duplication, resolved
// values and key orders, `lock` events, retry waiters, logout and a holder that drops.
// Added to the table by cases.js (addLockCases); plain data like the rest.
//
// Every case has `family: "lock"` (see cases-storage.js for what the runner records).
// `decidedBy`: "client" (agora-rtm.js 2.3.0), "server" (sdk/fake-lock.js, written to the
// proposed decisions D-LK1..D12), "client+server".
// Sources: "runtime" = agora-rtm.js 2.3.0 (docs/semantics.md, R-LK1..R-LK22); "rule" =
// an emulator decision (D-LK…, docs/decisions.md).

import { actor, call, login, nw, ROOM, sub, up } from './lib/steps.js';

const U = { $: 'undefined' };
const NAN = { $: 'num', s: 'NaN' };
const INF = { $: 'num', s: 'Infinity' };
const NINF = { $: 'num', s: '-Infinity' };
const rep = (s, n) => ({ $: 'repeat', s, n });
const M = 'MESSAGE';
const S = 'STREAM';
const L = 'L';

const lk = (who, method, ...args) => call(who, `lock.${method}`, ...args);
const setL = (who, name = L, opts, ch = ROOM, type = M) => (opts === undefined ? lk(who, 'setLock', ch, type, name) : lk(who, 'setLock', ch, type, name, opts));
const rmL = (who, name = L, ch = ROOM, type = M) => lk(who, 'removeLock', ch, type, name);
const acq = (who, name = L, opts, ch = ROOM, type = M) => (opts === undefined ? lk(who, 'acquireLock', ch, type, name) : lk(who, 'acquireLock', ch, type, name, opts));
const rel = (who, name = L, ch = ROOM, type = M) => lk(who, 'releaseLock', ch, type, name);
const rev = (who, owner, name = L, ch = ROOM, type = M) => lk(who, 'revokeLock', ch, type, name, owner);
const getL = (who, ch = ROOM, type = M) => lk(who, 'getLock', ch, type);
const nowait = (step) => ({ ...step, nowait: true });
const down = (who) => ({ who, net: 'down' });
const upNet = (who) => ({ who, net: 'up' });
const advance = (s) => ({ advance: s });
const join = (who, ch, opts) => call(who, 'stream.join', ch, opts);

const A = { alice: actor('alice') };
const AB = { alice: actor('alice'), bob: actor('bob') };
const ABC = { ...AB, carol: actor('carol') };

const METHODS = [
  ['setLock', (w, ch, t, name) => lk(w, 'setLock', ch, t, name)],
  ['removeLock', (w, ch, t, name) => lk(w, 'removeLock', ch, t, name)],
  ['acquireLock', (w, ch, t, name) => lk(w, 'acquireLock', ch, t, name)],
  ['releaseLock', (w, ch, t, name) => lk(w, 'releaseLock', ch, t, name)],
  ['revokeLock', (w, ch, t, name) => lk(w, 'revokeLock', ch, t, name, 'bob')],
  ['getLock', (w, ch, t) => lk(w, 'getLock', ch, t)],
];

/**
 * Add the lock cases through `add` (cases.js's: it rejects duplicate ids).
 * @param add (case) => void
 */
export function addLockCases(add) {
  const l = (c) => add({ actors: A, decidedBy: 'client', ...c, family: 'lock' });

  // ------------------------------------------------------------ check order (R-LK2, R-LK3)
  for (const [m, mk] of METHODS) {
    l({ id: `lock.order.${m}.idle-bad-type`, rule: 'R-LK2', source: 'runtime', title: `${m} before login with type USER: -10019 first`, steps: [nw('alice'), mk('alice', ROOM, 'USER', L)] });
    l({ id: `lock.order.${m}.idle`, rule: 'R-LK2', source: 'runtime', title: `${m} before login: -10025`, steps: [nw('alice'), mk('alice', ROOM, M, L)] });
    for (const [tl, type] of [
      ['USER', 'USER'],
      ['missing', U],
      ['lowercase', 'stream'],
    ]) {
      l({ id: `lock.order.${m}.type-${tl}`, rule: 'R-LK2', source: 'runtime', title: `${m} with channel type ${tl}`, steps: [...up('alice'), mk('alice', ROOM, type, L)] });
    }
    for (const [nl, name] of [
      ['dot', 'a.b'],
      ['empty', ''],
      ['underscore', '_x'],
      ['len65', rep('a', 65)],
    ]) {
      l({ id: `lock.order.${m}.channel-${nl}`, rule: 'R-LK2', source: 'runtime', title: `${m} on channel ${nl}`, steps: [...up('alice'), mk('alice', name, M, '_bad')] });
    }
    for (const [nl, name] of [
      ['empty', ''],
      ['underscore', '_l'],
      ['len65', rep('l', 65)],
      ['len64', rep('l', 64)],
      ['number', 5],
      ['dot', 'a.b'],
      ['undefined', U],
    ]) {
      l({ id: `lock.order.${m}.name-${nl}`, rule: 'R-LK3', source: 'runtime', decidedBy: 'client+server', title: `${m} with lock name ${nl}`, steps: [...up('alice'), mk('alice', ROOM, M, name)] });
    }
    l({ id: `lock.order.${m}.disabled-bad-channel`, rule: 'R-LK2', source: 'runtime', title: `${m} with LOCK_ENABLED false and a bad channel: -14009 first`, params: { LOCK_ENABLED: false }, steps: [...up('alice'), mk('alice', 'a.b', M, L)] });
    l({ id: `lock.order.${m}.disabled`, rule: 'R-LK2', source: 'runtime', title: `${m} with LOCK_ENABLED false: -14009`, params: { LOCK_ENABLED: false }, steps: [...up('alice'), mk('alice', ROOM, M, L)] });
    l({ id: `lock.order.${m}.DISCONNECTED`, rule: 'R-LK2', source: 'runtime', title: `${m} while DISCONNECTED: -10025`, steps: [...up('alice'), down('alice'), mk('alice', ROOM, M, L), upNet('alice'), advance(3)] });
  }
  for (const [label, owner] of [
    ['empty', ''],
    ['underscore', '_u'],
    ['null', null],
    ['undefined', U],
    ['dot', 'a.b'],
  ]) {
    l({ id: `lock.revoke.bad-owner.${label}`, rule: 'R-LK8', source: 'runtime', title: `revokeLock with owner ${label}: -10006`, steps: [...up('alice'), setL('alice'), rev('alice', owner)] });
  }
  l({ id: 'lock.revoke.bad-owner-and-bad-name', rule: 'R-LK8', source: 'runtime', title: 'revokeLock with a bad owner and a bad lock name: -14005 first', steps: [...up('alice'), rev('alice', '', '_l')] });

  // ------------------------------------------------------------ ttl (R-LK5, D-LK12)
  for (const [label, opts] of [
    ['absent', U],
    ['empty-options', {}],
    ['options-string', 'x'],
    ['ttl-5', { ttl: 5 }],
    ['ttl-10', { ttl: 10 }],
    ['ttl-60', { ttl: 60 }],
    ['ttl-300', { ttl: 300 }],
    ['ttl-301', { ttl: 301 }],
    ['ttl-null', { ttl: null }],
    ['ttl-minus1', { ttl: -1 }],
    ['ttl-string-20', { ttl: '20' }],
    ['ttl-string-500', { ttl: '500' }],
    ['ttl-object', { ttl: {} }],
    ['ttl-10.7', { ttl: 10.7 }],
    ['ttl-nan', { ttl: NAN }],
    ['ttl-inf', { ttl: INF }],
    ['ttl-minus-inf', { ttl: NINF }],
    ['ttl-true', { ttl: true }],
    ['ttl-abc', { ttl: 'abc' }],
  ]) {
    l({
      id: `lock.ttl.${label}`,
      rule: 'R-LK5',
      source: 'runtime',
      decidedBy: 'client+server',
      title: `setLock ttl ${label}: the clamped value reaches getLock and the SET event`,
      actors: AB,
      steps: [...up('alice'), nw('bob'), login('bob'), sub('bob', ROOM, { withLock: true }), setL('alice', L, opts), getL('alice')],
    });
  }

  // ------------------------------------------------------------ shapes (R-LK10)
  l({ id: 'lock.shapes', rule: 'R-LK10', source: 'runtime', decidedBy: 'client+server', title: 'set, get, acquire, get, release, remove: resolved values and key orders', steps: [...up('alice'), setL('alice', L, { ttl: 30 }), getL('alice'), acq('alice'), getL('alice'), rel('alice'), rmL('alice'), getL('alice')] });
  l({ id: 'lock.shapes.stream', rule: 'R-LK22', source: 'runtime', decidedBy: 'client+server', title: 'STREAM and MESSAGE locks of the same name are different locks', steps: [...up('alice'), setL('alice', L, undefined, ROOM, S), getL('alice'), getL('alice', ROOM, S), setL('alice'), getL('alice')] });
  l({ id: 'lock.shapes.order', rule: 'D-LK10', source: 'rule', decidedBy: 'client+server', title: 'getLock lists locks in code-point order of name', steps: [...up('alice'), setL('alice', 'b'), setL('alice', 'B'), setL('alice', 'a'), setL('alice', '10'), setL('alice', '2'), getL('alice')] });

  // ------------------------------------------------------------ de-duplication (R-LK6, R-LK9)
  for (const [label, steps] of [
    ['set-set', [nowait(setL('alice')), setL('alice')]],
    ['remove-remove', [setL('alice'), nowait(rmL('alice')), rmL('alice')]],
    ['release-release', [setL('alice'), acq('alice'), nowait(rel('alice')), rel('alice')]],
    ['revoke-revoke', [setL('alice'), acq('alice'), nowait(rev('alice', 'alice')), rev('alice', 'alice')]],
    ['set-remove', [nowait(setL('alice')), rmL('alice'), getL('alice')]],
    ['get-get', [setL('alice'), nowait(getL('alice')), getL('alice')]],
    ['acquire-held', [setL('alice'), acq('alice'), acq('alice')]],
    ['acquire-acquire', [setL('alice'), nowait(acq('alice')), acq('alice')]],
    ['acquire-other-lock', [setL('alice'), setL('alice', 'M'), nowait(acq('alice')), acq('alice', 'M')]],
  ]) {
    l({ id: `lock.dedupe.${label}`, rule: 'R-LK9', source: 'runtime', decidedBy: 'client+server', title: `in-flight de-duplication: ${label}`, steps: [...up('alice'), ...steps] });
  }

  // ------------------------------------------------------------ release (R-LK7, R-LK13)
  l({ id: 'lock.release.not-held', rule: 'R-LK7', source: 'runtime', title: 'releaseLock of a lock not held: -14006, nothing sent', steps: [...up('alice'), setL('alice'), rel('alice')] });
  l({ id: 'lock.release.missing', rule: 'R-LK7', source: 'runtime', title: 'releaseLock of a lock that does not exist: -14006', steps: [...up('alice'), rel('alice')] });
  l({ id: 'lock.release.pending-no-retry', rule: 'R-LK7', source: 'runtime', title: 'releaseLock while an acquire without retry is pending: -14006', actors: AB, steps: [...up('alice'), ...up('bob'), setL('alice'), nowait(acq('bob')), rel('bob')] });
  l({ id: 'lock.release.pending-retry', rule: 'R-LK13', source: 'runtime', decidedBy: 'client+server', title: 'releaseLock while a retry acquire waits: both resolve, the lock is not held', actors: AB, steps: [...up('alice'), ...up('bob'), setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: true })), rel('bob'), getL('bob'), rel('alice'), getL('bob')] });

  // ------------------------------------------------------------ server side: set / acquire / remove / revoke (D-LK2..D7)
  const srv = (id, rule, title, steps, actors = ABC) => l({ id, rule, source: 'rule', decidedBy: 'client+server', title, actors, steps: [...up('alice'), ...up('bob'), ...up('carol'), sub('carol', ROOM, { withLock: true }), ...steps] });
  srv('lock.set.exists', 'D-LK2', 'setLock of an existing lock: -14004, its TTL unchanged', [setL('alice', L, { ttl: 20 }), setL('bob', L, { ttl: 60 }), getL('bob')]);
  srv('lock.remove.missing', 'D-LK7', 'removeLock of a missing lock: -14008', [rmL('alice')]);
  srv('lock.remove.by-other', 'D-LK7', 'anyone may remove a free lock: REMOVED', [setL('alice'), rmL('bob'), getL('bob')]);
  srv('lock.remove.held', 'D-LK7', 'removeLock of a held lock: the holder gets EXPIRED, subscribers REMOVED', [setL('alice'), acq('alice'), rmL('bob'), getL('alice'), acq('alice')]);
  srv('lock.remove.waiters', 'D-LK7', 'removeLock with a retry waiter: the waiter gets -14008', [setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: true })), rmL('alice')]);
  srv('lock.acquire.missing', 'D-LK4', 'acquireLock of a missing lock: -14008', [acq('alice')]);
  srv('lock.acquire.free', 'D-LK4', 'acquireLock of a free lock: ACQUIRED', [setL('alice'), acq('bob'), getL('alice')]);
  srv('lock.acquire.held-by-other', 'D-LK4', 'acquireLock of a lock another holds: -14007', [setL('alice'), acq('alice'), acq('bob')]);
  srv('lock.acquire.retry-gets-it', 'D-LK5', 'retry waiter gets the lock when the holder releases (RELEASED then ACQUIRED)', [setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: true })), rel('alice'), getL('carol')]);
  srv('lock.acquire.retry-fifo', 'D-LK4', 'two retry waiters get the lock in request order', [setL('alice'), acq('alice'), nowait(acq('carol', L, { retry: true })), nowait(acq('bob', L, { retry: true })), rel('alice'), getL('alice'), rel('carol'), getL('alice')]);
  srv('lock.acquire.retry-truthy', 'R-LK6', 'retry "yes" is truthy: waits', [setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: 'yes' })), rel('alice')]);
  srv('lock.acquire.retry-free', 'D-LK4', 'retry acquire of a free lock: granted at once', [setL('alice'), acq('bob', L, { retry: true })]);
  srv('lock.release.by-waiter', 'D-LK5', 'a waiter releases: it leaves the queue', [setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: true })), rel('bob'), rel('alice'), getL('alice')]);
  srv('lock.revoke.holder', 'D-LK6', 'revokeLock of the holder: the holder gets EXPIRED (no withLock), others RELEASED', [setL('alice'), acq('alice'), rev('bob', 'alice'), getL('bob'), acq('bob')]);
  srv('lock.revoke.holder-with-waiter', 'D-LK6', 'revokeLock of the holder with a retry waiter: the waiter gets it', [setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: true })), rev('carol', 'alice'), getL('carol')]);
  srv('lock.revoke.non-holder', 'D-LK6', 'revokeLock naming someone who does not hold it: -14001', [setL('alice'), acq('alice'), rev('bob', 'bob')]);
  srv('lock.revoke.free', 'D-LK6', 'revokeLock of a free lock: -14001', [setL('alice'), rev('bob', 'alice')]);
  srv('lock.revoke.missing', 'D-LK6', 'revokeLock of a missing lock: -14008', [rev('bob', 'alice')]);
  srv('lock.revoke.self', 'D-LK6', 'the holder revokes itself: EXPIRED to itself', [setL('alice'), acq('alice'), rev('alice', 'alice'), getL('alice')]);

  // ------------------------------------------------------------ events (R-LK15..R-LK19)
  const evc = (id, rule, title, steps, extra = {}) => l({ id, rule, source: 'runtime', decidedBy: 'client+server', title, actors: ABC, ...extra, steps: [...up('alice'), ...up('bob'), ...up('carol'), ...steps] });
  evc('lock.events.snapshot-empty', 'R-LK17', 'subscribe withLock: an empty SNAPSHOT', [sub('bob', ROOM, { withLock: true })]);
  evc('lock.events.snapshot-locks', 'R-LK16', 'SNAPSHOT lists every lock (name order), the holder as owner', [setL('alice', 'b', { ttl: 20 }), setL('alice', 'a'), acq('alice', 'b'), sub('bob', ROOM, { withLock: true })]);
  evc('lock.events.all-types', 'R-LK16', 'SET, ACQUIRED, RELEASED, REMOVED shapes, the actor included', [sub('bob', ROOM, { withLock: true }), sub('alice', ROOM, { withLock: true }), setL('alice', L, { ttl: 15 }), acq('alice'), rel('alice'), rmL('alice')]);
  evc('lock.events.without-withLock', 'R-LK17', 'a subscriber without withLock gets nothing', [sub('bob', ROOM), setL('alice'), acq('alice'), rel('alice')]);
  evc('lock.events.withLock-false', 'R-LK17', 'withLock false on re-subscribe stops the events', [sub('bob', ROOM, { withLock: true }), sub('bob', ROOM, { withLock: false }), setL('alice')]);
  evc('lock.events.withLock-again', 'R-LK17', 'subscribe withLock again while on: no second SNAPSHOT', [sub('bob', ROOM, { withLock: true }), sub('bob', ROOM, { withLock: true }), setL('alice')]);
  evc('lock.events.resubscribe-within-4s', 'R-LK17', 'unsubscribe and subscribe withLock within 4 s: a SNAPSHOT', [sub('bob', ROOM, { withLock: true }), call('bob', 'unsubscribe', ROOM), sub('bob', ROOM, { withLock: true })]);
  evc('lock.events.stream-join', 'R-LK15', 'stream join withLock: STREAM events', [join('bob', ROOM, { withLock: true }), setL('alice', L, undefined, ROOM, S), setL('alice')]);
  evc('lock.events.disabled', 'R-LK18', 'subscribe withLock with LOCK_ENABLED false: -14009', [sub('bob', ROOM, { withLock: true })], { params: { LOCK_ENABLED: false } });
  evc('lock.events.other-channel', 'D-LK1', 'events of another channel do not arrive', [sub('bob', ROOM, { withLock: true }), setL('alice', L, undefined, 'other')]);
  evc('lock.events.order', 'D-LK10', 'three withLock subscribers, in user-id order', [sub('carol', ROOM, { withLock: true }), sub('bob', ROOM, { withLock: true }), sub('alice', ROOM, { withLock: true }), setL('bob')]);

  // ------------------------------------------------------------ logout (R-LK14, D-LK9)
  evc('lock.logout.pending-retry', 'R-LK14', 'logout with a pending retry acquire: -14007 operation acquireLock', [setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: true })), call('bob', 'logout'), rel('alice'), getL('alice')]);
  evc('lock.logout.holder', 'D-LK9', 'the holder logs out: RELEASED at once, the waiter gets it', [sub('carol', ROOM, { withLock: true }), setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: true })), call('alice', 'logout'), getL('carol')]);
  evc('lock.logout.login-again', 'R-LK14', 'after logout / login the old lock is not held locally', [setL('alice'), acq('alice'), call('alice', 'logout'), login('alice'), rel('alice'), acq('alice')]);

  // ------------------------------------------------------------ holder drops (R-LK20, D-LK8)
  evc('lock.drop.back-before', 'D-LK8', 'holder network down and back before the TTL lapses: keeps the lock, nothing visible', [sub('carol', ROOM, { withLock: true }), setL('alice', L, { ttl: 60 }), acq('alice'), down('alice'), advance(20), upNet('alice'), advance(10), getL('carol')]);
  evc('lock.drop.lapse', 'D-LK8', 'holder down past heartbeat + 10 s + ttl: RELEASED, the waiter gets it; holder back: EXPIRED', [sub('carol', ROOM, { withLock: true }), setL('alice', L, { ttl: 10 }), acq('alice'), nowait(acq('bob', L, { retry: true })), down('alice'), advance(24), getL('carol'), advance(2), getL('carol'), upNet('alice'), advance(40), getL('carol'), rel('alice')]);
  evc('lock.drop.lapse-no-waiter', 'D-LK8', 'holder down past its TTL with no waiter: RELEASED, then free for others', [sub('carol', ROOM, { withLock: true }), setL('alice', L, { ttl: 10 }), acq('alice'), down('alice'), advance(30), acq('bob'), upNet('alice'), advance(40), getL('carol')]);
  evc('lock.drop.waiter-down', 'R-LK20', 'a retry waiter whose link drops and comes back keeps its place', [setL('alice'), acq('alice'), nowait(acq('bob', L, { retry: true })), down('bob'), advance(3), upNet('bob'), advance(10), rel('alice'), getL('carol')]);

  // ------------------------------------------------------------ rate limits (R-LK4)
  const rate = (label, steps) => l({ id: `lock.rate.${label}`, rule: 'R-LK4', source: 'runtime', decidedBy: 'client+server', title: `lock rate limit: ${label}`, server: { rateLimits: true }, steps: [...up('alice'), ...steps] });
  rate('acquireLock-11', [setL('alice'), ...Array.from({ length: 11 }, (_, i) => acq('alice', `n${i}`))]);
  rate('getLock-21', Array.from({ length: 21 }, () => getL('alice')));
  rate('setLock-21', Array.from({ length: 21 }, (_, i) => setL('alice', `n${i}`)));
  rate('setLock-before-type', [...Array.from({ length: 20 }, () => setL('alice', L, undefined, ROOM, 'USER')), setL('alice', L, undefined, ROOM, 'USER')]);
  rate('separate-keys', [...Array.from({ length: 20 }, (_, i) => setL('alice', `n${i}`)), getL('alice'), rmL('alice', 'n0')]);
}
