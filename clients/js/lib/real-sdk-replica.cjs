'use strict';

// Real-SDK mode's local replica of the SDK's document store (docs/real-sdk.md D-RS3, D-RS5):
// the `dbObj` and `syncClient` surfaces the SDK's session calls (agora-rtm.js 2.3.0, class AG;
// the same surface as the oracle's test/oracle/sdk/fake-store.js ClientDb), over one session
// link (real-sdk-link.cjs): own writes apply at once and are sent as sdk.put/delete/set/unset,
// `doc` frames update the replica and reach the SDK as `document-events`.

/** The SDK's collection names: `…/ChannelPresence/<channel>/Users` (fake-store.js COLL_RE). */
const COLL_RE = /\/ChannelPresence\/(.*)\/Users$/;
const KEEPALIVE = '_keepalive_';

/** Prefixed channel name of one of the SDK's collection names. */
function channelOf(collName) {
  const m = COLL_RE.exec(collName);
  return m ? m[1] : collName;
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const sortedIds = (ids) => [...ids].sort(cmp);


/** What the SDK calls on a collection's Subscribe() result (addListener "document-events"). */
class Emitter {
  constructor() {
    this.listeners = new Map();
  }

  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, []);
    this.listeners.get(name).push(fn);
    return this;
  }

  addListener(name, fn) {
    return this.on(name, fn);
  }

  off(name, fn) {
    const list = this.listeners.get(name);
    if (list) this.listeners.set(name, list.filter((f) => f !== fn));
    return this;
  }

  removeListener(name, fn) {
    return this.off(name, fn);
  }

  removeAllListeners(name) {
    if (name === undefined) this.listeners.clear();
    else this.listeners.delete(name);
    return this;
  }

  listenerCount(name) {
    return this.listeners.get(name)?.length ?? 0;
  }

  once(name, fn) {
    const wrapped = (...args) => {
      this.off(name, wrapped);
      fn(...args);
    };
    return this.on(name, wrapped);
  }

  emit(name, ...args) {
    const list = this.listeners.get(name);
    if (!list?.length) return false;
    for (const fn of [...list]) fn(...args);
    return true;
  }
}

// ---------------------------------------------------------------- the replica (dbObj)

function applyToView(view, op) {
  switch (op.kind) {
    case 'put':
      if (!view.docs.has(op.uid)) view.docs.set(op.uid, {});
      break;
    case 'delete':
      view.docs.delete(op.uid);
      break;
    case 'set': {
      const d = view.docs.get(op.uid);
      if (d) Object.assign(d, op.fields);
      break;
    }
    case 'unset': {
      const d = view.docs.get(op.uid);
      if (d) for (const k of op.keys) delete d[k];
      break;
    }
    default:
  }
}

/** Apply one `doc` event ({document, path, type, value}) to a replica's documents. */
function applyDocEvent(docs, ev) {
  const { document: uid, path, type, value } = ev;
  if (path === '' || path === undefined || path === null) {
    if (type === 'Put' && !docs.has(uid)) docs.set(uid, {});
    else if (type === 'Delete') docs.delete(uid);
    return;
  }
  if (type === 'Put') {
    if (!docs.has(uid)) docs.set(uid, {});
    docs.get(uid)[path] = value;
  } else if (type === 'Delete') {
    const d = docs.get(uid);
    if (d) delete d[path];
  }
}

/** The batches that turn replica `had` into server documents `now` (fake-store.js ClientDb.resync). */
function diffBatches(had, now, self) {
  const batches = [];
  for (const uid of sortedIds(had.keys())) {
    if (uid !== self && !now.has(uid)) batches.push([[uid, '', 'Delete', null]]);
  }
  for (const uid of sortedIds(now.keys())) {
    if (uid === self) continue;
    const fields = now.get(uid);
    const before = had.get(uid);
    if (!before) {
      batches.push([[uid, '', 'Put', null]]);
      const keys = Object.keys(fields);
      if (keys.length) {
        batches.push(keys.map((k) => [uid, k, 'Put', fields[k]]));
        batches.push([[uid, '', 'DocSyncEnd', null]]);
      }
      continue;
    }
    const gone = Object.keys(before).filter((k) => !Object.hasOwn(fields, k));
    const changed = Object.keys(fields).filter((k) => !Object.hasOwn(before, k) || before[k] !== fields[k]);
    if (gone.length) batches.push(gone.map((k) => [uid, k, 'Delete', null]));
    if (changed.length) batches.push(changed.map((k) => [uid, k, 'Put', fields[k]]));
    if (gone.length || changed.length) batches.push([[uid, '', 'DocSyncEnd', null]]);
  }
  return batches.map((batch) => batch.map(([document, path, type, value]) => ({ document, path, type, value })));
}

function docsMap(list) {
  const docs = new Map();
  for (const [uid, fields] of list ?? []) docs.set(uid, { ...(fields ?? {}) });
  return docs;
}

/** One session's replica of the channels it opened: the `dbObj` surface the SDK calls. */
class ReplicaDb {
  constructor(link) {
    this.link = link;
    /** channel -> {docs: Map(uid -> fields), em: Emitter, subscribed} */
    this.views = new Map();
    this.opening = new Map();
  }

  get uid() {
    return this.link.uid;
  }

  write(op, method, params) {
    const view = this.views.get(op.ch);
    if (view) applyToView(view, op);
    this.link.send(method, params);
  }

  /** A `doc` frame: apply its batch and emit it when the SDK listens. */
  onDoc({ channel, events }) {
    const view = this.views.get(channel);
    if (!view || !Array.isArray(events)) return;
    for (const ev of events) applyDocEvent(view.docs, ev);
    if (view.subscribed) view.em.emit('document-events', events.map((e) => ({ document: e.document, path: e.path, type: e.type, value: e.value ?? null })));
  }

  /** The link is back: open each replica again and emit the difference (D-RS3). */
  async resync() {
    const work = [...this.views].map(async ([ch, view]) => {
      let docs;
      try {
        docs = docsMap((await this.link.request('sdk.open', { channel: ch })).docs);
      } catch {
        return;
      }
      if (this.views.get(ch) !== view) return;
      const batches = diffBatches(view.docs, docs, this.uid);
      const mine = view.docs.get(this.uid);
      view.docs = docs;
      if (mine && !docs.has(this.uid)) view.docs.set(this.uid, mine);
      if (view.subscribed) for (const batch of batches) view.em.emit('document-events', batch);
    });
    await Promise.all(work);
  }

  docView(ch, uid) {
    const view = () => this.views.get(ch);
    return {
      Get: () => {
        const d = view()?.docs.get(uid);
        return d ? { ...d } : {};
      },
      Set: (obj) => {
        const fields = { ...obj };
        this.write({ kind: 'set', ch, uid, fields }, 'sdk.set', { channel: ch, fields });
      },
      Del: (keys) => {
        const list = [...keys];
        this.write({ kind: 'unset', ch, uid, keys: list }, 'sdk.unset', { channel: ch, keys: list });
      },
    };
  }

  // ---- the dbObj surface the SDK calls (fake-store.js ClientDb)

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
      PutDoc: (u) => this.write({ kind: 'put', ch, uid: u }, 'sdk.put', { channel: ch }),
      DelDoc: (u) => this.write({ kind: 'delete', ch, uid: u }, 'sdk.delete', { channel: ch }),
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
    if (this.opening.has(ch)) {
      await this.opening.get(ch);
      return;
    }
    const opened = this.link.request('sdk.open', { channel: ch }).then(
      (result) => {
        this.opening.delete(ch);
        if (!this.views.has(ch)) this.views.set(ch, { docs: docsMap(result?.docs), em: new Emitter(), subscribed: false });
      },
      (err) => {
        this.opening.delete(ch);
        throw err;
      },
    );
    this.opening.set(ch, opened);
    await opened;
  }

  DestroyCollection(name) {
    const ch = channelOf(name);
    if (!this.views.delete(ch)) return;
    this.link.send('sdk.close', { channel: ch });
  }

  SetAutoKeepalive() {}

  CancelAutoKeepalive() {}
}

/** The `syncClient` surface the SDK calls: QueryDoc over `sdk.query` (D-RS5). */
function syncClientOf(link) {
  return {
    async QueryDoc(_db, collName, q) {
      const collection = collName === KEEPALIVE ? KEEPALIVE : channelOf(collName);
      const query = {};
      for (const k of ['start', 'startIncluded', 'limit', 'countOnly', 'keysOnly']) if (q?.[k] !== undefined) query[k] = q[k];
      const { entries = [], count = 0, more = false } = (await link.request('sdk.query', { collection, query })) ?? {};
      // entries: [[key, JSON text of the document]] (keys alone with keysOnly); for
      // _keepalive_ one entry, the query's start and a JSON object of the user's channels
      const text = (v) => (typeof v === 'string' ? v : JSON.stringify(v ?? {}));
      if (q?.keysOnly) return [entries.map((e) => (Array.isArray(e) ? e[0] : e)), count, more];
      return [new Map(entries.map(([k, v]) => [k, text(v)])), count, more];
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

module.exports = { channelOf, diffBatches, Emitter, ReplicaDb, syncClientOf };
