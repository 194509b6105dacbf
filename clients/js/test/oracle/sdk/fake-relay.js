// The message server behind the real SDK in the oracle harness (issue 16): MESSAGE-channel and
// USER messages, the withMessage groups, history. Beside fake-store.js (presence); written to
// the EMULATOR's server decisions (/work/notes/M-design.md), so that the real SDK's clients show
// what an app would see against the emulator. Every choice here is a [server] decision, not the
// SDK's:
//
//   - groups: `GroupEnter {account}` (subscribe withMessage) puts the session in the channel's
//     group once the reply is 0; `GroupLeave2` takes it out; logout and a new login clear the
//     session's groups (the SDK enters its channels again);
//   - R-M9 fan-out: a MESSAGE-channel message goes to every session of the channel's group in
//     the publisher's app, the publisher included; no group is needed to publish. A USER
//     message goes to the logged-in session of the target user id in the app (to yourself when
//     the target is you);
//   - R-M4: a USER target with no logged-in session in the app: ack code 8 (-11033), nothing
//     delivered or stored. Everything else is acked with 0;
//   - R-M23: a USER message is delivered with `dst` = the publisher's user id, so the
//     receiver's event has channelName = publisher;
//   - R-E7: recipients in user-id order; each receiver gets a publisher's messages in order;
//     the relay renumbers `sequence` per receiver and sender dialogue (1, 2, 3, ...), so the
//     SDK's reorder hold (R-M8: 750 ms for a first sequence > 1) never fires, as with the
//     emulator, whose sequences are contiguous;
//   - R-M22: a receiver whose link is down (session held) gets its messages when the link is
//     back, in order, at most 100 (oldest dropped first); a logout loses them. A MESSAGE-channel
//     message counts for a down receiver if it was in the group at publish time;
//   - R-M24 / R-M10 / R-M11 history: kept only for `storeInHistory` publishes (kHistory bit),
//     stamped with the CASE's clock (the emulator's: start time + the case's advances, not the
//     SDK's drifting virtual clock); MESSAGE per (app, channel); USER per (app, conversation):
//     getMessages(own uid, "USER") lists the stored USER messages the caller published or
//     received. Newest first (ties: later publish first). `start` > 0 is an EXCLUSIVE newer
//     bound (ts < start), `end` > 0 an INCLUSIVE older bound (ts >= end); 0 or less is no bound.
//     `count`: a positive integer up to 100, anything else 100 (HISTORY_COUNT_LIMIT). `more`
//     when entries remain after the page; `oldestTime` = the oldest returned entry's time
//     (the SDK's newStart = more ? oldestTime : 0). No retention limit.

export const MESSAGE_REPLAY_LIMIT = 100;
export const HISTORY_COUNT_LIMIT = 100;

const ACK_OK = 0;
const ACK_PEER_OFFLINE = 8;
const K_HISTORY_BIT = 30;

/** MessageType of a packet's options (the low 8 bits): 0 PeerText, 1 ChannelText, 3 PeerRaw, 4 ChannelRaw. */
function messageType(packet) {
  return Number(packet.options.low & 0xff);
}

function isPeer(packet) {
  const t = messageType(packet);
  return t === 0 || t === 3;
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

export class FakeRelay {
  /**
   * @param store the case's FakeStores (who is logged in: every app's ClientDbs)
   * @param now () => the case's clock in ms (the emulator's)
   */
  constructor(store, now) {
    this.store = store;
    this.now = now;
    /** channel -> Set(session), per app: key `${appId}\0${channel}`. */
    this.groups = new Map();
    /** stored messages, publish order: {seq, ts, appId, peer, src, dst, packet}. */
    this.history = [];
    this.seq = 0;
    /** ClientDb -> [packet] held while its link is down. */
    this.held = new Map();
    /** receiver context -> Map(`${instance}-${dialogue}` -> last sequence given). */
    this.counters = new Map();
    this.Long = null;
  }

  // ---- who is where

  dbOf(session) {
    return this.store.dbs.find((d) => d.session === session && d.active) ?? null;
  }

  groupKey(appId, channel) {
    return `${appId}\u0000${channel}`;
  }

  /** A new login of `session`: its old groups are gone (the SDK enters its channels again). */
  onLogin(session) {
    for (const g of this.groups.values()) g.delete(session);
  }

  /** Logout: groups and held messages dropped. */
  onLogout(session, db) {
    for (const g of this.groups.values()) g.delete(session);
    if (db) this.held.delete(db);
  }

  /** The receiver's SDK message manager was released (logout, FAILED): sequences start again. */
  forgetReceiver(context) {
    this.counters.delete(context);
  }

  // ---- the seam: AG.prototype.sendOperationPacket

  /** Handle one packet the SDK sends; true when it was a messaging packet. */
  handle(session, name, payload, groupReplyCode) {
    if (!this.Long && payload?.sequence?.constructor?.fromNumber) this.Long = payload.sequence.constructor;
    if (!this.Long && payload?.flags?.constructor?.fromNumber) this.Long = payload.flags.constructor;
    const appId = session.context.appId;
    switch (name) {
      case 'GroupEnter': {
        if (groupReplyCode !== 0) return false;
        const key = this.groupKey(appId, payload.account);
        if (!this.groups.has(key)) this.groups.set(key, new Set());
        this.groups.get(key).add(session);
        return false; // the harness replies GroupReply
      }
      case 'GroupLeave2':
        this.groups.get(this.groupKey(appId, payload.account))?.delete(session);
        return true;
      case 'Message':
        this.route(session, payload);
        return true;
      case 'StateHistoryGet2':
        this.historyReply(session, payload);
        return true;
      case 'Ack':
        return true; // a receiver's ack of a USER message: the server needs nothing from it
      default:
        return false;
    }
  }

  route(session, p) {
    const appId = session.context.appId;
    const peer = isPeer(p);
    let receivers;
    if (peer) {
      receivers = this.store.dbs.filter((d) => d.active && d.uid === p.dst && d.session.context.appId === appId);
      if (receivers.length === 0) {
        this.ack(session, p, ACK_PEER_OFFLINE);
        return;
      }
    } else {
      const group = this.groups.get(this.groupKey(appId, p.dst)) ?? new Set();
      receivers = [...group].map((s) => this.dbOf(s)).filter(Boolean);
    }
    receivers.sort((a, b) => cmp(a.uid, b.uid));
    if ((p.options.low >>> K_HISTORY_BIT) & 1) {
      this.seq += 1;
      this.history.push({ seq: this.seq, ts: this.now(), appId, peer, src: p.src, dst: p.dst, packet: p });
    }
    const delivered = peer ? { ...p, dst: p.src } : p;
    for (const db of receivers) this.deliver(db, delivered);
    this.ack(session, p, ACK_OK);
  }

  ack(session, p, code) {
    setTimeout(() => session.__pkt('Ack').next({ dialogue: p.dialogue, sequence: p.sequence, instance: p.instance, code }), 0);
  }

  deliver(db, packet) {
    if (!db.online) {
      const q = this.held.get(db) ?? [];
      q.push(packet);
      while (q.length > MESSAGE_REPLAY_LIMIT) q.shift();
      this.held.set(db, q);
      return;
    }
    // A microtask keeps the order of deliveries (see ClientDb.deliver in fake-store.js).
    queueMicrotask(() => {
      if (!db.active || !db.online) return;
      const context = db.session.context;
      let counters = this.counters.get(context);
      if (!counters) {
        counters = new Map();
        this.counters.set(context, counters);
      }
      const key = `${packet.instance}-${packet.dialogue}`;
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      const copy = { ...packet, sequence: this.Long.fromNumber(n, true), eventReportInfo: { env: 0 } };
      context.internalEmitter.emit('Message', copy);
    });
  }

  /** The link of `db` is back: what was held for it, in order. */
  flush(db) {
    const q = this.held.get(db);
    if (!q) return;
    this.held.delete(db);
    for (const packet of q) this.deliver(db, packet);
  }

  historyReply(session, req) {
    const appId = session.context.appId;
    const uid = session.context.uid;
    const Long = req.startTime.constructor;
    const forMessage = Number(req.flags.low) === 1;
    const start = req.startTime.toNumber();
    const end = req.endTime.toNumber();
    const count = Number.isInteger(req.count) && req.count > 0 ? Math.min(req.count, HISTORY_COUNT_LIMIT) : HISTORY_COUNT_LIMIT;
    const list = this.history
      .filter((e) => e.appId === appId && e.peer === !forMessage)
      .filter((e) => (forMessage ? e.dst === req.dst : e.src === uid || e.dst === uid))
      .filter((e) => (start > 0 ? e.ts < start : true) && (end > 0 ? e.ts >= end : true))
      .sort((a, b) => b.ts - a.ts || b.seq - a.seq);
    const page = list.slice(0, count);
    const more = list.length > page.length;
    const oldest = page.length ? page[page.length - 1].ts : 0;
    const messages = page.map((e) => ({
      options: e.packet.options,
      payload: e.packet.payload,
      src: e.packet.src,
      ms: Long.fromNumber(e.ts),
      details: e.packet.MiscMap?.customType ? { customType: e.packet.MiscMap.customType } : {},
    }));
    setTimeout(() => session.__pkt('StateHistoryGetResult2').next({ uuid: req.uuid, code: 0, messages, oldestTime: Long.fromNumber(oldest), more }), 0);
  }
}
