// The presence server behind the real SDK in the oracle harness.
//
// The real agora-rtm-sdk@2.3.0 keeps presence in a CRDT document store that a server keeps in
// sync (agora-rtm.js 2.3.0, class AG "RTMSession": dbObj / syncClient; class sk
// "ChannelPresence": document-events). This module is that server, written to the EMULATOR's
// server decisions, so that several real SDK clients sharing one store show what an app would
// see against the emulator:
//
//   - per channel (prefixed name: "room", "*s*stage") a collection of user documents, one per
//     visible present user, fields = state;
//   - each client holds a replica of the collections it created; its own writes apply to its
//     replica at once and reach the server (and the other replicas, as document-events) when
//     its network is up, else when it comes back;
//   - whoNow RPC: code-point order by user id, `limit`, exclusive `start` when
//     `startIncluded` is false, `more` = users left after the page, count = occupancy;
//   - whereNow (`_keepalive_` query): the channels where the user has a live document,
//     MESSAGE channels first, each group by name;
//   - GroupEnter -> GroupReply {code: 0}, or `groupReplyCode` when configured;
//   - a login of a user id that another session holds: the old session is dropped
//     (userDrop 11) and its documents are deleted;
//   - logout: the session's documents are deleted.
//
// Document events are delivered in a later microtask, in order.

import { EventEmitter } from 'node:events';

const COLL_RE = /\/ChannelPresence\/(.*)\/Users$/;
export const STREAM_PREFIX = '*s*';

/** Prefixed channel name of a collection name. */
export function channelOf(collName) {
  const m = COLL_RE.exec(collName);
  return m ? m[1] : collName;
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Code-point order of strings (ids are ASCII, so UTF-16 order is code-point order). */
export function sortedIds(ids) {
  return [...ids].sort(cmp);
}

function copyState(state) {
  return { ...state };
}

/**
 * The presence servers of every app id: each app has a FakeStore of its own, so a channel
 * name in one app is not the same channel in another (as on the emulator). `dbs` lists
 * every app's client dbs, `groupReplyCode` is shared.
 */
export class FakeStores {
  constructor() {
    /** appId -> FakeStore, in first-login order. */
    this.byApp = new Map();
    this.groupReplyCode = 0;
  }

  /** The store of `appId` (made on first use). */
  of(appId) {
    let store = this.byApp.get(appId);
    if (!store) {
      store = new FakeStore();
      this.byApp.set(appId, store);
    }
    return store;
  }

  /** Every client db of every app, app by app in first-login order. */
  get dbs() {
    return [...this.byApp.values()].flatMap((store) => store.dbs);
  }
}

export class FakeStore {
  constructor() {
    /** ch -> Map(uid -> {state}) : the authoritative documents. */
    this.colls = new Map();
    /** every client db that ever logged in (online or not), in login order. */
    this.dbs = [];
    this.groupReplyCode = 0;
    this.rpcLog = [];
  }

  coll(ch) {
    let c = this.colls.get(ch);
    if (!c) {
      c = new Map();
      this.colls.set(ch, c);
    }
    return c;
  }

  /** A new login: returns the client's db; drops another online session of the same uid. */
  login(session, uid) {
    for (const other of this.dbs) {
      if (other.uid === uid && other.active && other.session !== session) {
        other.active = false;
        other.online = false;
        this.dropUser(uid, other);
        const emitter = other.session.context.internalEmitter;
        setTimeout(() => emitter.emit('userDrop', 11), 0);
      }
    }
    const previous = this.dbs.find((d) => d.session === session && d.active);
    if (previous) previous.active = false;
    const db = new ClientDb(this, session, uid);
    this.dbs.push(db);
    return db;
  }

  logout(db) {
    if (!db || !db.active) return;
    db.active = false;
    this.dropUser(db.uid, db);
  }

  /** Delete every document of `uid` (the server's side of logout and kick). */
  dropUser(uid, except) {
    for (const [ch, docs] of this.colls) {
      if (docs.has(uid)) this.apply({ kind: 'delDoc', ch, uid }, except);
    }
  }

  /** Apply one write at the server and fan it out to the other online replicas. */
  apply(op, from) {
    const docs = this.coll(op.ch);
    let batches = [];
    switch (op.kind) {
      case 'putDoc':
        if (docs.has(op.uid)) return;
        docs.set(op.uid, { state: {} });
        batches = [[[op.uid, '', 'Put', null]]];
        break;
      case 'delDoc':
        if (!docs.delete(op.uid)) return;
        batches = [[[op.uid, '', 'Delete', null]]];
        break;
      case 'set': {
        const doc = docs.get(op.uid);
        const keys = Object.keys(op.fields);
        if (!doc || keys.length === 0) return;
        Object.assign(doc.state, op.fields);
        batches = [keys.map((k) => [op.uid, k, 'Put', op.fields[k]]), [[op.uid, '', 'DocSyncEnd', null]]];
        break;
      }
      case 'del': {
        const doc = docs.get(op.uid);
        if (!doc) return;
        const keys = op.keys.filter((k) => Object.hasOwn(doc.state, k));
        if (keys.length === 0) return;
        for (const k of keys) delete doc.state[k];
        batches = [keys.map((k) => [op.uid, k, 'Delete', null]), [[op.uid, '', 'DocSyncEnd', null]]];
        break;
      }
      default:
        throw new Error(`unknown op ${op.kind}`);
    }
    for (const db of this.dbs) {
      if (db === from || !db.online || !db.active) continue;
      db.deliver(op.ch, (view) => applyToView(view, op), batches);
    }
  }

  /** The server's answer to syncClient.QueryDoc. */
  query(collName, q) {
    this.rpcLog.push({ collName, q: { ...q } });
    if (collName === '_keepalive_') {
      const target = String(q.start).split('/').pop();
      const names = [];
      for (const [ch, docs] of this.colls) if (docs.has(target)) names.push(ch);
      const message = sortedIds(names.filter((n) => !n.startsWith(STREAM_PREFIX)));
      const stream = sortedIds(names.filter((n) => n.startsWith(STREAM_PREFIX)));
      const chans = {};
      for (const n of [...message, ...stream]) chans[n] = 1;
      return [new Map([[q.start, JSON.stringify(chans)]]), 1, false];
    }
    const ch = channelOf(collName);
    const docs = this.coll(ch);
    const live = sortedIds(docs.keys()).map((u) => [u, docs.get(u)]);
    if (q.countOnly) return [new Map(), live.length, false];
    let list = live;
    if (q.start) {
      const start = q.start;
      list = list.filter(([u]) => (q.startIncluded ? u >= start : u > start));
    }
    const page = q.limit ? list.slice(0, q.limit) : list;
    const more = list.length > page.length;
    if (q.keysOnly) return [page.map(([u]) => u), live.length, more];
    return [new Map(page.map(([u, d]) => [u, JSON.stringify(d.state)])), live.length, more];
  }
}

function applyToView(view, op) {
  switch (op.kind) {
    case 'putDoc':
      if (!view.docs.has(op.uid)) view.docs.set(op.uid, {});
      break;
    case 'delDoc':
      view.docs.delete(op.uid);
      break;
    case 'set': {
      const d = view.docs.get(op.uid);
      if (d) Object.assign(d, op.fields);
      break;
    }
    case 'del': {
      const d = view.docs.get(op.uid);
      if (d) for (const k of op.keys) delete d[k];
      break;
    }
    default:
  }
}

/** One logged-in session's CRDT database facade (`dbObj`) with its replicas. */
export class ClientDb {
  constructor(store, session, uid) {
    this.store = store;
    this.session = session;
    this.uid = uid;
    this.active = true;
    this.online = true;
    /** ch -> {docs: Map(uid -> fields), em: EventEmitter, subscribed: bool} */
    this.views = new Map();
    this.outbox = [];
    this.keepalive = [];
  }

  /** Queue a server change for this replica (delivered in a later task, in order). */
  deliver(ch, mutate, batches) {
    // A microtask, not a timer: deliveries keep their order (fake timers give a 0 ms timer
    // set during a tick 1 ms, one set outside a tick 0 ms, which would reorder them).
    queueMicrotask(() => {
      if (!this.online || !this.active) return;
      const view = this.views.get(ch);
      if (!view) return;
      mutate(view);
      if (!view.subscribed) return;
      for (const batch of batches) {
        const evs = batch.map(([document, path, type, value]) => ({ document, path, type, value }));
        view.em.emit('document-events', evs);
      }
    });
  }

  write(op) {
    const view = this.views.get(op.ch);
    if (view) applyToView(view, op);
    if (this.online && this.active) this.store.apply(op, this);
    else this.outbox.push(op);
  }

  /** Network loss: nothing reaches the server or this replica until reconnect(). */
  disconnect() {
    this.online = false;
  }

  /** Network back: send the queued writes, then bring every replica up to date. */
  reconnect() {
    if (!this.active) return;
    this.online = true;
    const ops = this.outbox.splice(0);
    for (const op of ops) this.store.apply(op, this);
    for (const [ch, view] of this.views) this.resync(ch, view);
  }

  /** Turn the difference between a replica and the server into document-events. */
  resync(ch, view) {
    const server = this.store.coll(ch);
    const batches = [];
    for (const uid of sortedIds(view.docs.keys())) {
      if (uid !== this.uid && !server.has(uid)) batches.push([[uid, '', 'Delete', null]]);
    }
    for (const uid of sortedIds(server.keys())) {
      if (uid === this.uid) continue;
      const now = server.get(uid).state;
      const had = view.docs.get(uid);
      if (!had) {
        batches.push([[uid, '', 'Put', null]]);
        const keys = Object.keys(now);
        if (keys.length) {
          batches.push(keys.map((k) => [uid, k, 'Put', now[k]]));
          batches.push([[uid, '', 'DocSyncEnd', null]]);
        }
        continue;
      }
      const gone = Object.keys(had).filter((k) => !Object.hasOwn(now, k));
      const changed = Object.keys(now).filter((k) => !Object.hasOwn(had, k) || had[k] !== now[k]);
      if (gone.length) batches.push(gone.map((k) => [uid, k, 'Delete', null]));
      if (changed.length) batches.push(changed.map((k) => [uid, k, 'Put', now[k]]));
      if (gone.length || changed.length) batches.push([[uid, '', 'DocSyncEnd', null]]);
    }
    this.deliver(
      ch,
      (v) => {
        const mine = v.docs.get(this.uid);
        v.docs = new Map();
        for (const [u, d] of server) v.docs.set(u, copyState(d.state));
        if (mine && !server.has(this.uid)) v.docs.set(this.uid, mine);
      },
      batches,
    );
  }

  docView(ch, uid) {
    const view = () => this.views.get(ch);
    return {
      Get: () => {
        const d = view()?.docs.get(uid);
        return d ? copyState(d) : {};
      },
      Set: (obj) => this.write({ kind: 'set', ch, uid, fields: copyState(obj) }),
      Del: (keys) => this.write({ kind: 'del', ch, uid, keys: [...keys] }),
    };
  }

  // ---- the dbObj surface the bundle calls ----

  Coll(name) {
    const ch = channelOf(name);
    const view = this.views.get(ch);
    if (!view) return null;
    return {
      Docs: () => {
        const r = new Map();
        for (const u of sortedIds(view.docs.keys())) r.set(u, this.docView(ch, u));
        return r;
      },
      Doc: (u) => (view.docs.has(u) ? this.docView(ch, u) : undefined),
      PutDoc: (u) => this.write({ kind: 'putDoc', ch, uid: u }),
      DelDoc: (u) => this.write({ kind: 'delDoc', ch, uid: u }),
      Subscribe: () => {
        view.subscribed = true;
        return view.em;
      },
      UnSubscribe: () => {
        view.subscribed = false;
      },
    };
  }

  async CreateCollection(name) {
    const ch = channelOf(name);
    if (this.views.has(ch)) return;
    const docs = new Map();
    for (const [u, d] of this.store.coll(ch)) docs.set(u, copyState(d.state));
    this.views.set(ch, { docs, em: new EventEmitter(), subscribed: false });
  }

  DestroyCollection(name) {
    this.views.delete(channelOf(name));
  }

  SetAutoKeepalive(name, uid, timeout) {
    this.keepalive.push({ ch: channelOf(name), uid, timeout });
  }

  CancelAutoKeepalive() {}
}

/** The `syncClient` surface the bundle calls. */
export function fakeSyncClient(store) {
  return {
    async QueryDoc(_db, collName, q) {
      return store.query(collName, q);
    },
    Tick() {},
    Shakehand() {},
    Synced() {
      return true;
    },
    GetConnectionState() {
      return true;
    },
    SetTicket() {},
    Logout() {},
    async DisConnectDatabase() {},
  };
}
