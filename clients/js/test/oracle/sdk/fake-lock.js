// The lock server behind the real SDK in the oracle harness (issue 17). Beside fake-store.js,
// fake-relay.js and fake-storage.js; one table per app. Written to the EMULATOR's proposed
// server decisions (docs/decisions.md, D-LK1..D-LK12), so that the real SDK's clients
// show what an app would see against the emulator. Every choice here is a [server] decision:
//
//   - wire (runtime): `StateLockCreate / Delete / Acquire / Release / Disable / List / Subscribe
//     / Unsubscribe` through AG.sendOperationPacket; replies `<name>Result` on onOperationPacket
//     (by requestUuid; List and Subscribe by sequence); pushes on the receiver's internal
//     emitter: `StateLockSubscribeEvent {target, eventType 1 SET | 2 modified | 3 removed | 4
//     snapshot, lockStates [{lockName, lockState: JSON {create_ttl, user, _rev}}]}` and
//     `StateLockUpdate {target, lock, flags, code 8}` (expired, to the holder only);
//   - D1 locks per (app, prefixed channel); no subscription needed; no count limit;
//   - D2 create: new lock free, create_ttl = the wire ttl, _rev 1, SET; existing -> 6;
//   - D3 _rev +1 on every change; an acquirer's lockRev = the _rev after its acquire (> 0);
//   - D4 acquire: missing -> 13; free -> granted (ACQUIRED); held by another without retry -> 7,
//     with retry (ENABLE_LOCK_BLOCKING) -> queued FIFO, answered 0 when granted; a repeat of a
//     queued requestUuid keeps its place; the holder's own reacquire -> 0, same _rev, silent;
//   - D5 release: by the holder -> free, RELEASED, then the first waiter gets it (ACQUIRED, its
//     reply); by a waiter -> leaves the queue, 0; anyone else -> 0, nothing changes;
//   - D6 revoke(owner): owner holds it -> as a lapse (holder StateLockUpdate 8 at once, RELEASED,
//     next waiter); owner does not -> 2 (-14001); missing -> 13; anyone may revoke;
//   - D7 remove: missing -> 13; anyone; the holder gets StateLockUpdate 8, subscribers REMOVED,
//     each waiter's acquire answered 13;
//   - D8 holder lost: noticed heartbeatInterval + 10 s after the link loss (R-T2), kept
//     create_ttl s more; back before -> its reacquire keeps it (same _rev, silent); else it
//     lapses (RELEASED, next waiter) and the old holder's reacquire is answered 7 with lockRev 0
//     (its SDK then emits EXPIRED and sends a release, answered 0);
//   - D9 logout: the session's locks released at once (RELEASED, next waiter), its waiters
//     dropped, no TTL;
//   - D10 fan-out to every session subscribed to the target, the actor included, in user-id
//     order; events before the caller's reply; SNAPSHOT and List in code-point order of name;
//     a subscribe's SNAPSHOT right after its StateLockSubscribeResult;
//   - D11 waiters are not tied to channel membership;
//   - D12 the wire ttl is stored as it is.

const ENABLE_LOCK_BLOCKING = 1 << 18;
const OK = 0;
const EXISTS = 6;
const ACQUIRE_FAILED = 7;
const NO_LOCK = 13;
const FAILED = 2;
const EV_SET = 1;
const EV_MODIFIED = 2;
const EV_REMOVED = 3;
const EV_SNAPSHOT = 4;
const EXPIRED_CODE = 8;
const NOTICE_EXTRA_S = 10;

const low = (flags) => (flags && typeof flags === 'object' ? flags.low : Number(flags ?? 0));
const num = (v) => (v && typeof v === 'object' && typeof v.toNumber === 'function' ? v.toNumber() : Number(v ?? 0));
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const uidOf = (s) => s.context.uid;

export class FakeLocks {
  constructor(store) {
    this.store = store;
    /** `${appId}\0${target}` -> Map(lockName -> lock) */
    this.channels = new Map();
    /** `${appId}\0${target}` -> Set(session) */
    this.subs = new Map();
    /** sessions whose lock lapsed while away: Set of `${ck}\0${name}` per session */
    this.lapsed = new Map();
    this.Long = null;
  }

  ck(appId, target) {
    return `${appId}\u0000${target}`;
  }

  locksOf(ck) {
    if (!this.channels.has(ck)) this.channels.set(ck, new Map());
    return this.channels.get(ck);
  }

  /** D-ST6: the lock's revision when `uid` holds it, else 0. */
  holderRevision(appId, target, name, uid) {
    const lock = this.channels.get(this.ck(appId, target))?.get(name);
    return lock?.holder && uidOf(lock.holder) === uid ? lock.rev : 0;
  }

  lockState(lock) {
    return JSON.stringify({ create_ttl: lock.ttl, user: lock.holder ? uidOf(lock.holder) : '', _rev: lock.rev });
  }

  later(fn) {
    setTimeout(fn, 0);
  }

  reply(session, name, payload) {
    this.later(() => session.__pkt(name).next(payload));
  }

  online(session) {
    const db = this.store.dbs.find((d) => d.session === session && d.active);
    return !!db && db.online;
  }

  emitTo(session, event, payload) {
    this.later(() => session.context.internalEmitter.emit(event, payload));
  }

  /** D10: an event about one lock to every online subscriber of the target, in user-id order. */
  event(ck, target, eventType, lock) {
    const subs = [...(this.subs.get(ck) ?? [])].filter((s) => this.online(s)).sort((a, b) => cmp(uidOf(a), uidOf(b)));
    const lockStates = [{ lockName: lock.name, lockState: this.lockState(lock) }];
    for (const s of subs) this.emitTo(s, 'StateLockSubscribeEvent', { target, eventType, lockStates });
  }

  acquireReply(w, code, rev) {
    this.reply(w.session, 'StateLockAcquireResult', {
      requestUuid: w.uuid,
      code,
      target: w.target,
      lock: w.lock,
      lockRev: this.Long.fromNumber(rev),
      reason: '',
    });
  }

  grant(ck, lock, w) {
    lock.holder = w.session;
    lock.rev += 1;
    this.event(ck, w.target, EV_MODIFIED, lock);
    this.acquireReply(w, OK, lock.rev);
  }

  /** The holder is gone (release, lapse, revoke, logout): RELEASED, then the next waiter. */
  free(ck, target, lock) {
    lock.holder = null;
    lock.rev += 1;
    if (lock.lapseTimer) clearTimeout(lock.lapseTimer);
    lock.lapseTimer = null;
    this.event(ck, target, EV_MODIFIED, lock);
    const w = lock.waiters.shift();
    if (w) this.grant(ck, lock, w);
  }

  /** Handle one packet; true when it was a lock packet. */
  handle(session, name, p) {
    if (!name.startsWith('StateLock')) return false;
    if (!this.Long && p?.flags?.constructor?.fromNumber) this.Long = p.flags.constructor;
    const appId = session.context.appId;
    const ck = this.ck(appId, p.target);
    const locks = this.locksOf(ck);
    const lock = locks.get(p.lock);
    const res = (code) => this.reply(session, `${name}Result`, { requestUuid: p.requestUuid, code });
    switch (name) {
      case 'StateLockCreate': {
        if (lock) return res(EXISTS), true;
        const l = { name: p.lock, ttl: num(p.ttl), holder: null, rev: 1, waiters: [], lapseTimer: null };
        locks.set(p.lock, l);
        this.event(ck, p.target, EV_SET, l);
        res(OK);
        return true;
      }
      case 'StateLockDelete': {
        if (!lock) return res(NO_LOCK), true;
        locks.delete(p.lock);
        if (lock.lapseTimer) clearTimeout(lock.lapseTimer);
        if (lock.holder) this.expireTo(lock.holder, p.target, lock.name);
        lock.rev += 1;
        this.event(ck, p.target, EV_REMOVED, lock);
        for (const w of lock.waiters.splice(0)) this.acquireReply(w, NO_LOCK, 0);
        res(OK);
        return true;
      }
      case 'StateLockAcquire': {
        const w = { session, uuid: p.requestUuid, target: p.target, lock: p.lock };
        if (!lock) return this.acquireReply(w, NO_LOCK, 0), true;
        const lapsedKey = `${ck}\u0000${p.lock}`;
        const lapsed = this.lapsed.get(session);
        if (lapsed?.has(lapsedKey)) {
          lapsed.delete(lapsedKey);
          return this.acquireReply(w, ACQUIRE_FAILED, 0), true;
        }
        if (lock.holder === session) {
          if (lock.lapseTimer) clearTimeout(lock.lapseTimer);
          lock.lapseTimer = null;
          return this.acquireReply(w, OK, lock.rev), true;
        }
        if (!lock.holder) return this.grant(ck, lock, w), true;
        if (!(low(p.flags) & ENABLE_LOCK_BLOCKING)) return this.acquireReply(w, ACQUIRE_FAILED, 0), true;
        const queued = lock.waiters.find((x) => x.session === session && x.uuid === p.requestUuid);
        if (!queued) lock.waiters.push(w);
        return true;
      }
      case 'StateLockRelease': {
        if (lock?.holder === session) this.free(ck, p.target, lock);
        else if (lock) lock.waiters = lock.waiters.filter((x) => x.session !== session);
        res(OK);
        return true;
      }
      case 'StateLockDisable': {
        if (!lock) return res(NO_LOCK), true;
        if (!lock.holder || uidOf(lock.holder) !== p.userId) return res(FAILED), true;
        this.expireTo(lock.holder, p.target, lock.name);
        this.free(ck, p.target, lock);
        res(OK);
        return true;
      }
      case 'StateLockList': {
        const lockStates = [...locks.values()]
          .sort((a, b) => cmp(a.name, b.name))
          .map((l) => ({ lockName: l.name, lockState: this.lockState(l) }));
        this.reply(session, 'StateLockListResult', { sequence: p.sequence, code: OK, lockStates });
        return true;
      }
      case 'StateLockSubscribe': {
        if (!this.subs.has(ck)) this.subs.set(ck, new Set());
        this.subs.get(ck).add(session);
        this.reply(session, 'StateLockSubscribeResult', { sequence: p.sequence, code: OK });
        const lockStates = [...locks.values()]
          .sort((a, b) => cmp(a.name, b.name))
          .map((l) => ({ lockName: l.name, lockState: this.lockState(l) }));
        this.emitTo(session, 'StateLockSubscribeEvent', { target: p.target, eventType: EV_SNAPSHOT, lockStates });
        return true;
      }
      case 'StateLockUnsubscribe':
        this.subs.get(ck)?.delete(session);
        return true;
      default:
        return true;
    }
  }

  expireTo(session, target, lockName) {
    if (!this.online(session)) return;
    this.emitTo(session, 'StateLockUpdate', { target, lock: lockName, flags: this.Long.fromNumber(0), code: EXPIRED_CODE });
  }

  /** D8: the holder's link is lost; `heartbeatS` = its heartbeatInterval. */
  onLinkDown(session, heartbeatS) {
    for (const [ck, locks] of this.channels) {
      for (const lock of locks.values()) {
        if (lock.holder !== session || lock.lapseTimer) continue;
        const target = ck.slice(ck.indexOf('\u0000') + 1);
        lock.lapseTimer = setTimeout(
          () => {
            lock.lapseTimer = null;
            if (lock.holder !== session) return;
            if (!this.lapsed.has(session)) this.lapsed.set(session, new Set());
            this.lapsed.get(session).add(`${ck}\u0000${lock.name}`);
            this.free(ck, target, lock);
          },
          (heartbeatS + NOTICE_EXTRA_S + Math.max(0, lock.ttl)) * 1000,
        );
      }
    }
  }

  /** D9: logout: the session's locks released at once, its waiters and subscriptions dropped. */
  onLogout(session) {
    for (const [ck, locks] of this.channels) {
      const target = ck.slice(ck.indexOf('\u0000') + 1);
      for (const lock of locks.values()) {
        lock.waiters = lock.waiters.filter((x) => x.session !== session);
        if (lock.holder === session) this.free(ck, target, lock);
      }
    }
    for (const set of this.subs.values()) set.delete(session);
    this.lapsed.delete(session);
  }
}
