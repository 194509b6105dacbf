'use strict';

// Real-SDK mode's connection of one SDK session to the server (docs/real-sdk.md): `hello`
// with `sdk`, `sdk.login`, the session's requests in order (queued while its link is down),
// and the server's event frames: `doc` to the replica, `packet` to the SDK, `linkState` to
// the SDK's own transport signals (D-RS7).

const { decodePacket } = require('./real-sdk-codec.cjs');
const { Emitter, ReplicaDb } = require('./real-sdk-replica.cjs');
const { Transport } = require('./transport.cjs');

/** Pushed packets the SDK's login sockets emit on its internal emitter (docs/real-sdk.md, "Events"). */
const EMITTED = new Set(['StateLockSubscribeEvent', 'StateLockUpdate', 'StateUpdate']);

/** The requests whose answers the SDK reads from its store (packet frames wait for them). */
const STORE_READS = new Set(['sdk.open', 'sdk.query']);

/** A later task: setImmediate where there is one (Node), else a zero timer. */
const macrotask = typeof globalThis.setImmediate === 'function' ? (f) => globalThis.setImmediate(f) : (f) => setTimeout(f, 0);

/** Every open session link, for inFlight() and closeAll(). */
const links = new Set();

/** The session's Subject of packet `name` (onOperationPacket), made on first use. */
function subjectOf(session, Subject, name) {
  const packets = (session.__rtmEmulatorPackets ??= new Map());
  if (!packets.has(name)) packets.set(name, new Subject());
  return packets.get(name);
}

/** rtmConfig keys sent in `hello` (JSON scalars only; the server ignores keys it does not use, R-C3). */
function helloConfig(rtmConfig) {
  const out = {};
  for (const [k, v] of Object.entries(rtmConfig ?? {})) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  }
  return out;
}

/** One SDK session's connection to the server. */
class SessionLink {
  constructor(setup, session) {
    this.setup = setup;
    this.session = session;
    this.uid = session.context.uid;
    this.transport = null;
    /** 'login' (the SDK's own login: link frames ignored), 'up', 'down', 'ended'. */
    this.phase = 'login';
    this.outbox = [];
    this.pending = new Set();
    this.db = new ReplicaDb(this);
    /** store reads unanswered, and the packet frames held behind them (holdPacket) */
    /** the access point's ticket (sdk.login, sdk.renew), and the login socket (loginSocket) */
    this.ticket = undefined;
    this.socket = undefined;
    this.storeBusy = 0;
    /** login-socket packets of the login itself (a notice at once, R-TK24), for loggedIn() */
    this.socketHeld = [];
    this.held = [];
    this.releasing = null;
    this.releaseScheduled = false;
    /** the stream channels' RTC clients on this session, by channel (real-sdk-rtc.cjs) */
    this.rtcClients = new Map();
    links.add(this);
  }

  get emitter() {
    return this.session.context.internalEmitter;
  }

  get Long() {
    return this.setup.Long ?? null;
  }

  subject(name) {
    return subjectOf(this.session, this.setup.Subject, name);
  }

  /** Count `promise` in inFlight() (not a login: it may wait for the network, R-L3). */
  track(promise) {
    const done = promise.then(
      () => this.pending.delete(done),
      () => this.pending.delete(done),
    );
    this.pending.add(done);
    return promise;
  }

  request(method, params) {
    if (!this.transport) return Promise.reject(new Error(`rtm-emulator real-SDK mode: ${method} before the session connected`));
    const reply = this.transport.request(method, params, method);
    if (STORE_READS.has(method)) {
      this.storeBusy += 1;
      const done = () => {
        this.storeBusy -= 1;
        this.releaseHeld();
      };
      reply.then(done, done);
    }
    return method === 'sdk.login' ? reply : this.track(reply);
  }

  /**
   * A packet frame waits while a store read (sdk.open, sdk.query) is unanswered, and then one
   * macrotask more, so that the SDK's work on the store's answers, which may read the store
   * again, comes first. Store and packets are two paths to the SDK; this keeps their order
   * deterministic, the one of the oracle's in-process fakes (store answers in microtasks,
   * packets in a later task).
   */
  holdPacket(data) {
    this.held.push(data);
    if (!this.releasing) {
      this.releasing = this.track(
        new Promise((resolve) => {
          this.resolveReleasing = resolve;
        }),
      );
    }
    this.releaseHeld();
  }

  releaseHeld() {
    if (!this.held.length || this.releaseScheduled) return;
    this.releaseScheduled = true;
    macrotask(() => {
      this.releaseScheduled = false;
      while (this.held.length && this.storeBusy === 0) this.deliverPacket(this.held.shift());
      if (this.held.length) return; // a store read again: its answer releases the rest
      this.releasing = null;
      this.resolveReleasing?.();
    });
  }

  /** A write or packet: sent at once, or queued in order while the link is down. */
  send(method, params) {
    if (this.phase === 'ended') return;
    if (this.phase === 'down' || !this.transport) {
      this.outbox.push([method, params]);
      return;
    }
    this.request(method, params).catch((err) => this.refused(method, params, err));
  }

  /** A write or packet the server refused: the SDK expects no answer to it, so say so. */
  refused(method, params, err) {
    if (this.phase === 'ended') return;
    const what = method === 'sdk.packet' ? `${method} ${params?.name}` : method;
    globalThis.console?.warn?.(`rtm-emulator real-SDK mode: the server refused ${what}: ${err?.message ?? err}`);
  }

  flush() {
    const queued = this.outbox.splice(0);
    for (const [method, params] of queued) this.request(method, params).catch((err) => this.refused(method, params, err));
  }

  async connect() {
    const ctx = this.session.context;
    const opening = Transport.open(this.setup.url, { onEvent: (name, data) => this.onEvent(name, data), onClose: () => this.onClose() }, 'login');
    this.transport = await this.track(opening);
    await this.request('hello', {
      appId: ctx.appId,
      userId: ctx.uid,
      config: helloConfig(ctx.rtmConfig),
      sdk: this.setup.version,
      ack: true,
    });
    const token = ctx.token;
    const answer = await this.request('sdk.login', token ? { token } : {});
    this.ticket = answer?.ticket;
  }

  onEvent(name, data) {
    try {
      if (name === 'doc') this.db.onDoc(data);
      else if (name === 'packet') this.onPacket(data);
      else if (name === 'linkState') this.onLinkState(data);
      else if (name === 'rtc') this.onPacket({ rtc: data });
    } catch (err) {
      globalThis.console?.warn?.('rtm-emulator real-SDK mode:', err);
    }
  }

  onPacket(data) {
    if (this.storeBusy > 0 || this.held.length) this.holdPacket(data);
    else this.deliverPacket(data);
  }

  /** A packet frame by its `route` (docs/real-sdk.md "Events"; without one, by name). */
  deliverPacket({ name, payload, route, rtc, run }) {
    // an `rtc` frame (a stream channel's RTC events, real-sdk-rtc.cjs) goes to its RTC
    // client, and an RTC client's own later event (`run`) runs, in the packets' order
    if (rtc) return void this.rtcClients.get(rtc.channel)?.onFrame(rtc);
    if (run) return void run();
    // every packet as the SDK's sockets hand it over: with the socket it came on (env 0)
    const value = { ...decodePacket(payload, this.Long), eventReportInfo: { env: 0 } };
    const way = route ?? (name === 'Message' || EMITTED.has(name) ? 'emitter' : 'reply');
    if (way === 'emitter') this.emitter.emit(name, value);
    else if (way === 'socket' && this.phase === 'login') this.socketHeld.push([name, value]);
    else if (way === 'socket') this.toLoginSocket(name, value);
    else this.subject(name).next(value);
  }

  /** A packet the server sent on the SDK's login socket, to that socket's receivers. */
  toLoginSocket(name, value) {
    this.loginSocket()?.fromReceived(name).next(value);
  }

  /**
   * The login socket the SDK's own receivers read (agora-rtm.js 2.3.0: the connection
   * controller's `initLoginReceiver()` subscribes `fromReceived(name)` of each login socket:
   * UserTicketNearlyExpire2, UserDrop; renewToken reads its `env`), made at login; the
   * oracle's token harness (test/oracle/sdk/harness.js installSocket) makes the same one.
   */
  loginSocket() {
    if (this.socket !== undefined) return this.socket;
    this.socket = null;
    const cc = this.session.connectionController;
    const { ReplaySubject, Subject } = this.setup;
    if (!cc || typeof cc.initLoginReceiver !== 'function' || !ReplaySubject) return null;
    const s = new Emitter();
    const subjects = new Map();
    Object.assign(s, { env: 0, name: 'rtm-emulator-0', address: this.setup.url, ticket: this.ticket ?? '', loggedIn: true, receivedSyncPacket: new Subject() });
    s.fromReceived = (name) => {
      if (!subjects.has(name)) subjects.set(name, new Subject());
      return subjects.get(name);
    };
    if (this.attachSocket(s)) this.socket = s;
    return this.socket;
  }

  /**
   * `s` becomes the connection controller's only login socket, under the SDK's receivers. At
   * login, and again at a reconnect (the real socket logs in again: the receivers, and so the
   * SDK's 30 s notice throttle, start again, R-TK10; harness.js FakeLink.attempt does the same).
   */
  attachSocket(s) {
    const cc = this.session.connectionController;
    const last = new this.setup.ReplaySubject(1);
    last.next(s);
    try {
      cc.lastLoginSockets = [last];
      cc.curLoginSockets = [s, undefined];
      cc.initLoginReceiver();
      return true;
    } catch (err) {
      globalThis.console?.warn?.('rtm-emulator real-SDK mode: cannot attach the login socket receivers:', err);
      return false;
    }
  }

  /**
   * The SDK's login succeeded: its login socket is made, and the socket packets that came with
   * the login (the notice of a token with <= 30 s left, R-TK24) reach it in a later task,
   * after the SDK's CONNECTED, as a server's packet after the login's answer would.
   */
  loggedIn() {
    if (this.phase === 'login') this.phase = 'up';
    this.loginSocket();
    const held = this.socketHeld.splice(0);
    if (held.length) setTimeout(() => held.forEach(([name, value]) => this.toLoginSocket(name, value)), 0);
  }

  /** D-RS7: the engine's link states become the SDK's transport signals (harness.js FakeLink). */
  onLinkState(ev) {
    if (this.phase === 'login' || this.phase === 'ended') return;
    if (ev?.serviceType && ev.serviceType !== 'MESSAGE') return;
    const emitter = this.emitter;
    const cc = this.session.connectionController;
    const { currentState: state, previousState: prev, reasonCode: reason } = ev ?? {};
    if (state === 'DISCONNECTED' && reason === 'KEEP_ALIVE_TIMEOUT') {
      this.phase = 'down';
      if (cc) cc.syncEstablishState = 'DISCONNECTED';
      emitter.emit('connectionLost');
    } else if (state === 'CONNECTING' && (prev === 'DISCONNECTED' || prev === 'SUSPENDED')) {
      emitter.emit('login-request');
    } else if ((state === 'DISCONNECTED' || state === 'SUSPENDED') && reason === 'RECONNECT_TIMEOUT') {
      emitter.emit('login-timeout', true);
    } else if (state === 'CONNECTED' && prev === 'CONNECTING') {
      this.reconnected();
    } else if (state === 'FAILED' && reason === 'SAME_UID_LOGIN') {
      this.phase = 'ended';
      emitter.emit('userDrop', 11);
    } else if (state === 'FAILED' && reason === 'TOKEN_EXPIRED') {
      this.tokenLapsed(prev);
    }
  }

  /**
   * D-RS11: the token lapsed. Logged in, the server drops the session: `UserDrop {code: 2}`
   * (kTimestampExpired) on the login socket, which the SDK's own receiver turns into FAILED.
   * While the link was down, the reconnect attempt's user response is refused with code 2:
   * the SDK's `tokenExpired`, then its connection controller's failure (the oracle harness,
   * test/oracle/sdk/harness.js FakeLink.attempt, feeds the SDK the same).
   */
  tokenLapsed(prev) {
    this.phase = 'ended';
    const cc = this.session.connectionController;
    if (prev === 'CONNECTED') {
      const socket = this.loginSocket();
      if (socket) {
        socket.fromReceived('UserDrop').next({ code: 2, eventReportInfo: { env: 0 } });
        return;
      }
    } else {
      this.emitter.emit('tokenExpired');
    }
    cc?.handleFailed?.('user resp error', 2);
  }

  reconnected() {
    const session = this.session;
    const emitter = this.emitter;
    this.phase = 'up';
    if (this.socket) this.attachSocket(this.socket);
    if (session.connectionController) session.connectionController.syncEstablishState = 'CONNECTED';
    emitter.emit('userJoined');
    // 2.2.3's connection controller emits "userJoined" on itself (the session forwards it);
    // 2.2.4 and 2.3.0 on the internal emitter (lib/real-sdk-versions.cjs, SDK_VERSION_NOTES)
    const cc = session.connectionController;
    if (cc?.listenerCount?.('userJoined')) cc.emit('userJoined', 0);
    // The real transport re-logs its socket in: `link-success` (the SDK then enters its
    // MESSAGE channels again), the database reconnects: every channel's CRDT state cached,
    // the replicas brought up to date, then `connectedDatabase`.
    emitter.emit('link-success', 0);
    session.cacheCrdtState?.();
    this.flush();
    this.track(this.db.resync()).then(() => {
      setTimeout(() => emitter.emit('connectedDatabase'), 0);
    });
  }

  onClose() {
    if (this.phase !== 'ended') this.phase = 'ended';
    links.delete(this);
  }

  async logout() {
    const was = this.phase;
    this.phase = 'ended';
    this.outbox = [];
    if (this.transport?.open && was !== 'ended') {
      try {
        await this.track(this.transport.request('sdk.logout', {}, 'logout'));
      } catch {
        // the server ended the session already (a kick)
      }
    }
    await this.close();
  }

  async close() {
    this.phase = 'ended';
    links.delete(this);
    await this.transport?.close();
  }
}

module.exports = { links, SessionLink, subjectOf };
