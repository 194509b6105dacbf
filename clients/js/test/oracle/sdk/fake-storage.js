// The metadata (storage) server behind the real SDK in the oracle harness (issue 17). Beside
// fake-store.js (presence) and fake-relay.js (messages); one store per app. Written to the
// EMULATOR's proposed server decisions (docs/decisions.md, D-ST1..D-ST10), so that the
// real SDK's clients show what an app would see against the emulator. Every choice here is a
// [server] decision, not the SDK's:
//
//   - wire (runtime): requests come through AG.sendOperationPacket: `StateModify` (set, update,
//     remove with data), `StateSet` (clear), `StateGet`, `StateSubscribe`, `StateUnsubscribe`;
//     replies on onOperationPacket (`StateRequestResult {sequence, code}`, `StateGetResult
//     {sequence, code, allStates}`, `StateSubscribeResult {sequence, code}`); pushes are
//     `StateUpdate {flags, target, allStates}` on the receiver's internal emitter. `allStates`
//     always carries `_rev` (R-ST12, R-ST18: a state without it is never taken);
//   - D-ST1 persistence: per app and (channel flag, prefixed target), for the case's lifetime,
//     across logout; a never-written target reads `{_rev: 0}`;
//   - D-ST2 revisions: `_rev` 0 initially, +1 per changing write; an item's revision = the
//     target's `_rev` after the write that last changed it;
//   - D-ST3 set = upsert (others kept); update (item revision -2 on the wire) = existing keys
//     only, an absent key -> code 6; remove (value null) drops the given keys, absent ones
//     skipped; clear (`StateSet`) drops all. All-or-nothing; a write that changes nothing
//     succeeds without a bump or an event;
//   - D-ST4 CAS: CHECK_AND_SET with baseRevision != _rev -> 6; an item revision >= 0 != the
//     item's current revision (absent = 0) -> 6;
//   - D-ST5 records: `_t_k` = the case clock (ms) only with ENABLE_RECORD_TS; `_m_k` = author
//     when non-empty; per write, not sticky;
//   - D-ST6 lock-guarded write: `lock` non-empty -> the lock must exist on the same prefixed
//     channel and be held by the caller with `lockRev` = its revision (fake-lock.js), else code
//     10 (-> -12001);
//   - D-ST7 anyone logged in may read / write / subscribe any target; no code 14;
//   - D-ST8 fan-out: after a changing write one StateUpdate with the full state to every
//     session subscribed to the target (writer included), in user-id order (R-E7); after a
//     StateSubscribeResult 0 one StateUpdate (the snapshot, even empty). A session whose link is
//     down gets nothing (its re-subscribe on reconnect brings the latest state);
//   - D-ST9 no limit on the stored total;
//   - D-ST10 target "" = the caller's own id.
// Fault injection (case `server.storageReplyCode`): every write / get / subscribe reply carries
// that code instead (R-ST11 mapping is the SDK's).

const IS_GROUP = 1;
const CHECK_AND_SET = 1 << 17;
const ENABLE_RECORD_TS = 1 << 19;
const CODE_OK = 0;
const CODE_OUTDATED = 6;
const CODE_INVALID_LOCK = 10;

const low = (flags) => (flags && typeof flags === 'object' ? flags.low : Number(flags ?? 0));
const num = (v) => (v && typeof v === 'object' && typeof v.toNumber === 'function' ? v.toNumber() : Number(v ?? 0));
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

export class FakeStorage {
  /**
   * @param store the case's FakeStores (sessions: store.dbs)
   * @param now () => the case's clock in ms
   * @param locks the FakeLocks (D-ST6), or null
   */
  constructor(store, now, locks) {
    this.store = store;
    this.now = now;
    this.locks = locks;
    /** `${appId}\0${group}\0${target}` -> {rev, items: Map(key -> {value, rev, ts, author})} */
    this.targets = new Map();
    /** same key -> Set(session) */
    this.subs = new Map();
    this.replyCode = null;
  }

  key(appId, group, target) {
    return `${appId}\u0000${group ? 1 : 0}\u0000${target}`;
  }

  state(k) {
    if (!this.targets.has(k)) this.targets.set(k, { rev: 0, items: new Map() });
    return this.targets.get(k);
  }

  /** allStates JSON of a target (D-ST5 fields only when set). */
  allStates(st) {
    const out = { _rev: st.rev };
    for (const [k, it] of st.items) {
      out[k] = it.value;
      out[`_rev_${k}`] = it.rev;
      if (it.ts) out[`_t_${k}`] = it.ts;
      if (it.author) out[`_m_${k}`] = it.author;
    }
    return JSON.stringify(out);
  }

  reply(session, name, payload) {
    setTimeout(() => session.__pkt(name).next(payload), 0);
  }

  /** Handle one packet; true when it was a storage packet. */
  handle(session, name, p) {
    const appId = session.context.appId;
    const uid = session.context.uid;
    if (!this.Long && p?.flags?.constructor?.fromNumber) this.Long = p.flags.constructor;
    switch (name) {
      case 'StateModify':
      case 'StateSet': {
        const group = (low(p.flags) & IS_GROUP) !== 0;
        const target = !group && p.target === '' ? uid : p.target;
        const code = this.replyCode ?? this.write(session, appId, uid, group, target, name === 'StateSet', p);
        this.reply(session, 'StateRequestResult', { sequence: p.sequence, code });
        return true;
      }
      case 'StateGet': {
        const group = (low(p.flags) & IS_GROUP) !== 0;
        const target = !group && p.target === '' ? uid : p.target;
        const st = this.state(this.key(appId, group, target));
        this.reply(session, 'StateGetResult', { sequence: p.sequence, code: this.replyCode ?? CODE_OK, allStates: this.allStates(st) });
        return true;
      }
      case 'StateSubscribe': {
        const group = (low(p.flags) & IS_GROUP) !== 0;
        const k = this.key(appId, group, p.target);
        const code = this.replyCode ?? CODE_OK;
        this.reply(session, 'StateSubscribeResult', { sequence: p.sequence, code });
        if (code === CODE_OK || code === 1) {
          if (!this.subs.has(k)) this.subs.set(k, new Set());
          this.subs.get(k).add(session);
          const flags = p.flags;
          setTimeout(() => {
            if (!this.subs.get(k)?.has(session)) return;
            const st = this.state(k);
            session.context.internalEmitter.emit('StateUpdate', { flags, target: p.target, allStates: this.allStates(st) });
          }, 0);
        }
        return true;
      }
      case 'StateUnsubscribe': {
        const group = (low(p.flags) & IS_GROUP) !== 0;
        this.subs.get(this.key(appId, group, p.target))?.delete(session);
        return true;
      }
      default:
        return false;
    }
  }

  /** A write (D-ST3..D-ST6); returns the reply code. */
  write(session, appId, uid, group, target, clear, p) {
    const f = low(p.flags);
    const k = this.key(appId, group, target);
    const st = this.state(k);
    if (f & CHECK_AND_SET && num(p.baseRevision) !== st.rev) return CODE_OUTDATED;
    if (p.lock) {
      const held = this.locks?.holderRevision(appId, target, p.lock, uid) ?? 0;
      if (!held || held !== num(p.lockRev)) return CODE_INVALID_LOCK;
    }
    const next = new Map(st.items);
    let changed = false;
    const rev = st.rev + 1;
    const ts = f & ENABLE_RECORD_TS ? this.now() : 0;
    const author = p.author || '';
    if (clear) {
      changed = next.size > 0;
      next.clear();
    } else {
      const value = JSON.parse(p.value || '{}');
      for (const [key, v] of Object.entries(value)) {
        if (key.startsWith('_')) continue;
        const r = value[`_rev_${key}`];
        const cur = next.get(key);
        if (typeof r === 'number' && r >= 0 && r !== (cur?.rev ?? 0)) return CODE_OUTDATED;
        if (v === null) {
          if (cur) {
            next.delete(key);
            changed = true;
          }
          continue;
        }
        if (r === -2 && !cur) return CODE_OUTDATED;
        if (cur && cur.value === v && cur.ts === ts && cur.author === author) continue;
        next.set(key, { value: v, rev, ts, author });
        changed = true;
      }
    }
    if (!changed) return CODE_OK;
    st.items = next;
    st.rev = rev;
    this.fanOut(k, group ? IS_GROUP : 0, target, st);
    return CODE_OK;
  }

  fanOut(k, groupBit, target, st) {
    const subs = [...(this.subs.get(k) ?? [])].sort((a, b) => cmp(a.context.uid, b.context.uid));
    const allStates = this.allStates(st);
    for (const s of subs) {
      const db = this.store.dbs.find((d) => d.session === s && d.active);
      if (!db || !db.online) continue;
      const flags = this.Long.fromNumber(groupBit);
      setTimeout(() => s.context.internalEmitter.emit('StateUpdate', { flags, target, allStates }), 0);
    }
  }

  /** Logout: the session's subscriptions end (the SDK forgets them too). */
  onLogout(session) {
    for (const set of this.subs.values()) set.delete(session);
  }
}
