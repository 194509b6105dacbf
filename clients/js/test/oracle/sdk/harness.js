// Drives the REAL agora-rtm-sdk@2.3.0 in Node with only its transport stubbed (the "H2"
// method): the real RTMImpl.login and its internal-emitter listeners, RTMSession, the
// presence query coordinator, ChannelPresence, PresenceImpl and StreamChannel all run; the
// session class's transport methods (agora-rtm.js 2.3.0, class AG: loginHandler,
// sendOperationPacket, sendOperationPacketUseOneEnv, onOperationPacket, logoutRegistrar) are
// replaced by a fake transport talking to fake-store.js (presence) and fake-relay.js
// (messages, history). Stream-channel topics run over the fake RTC of rtc-stub.cjs. Time is
// virtual (@sinonjs/fake-timers, installed before the bundle loads).
//
// Tokens (fake-token.js): the fake loginHandler asks the fake access point first and refuses
// with the SDK's own `apClient.handleUniLbsError(code, addr)` observable (agora-rtm.js 2.3.0
// @469682, what its real AP client returns); renewToken's AP request is AG#genApEdgeInfo$
// (@1179998), answered with the same refusals or an edge `{ip, ticket}`; its
// UserRenewToken2Req goes out through sendOperationPacket like every packet. In a token case
// the connection controller's login sockets are one fake socket (`fromReceived(name)`
// subjects, an EventEmitter for "reconnect") under the SDK's own `initLoginReceiver()`
// (@515541), so the server's UserTicketNearlyExpire2 and UserDrop reach the SDK's real 30 s
// throttle and drop handling.

import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { FakeLocks } from './fake-lock.js';
import { FakeRelay } from './fake-relay.js';
import { FakeStorage } from './fake-storage.js';
import { FakeTokens } from './fake-token.js';
import { FakeStores, fakeSyncClient } from './fake-store.js';

const require = createRequire(import.meta.url);
const { loadSdk } = require('./load-sdk.cjs');
const FakeRTC = require('./rtc-stub.cjs');

/** The emulator's default start time (EmulatorConfig.start_time_ms), so timestamps line up. */
export const START_MS = 1_735_689_600_000;
const PROBE_APP = '0123456789abcdef0123456789abcdef';
const FAKE_AP = 'fake-ap.oracle:443';
const FAKE_EDGE = '10.0.0.1';

// The SDK's retry schedule after a link loss (agora-rtm.js 2.3.0, module constant `nt` and
// class pS "ConnControl" getFallBackTimer: 2, 4, 8, 16, 32, 32 s, then 30 s; each attempt has
// a 5 s deadline, loginHandler's gD(5e3)). The real connection controller is replaced with
// the rest of the transport, so the fake transport replays this schedule.
const RETRY_WAITS_S = [2, 4, 8, 16, 32, 32];
const RETRY_LATER_S = 30;
const ATTEMPT_S = 5;

let loaded = null;

/** Load the bundle once per process and stub its transport. */
export async function loadHarness() {
  if (loaded) return loaded;
  const { AgoraRTM, clock } = loadSdk({ now: START_MS });
  process.on('warning', () => {});
  // A throw-away instance's first login attempt constructs the session class (AG).
  const probe = new AgoraRTM.RTM(PROBE_APP, 'oracle-harness-probe', { logLevel: 'none', logUpload: false });
  const attempt = probe.login().catch((e) => e);
  const AG = probe._rtmImpl._rtmSession.constructor;
  const Subject = probe._rtmImpl._notifyChannelReSub.constructor; // the SDK's own rxjs Subject
  // class Ek "MsgManager" (2.2.4 and 2.3.0); 2.2.3 has none (its RTMImpl keeps `_chatManager`,
  // `_dialogueSequenceLru` instead): lib/real-sdk-versions.cjs
  const MsgManager = probe._rtmImpl._msgManager?.constructor ?? null;
  // the SDK's rxjs ReplaySubject (the connection's `lastOpenSockets: [new _A(1), new _A(1)]`)
  const ReplaySubject = probe._rtmImpl._rtmSession.connectionController.connection.lastOpenSockets[0].constructor;
  probe._rtmImpl._rtmSession.cancelLogin();
  await clock.tickAsync(0);
  await attempt;
  const out = probe.logout().catch((e) => e);
  await clock.tickAsync(0);
  await out;

  const harness = { AgoraRTM, clock, AG, Subject, ReplaySubject, store: new FakeStores(), links: new Map(), fakeSockets: false };
  /** The case's clock in ms (the emulator's: START_MS + the case's advances); set per case. */
  harness.caseNow = () => START_MS;
  harness.relay = new FakeRelay(harness.store, () => harness.caseNow());
  harness.resetFamilies = () => {
    harness.locks = new FakeLocks(harness.store);
    harness.storage = new FakeStorage(harness.store, () => harness.caseNow(), harness.locks);
    harness.tokens = new FakeTokens(harness.relay, () => harness.caseNow());
    harness.tokens.endSession = (session) => {
      const db = session.dbObj;
      harness.relay.onLogout(session, db);
      harness.locks.onLogout(session);
      harness.storage.onLogout(session);
      db?.store.logout(db);
    };
  };
  harness.resetFamilies();

  // The receiver side of R-M8: the SDK forgets its per-dialogue sequences when its message
  // manager is released (logout, FAILED); the relay's renumbering starts again with it.
  if (MsgManager) {
    const release = MsgManager.prototype.release;
    MsgManager.prototype.release = function releaseAndForget() {
      harness.relay.forgetReceiver(this._context);
      return release.call(this);
    };
  }

  AG.prototype.loginHandler = function loginHandler() {
    const session = this;
    const answer = harness.tokens.ap(session);
    if (answer.code) return session.connectionController.connection.apClient.handleUniLbsError(answer.code, FAKE_AP);
    const store = harness.store.of(session.context.appId);
    session.connectionController.syncEstablishState = 'CONNECTED';
    session.dbObj = store.login(session, session.context.uid);
    harness.relay.onLogin(session);
    session.syncClient = fakeSyncClient(store);
    session.__packets = session.__packets ?? new Map();
    session.__sent = session.__sent ?? [];
    const socket = harness.fakeSockets ? installSocket(harness, session, answer.ticket) : null;
    harness.tokens.onLogin(session, answer, socket);
    setTimeout(() => session.context.internalEmitter.emit('connectedDatabase'), 0);
    return { toPromise: () => Promise.resolve({ env: 0, name: 'fake' }) };
  };
  AG.prototype.__pkt = function pkt(name) {
    if (!this.__packets) this.__packets = new Map();
    if (!this.__packets.has(name)) this.__packets.set(name, new Subject());
    return this.__packets.get(name);
  };
  AG.prototype.sendOperationPacket = function send(_op, name, payload) {
    (this.__sent ??= []).push([name, payload]);
    if (harness.tokens.handle(this, name, payload)) return;
    if (harness.locks.handle(this, name, payload)) return;
    if (harness.storage.handle(this, name, payload)) return;
    if (harness.relay.handle(this, name, payload, harness.store.groupReplyCode)) return;
    if (name === 'GroupEnter') {
      const code = harness.store.groupReplyCode;
      setTimeout(() => this.__pkt('GroupReply').next({ seq: payload.seq, code }), 0);
    }
  };
  AG.prototype.sendOperationPacketUseOneEnv = function sendOne(op, _env, name, payload) {
    this.sendOperationPacket(op, name, payload);
  };
  AG.prototype.onOperationPacket = function on(name) {
    return this.__pkt(name);
  };
  AG.prototype.genApEdgeInfo$ = function genApEdgeInfo() {
    const answer = harness.tokens.ap(this);
    if (answer.code) return this.connectionController.connection.apClient.handleUniLbsError(answer.code, FAKE_AP);
    const edge = new harness.ReplaySubject(1);
    edge.next({ ip: FAKE_EDGE, ticket: answer.ticket });
    return edge;
  };
  AG.prototype.logoutRegistrar = async function logoutRegistrar() {
    harness.tokens.onLogout(this);
    harness.relay.onLogout(this, this.dbObj);
    harness.locks.onLogout(this);
    harness.storage.onLogout(this);
    this.dbObj?.store.logout(this.dbObj);
  };
  loaded = harness;
  return harness;
}

/**
 * A token case's login socket (see the header): what `initLoginReceiver` reads of a socket
 * (`fromReceived(name)`, `receivedSyncPacket`, the "reconnect" event, `ticket`, `env`, `name`,
 * `address`), made the connection controller's only login socket.
 */
function installSocket(harness, session, ticket, socket = null) {
  let s = socket;
  if (!s) {
    s = new EventEmitter();
    const subjects = new Map();
    Object.assign(s, { env: 0, name: 'fake-0', address: FAKE_EDGE, ticket, loggedIn: true, receivedSyncPacket: new harness.Subject() });
    s.__recv = (name) => {
      if (!subjects.has(name)) subjects.set(name, new harness.Subject());
      return subjects.get(name);
    };
    s.fromReceived = s.__recv;
  }
  const cc = session.connectionController;
  const last = new harness.ReplaySubject(1);
  last.next(s);
  cc.lastLoginSockets = [last];
  cc.curLoginSockets = [s, undefined];
  cc.initLoginReceiver();
  return s;
}

/**
 * The fake transport's link of one client: network down/up and the SDK's retry schedule,
 * signalled on the client's internal emitter (`connectionLost`, `login-request`,
 * `login-timeout`, `userJoined`) as the real connection controller would.
 */
export class FakeLink {
  constructor(rtm) {
    this.rtm = rtm;
    this.up = true;
    this.timer = null;
    this.retrying = false;
  }

  get impl() {
    return this.rtm._rtmImpl;
  }

  get session() {
    return this.impl._rtmSession;
  }

  /** R-M12: the client's RTC links (its stream channels) follow its network. */
  rtc(dir) {
    const ctx = this.impl._context;
    if (dir === 'down') FakeRTC.netDown(ctx.appId, ctx.uid);
    else FakeRTC.netUp(ctx.appId, ctx.uid);
  }

  down() {
    if (!this.up) return;
    this.up = false;
    const db = this.session?.dbObj;
    db?.disconnect();
    if (db) loaded?.locks.onLinkDown(this.session, this.impl._context.rtmConfig?.heartbeatInterval ?? 5);
    if (this.session) loaded?.tokens.onLinkDown(this.session);
    this.rtc('down');
    if (this.impl._linkState !== 'CONNECTED' || this.retrying) return;
    const cc = this.session.connectionController;
    cc.syncEstablishState = 'DISCONNECTED';
    this.impl._context.internalEmitter.emit('connectionLost');
    this.retrying = true;
    this.waits = [...RETRY_WAITS_S];
    this.scheduleRetry();
  }

  upAgain() {
    this.up = true;
    // No reconnect attempt will come (the RTM link was not CONNECTED when it went down): the
    // RTC links come back at once; else with the RTM link (attempt).
    if (!this.retrying) {
      this.rtc('up');
      if (this.session) loaded?.tokens.onLinkUp(this.session);
    }
  }

  scheduleRetry() {
    const wait = this.waits.length ? this.waits.shift() : RETRY_LATER_S;
    this.timer = setTimeout(() => this.attempt(), wait * 1000);
  }

  attempt() {
    if (!this.retrying || this.impl._linkState === 'IDLE') return;
    const emitter = this.impl._context.internalEmitter;
    emitter.emit('login-request');
    if (this.up) {
      this.retrying = false;
      const session = this.session;
      const tokenSocket = loaded?.tokens.held.get(session)?.socket;
      if (tokenSocket) installSocket(loaded, session, null, tokenSocket); // a new throttle (R-TK10)
      if (loaded && !loaded.tokens.onLinkUp(session)) {
        // R-TK25 / R-TK8: the token lapsed while down: the rejoin's userResp is code 2
        // (kTimestampExpired): the SDK's `tokenExpired`, then the controller's handleFailed.
        emitter.emit('tokenExpired');
        session.connectionController.handleFailed('user resp error', 2);
        return;
      }
      session.dbObj?.reconnect();
      session.connectionController.syncEstablishState = 'CONNECTED';
      emitter.emit('userJoined');
      // 2.2.3's connection controller emits "userJoined" on itself (RTMSession forwards it to
      // RTMImpl); 2.2.4 and 2.3.0 emit it on the internal emitter (lib/real-sdk-versions.cjs).
      const cc = session.connectionController;
      if (cc.listenerCount?.('userJoined')) cc.emit('userJoined', 0);
      // The real transport re-logs its socket in: `link-success` (the SDK then re-enters its
      // MESSAGE channels with GroupEnter), then the presence database reconnects.
      emitter.emit('link-success', 0);
      // The relay's messages held while the link was down (R-M22), in order.
      if (session.dbObj) loaded?.relay.flush(session.dbObj);
      this.rtc('up');
      // RTMSession._initSync on a reconnect ("not firstInit"): connect the database, cache
      // every channel's CRDT state, then `connectedDatabase`.
      session.cacheCrdtState?.();
      setTimeout(() => {
        emitter.emit('connectedDatabase');
        loaded?.tokens.flushNotice(session);
      }, 0);
      return;
    }
    this.timer = setTimeout(() => {
      if (!this.retrying) return;
      emitter.emit('login-timeout', true);
      this.scheduleRetry();
    }, ATTEMPT_S * 1000);
  }

  stop() {
    this.retrying = false;
    if (this.timer) clearTimeout(this.timer);
  }
}
