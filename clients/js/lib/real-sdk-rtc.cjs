'use strict';

// Real-SDK mode, stream channels (docs/real-sdk.md, "Stream channels"): agora-rtm-sdk 2.3.0
// runs a stream channel's topics over agora-rtc-sdk-ng (the bundle captures the RTC module
// when it loads, and each stream channel calls its `createClient({codec, mode})`). This is
// a stand-in for that client, with the surface the RTM bundle uses (join, leave, publish /
// unpublish of a data channel, subscribe / unsubscribe, renewToken, connectionState,
// remoteUsers, _sessionId, the events user-joined, user-left, user-published,
// user-unpublished, published-user-list, connection-state-change,
// token-privilege-will-expire), whose requests (`rtc.*`) travel on the real-SDK session's
// socket (real-sdk-link.cjs) and whose events come back there as `rtc` frames: the server's
// data-channel relay (rtm_emulator/server/_wire_rtc.py, D-RS12..D-RS17). `installRtc` puts
// it on the RTC module object the SDK captured; `restore()` takes it off.
//
// No RTC SDK code is copied: the shapes are those the RTM bundle calls (agora-rtm.js 2.3.0,
// its stream channel class), as the oracle's stub (test/oracle/sdk/rtc-stub.cjs) has them.

const { Emitter } = require('./real-sdk-replica.cjs');
const { links } = require('./real-sdk-link.cjs');

/** A later task (the RTC SDK emits its events asynchronously). */
const later = (f) => setTimeout(f, 0);
/** A later task of the event loop itself (setImmediate where there is one). */
const macrotask = typeof globalThis.setImmediate === 'function' ? (f) => globalThis.setImmediate(f) : (f) => setTimeout(f, 0);

let sessions = 0;

/** base64 of a byte view, and back to an ArrayBuffer, without Buffer (a page has none). */
function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i]);
  return globalThis.btoa(text);
}
function fromBase64(text) {
  const raw = globalThis.atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out.buffer;
}

/** An RTC error as the RTC SDK rejects with it (`code` is its string code). */
function rtcError(code, message) {
  const err = new Error(`AgoraRTCError ${code}: ${message}`);
  err.code = code;
  err.name = 'AgoraRTCException';
  return err;
}

class LocalDataChannel extends Emitter {
  constructor(owner, config) {
    super();
    this.owner = owner;
    this.id = config.id;
    this.config = { id: config.id, ordered: config.ordered, metadata: config.metadata };
    this.readyState = 'open';
  }

  getConfig() {
    return this.config;
  }

  /** One message on the data channel: to its subscribers, never back to the sender (D-RS13). */
  send(bytes) {
    const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.owner.request('rtc.send', { id: this.id, bytes: toBase64(view) }).catch(() => {});
  }
}

class RemoteDataChannel extends Emitter {
  constructor(publisher, config) {
    super();
    this.pubUid = publisher;
    this.id = config.id;
    this.config = config;
    this.readyState = 'open';
  }

  getConfig() {
    return this.config;
  }
}

/** The RTC SDK's remote user (IAgoraRTCRemoteUser) with its data channels. */
function remoteUser(user) {
  return {
    uid: user.uid,
    hasAudio: false,
    hasVideo: false,
    dataChannels: (user.dataChannels ?? []).map((d) => new RemoteDataChannel(user.uid, d)),
  };
}

/** One RTC client (one stream channel of the RTM SDK). */
class EmulatedRtcClient extends Emitter {
  constructor(config) {
    super();
    sessions += 1;
    this._sessionId = `rtm-emulator-rtc-${sessions}`;
    this.config = config;
    this.connectionState = 'DISCONNECTED';
    this.remoteUsers = [];
    this.local = [];
    this.subscribed = [];
    this.channelName = null;
    this.uid = null;
    this.link = null;
  }

  setRTMConfig() {}
  startProxyServer() {}
  stopProxyServer() {}
  setLocalAccessPointsV2() {}
  setClientRole() {}
  enableDualStream() {}

  /** A request of this client on its session's socket. */
  request(method, params) {
    const link = this.link;
    if (!link?.transport?.open) return Promise.reject(rtcError('INVALID_OPERATION', 'the emulator connection of this session is closed'));
    return link.request(method, { channel: this.channelName, ...params });
  }

  /**
   * The real-SDK session of (appId, uid) in this runtime: the newest one that is logged in
   * (an RTC client is made without telling whose it is; its join names the app and user).
   */
  static sessionLink(appId, uid) {
    let found = null;
    for (const link of links) {
      const ctx = link.session?.context;
      if (ctx?.appId === appId && String(ctx?.uid ?? ctx?.userId) === uid && link.transport?.open && link.phase !== 'ended') found = link;
    }
    return found;
  }

  async join(appId, channel, token, uid) {
    if (this.connectionState !== 'DISCONNECTED') throw rtcError('INVALID_OPERATION', `Client already in ${this.connectionState} state`);
    const userId = String(uid);
    const link = EmulatedRtcClient.sessionLink(appId, userId);
    if (!link) throw rtcError('UNEXPECTED_ERROR', `rtm-emulator real-SDK mode: no logged-in session of user ${userId} in app ${appId} to carry the RTC link`);
    this.link = link;
    this.channelName = channel;
    this.uid = userId;
    this.connectionState = 'CONNECTING';
    let answer;
    try {
      answer = await link.request('rtc.join', { channel, token: token ?? null, uid: userId });
    } catch (err) {
      this.connectionState = 'DISCONNECTED';
      throw rtcError('UNEXPECTED_ERROR', err?.message ?? String(err));
    }
    if (answer?.refused) {
      this.connectionState = 'DISCONNECTED';
      throw rtcError(answer.refused, `flag: 4096, message: invalid token (AP code ${answer.apCode})`);
    }
    // left while joining (the SDK's leave of a CONNECTING channel): its rtc.leave follows
    if (this.connectionState !== 'CONNECTING') throw rtcError('OPERATION_ABORTED', 'cancel token canceled');
    link.rtcClients.set(channel, this);
    this.remoteUsers = (answer?.users ?? []).map(remoteUser);
    this.connectionState = 'CONNECTED';
    this.emit('connection-state-change', 'CONNECTED', 'CONNECTING');
    this.publishedUserList();
    return uid;
  }

  /**
   * `published-user-list` in a later task: the others holding data channels, in join order.
   * It waits, as the session's packets do, for the store reads the SDK made meanwhile (a
   * join's presence comes from the store first, as with the RTC SDK's own timing).
   */
  publishedUserList() {
    const list = this.remoteUsers.filter((u) => u.dataChannels.length).map((u) => remoteUser({ uid: u.uid, dataChannels: u.dataChannels.map((d) => d.config) }));
    const emit = () => {
      if (this.connectionState === 'CONNECTED') this.emit('published-user-list', list);
    };
    later(() => (this.link ? this.link.onPacket({ run: emit }) : emit()));
  }

  forget() {
    if (this.link?.rtcClients.get(this.channelName) === this) this.link.rtcClients.delete(this.channelName);
    this.local = [];
    this.subscribed = [];
    this.remoteUsers = [];
  }

  /**
   * Leave the channel: DISCONNECTED at once; the relay hears it one task later, after the
   * store work the SDK's leave does next (its presence document goes first, as with the RTC
   * SDK, whose leave reaches the others later than the RTM store's).
   */
  async leave() {
    const previous = this.connectionState;
    if (previous === 'DISCONNECTED') return;
    const link = this.link;
    const channel = this.channelName;
    if (link?.transport?.open) {
      link.track(
        new Promise((resolve) => {
          macrotask(() => {
            if (link.transport?.open) link.request('rtc.leave', { channel }).then(resolve, resolve);
            else resolve();
          });
        }),
      );
    }
    this.forget();
    this.connectionState = 'DISCONNECTED';
    this.emit('connection-state-change', 'DISCONNECTED', previous, 'LEAVE');
  }

  async publish(config) {
    const dc = new LocalDataChannel(this, config ?? { id: 0 });
    await this.request('rtc.publish', { id: dc.id, ordered: dc.config.ordered === true, metadata: String(dc.config.metadata ?? '') });
    this.local.push(dc);
    return dc;
  }

  async unpublish(dc) {
    if (!dc) return;
    this.local = this.local.filter((d) => d !== dc);
    await this.request('rtc.unpublish', { id: dc.id });
  }

  async subscribe(user, _kind, id) {
    const uid = String(user?.uid ?? user);
    await this.request('rtc.subscribe', { uid, id });
    const remote = new RemoteDataChannel(uid, { id });
    this.subscribed.push(remote);
    return remote;
  }

  async unsubscribe(user, _kind, id) {
    const uid = String(user?.uid ?? user);
    this.subscribed = this.subscribed.filter((r) => !(r.pubUid === uid && r.id === id));
    await this.request('rtc.unsubscribe', { uid, id });
  }

  async renewToken(token) {
    const answer = await this.request('rtc.renew', { token });
    if (answer?.refused) throw rtcError(answer.refused, 'invalid token');
  }

  /** A view of `user` kept in remoteUsers (or a fresh one, as the RTC SDK gives it). */
  viewOf(uid) {
    return this.remoteUsers.find((u) => u.uid === uid);
  }

  /**
   * One `rtc` frame of this client's channel (the server's relay, D-RS12..D-RS17). The
   * others' doings (users, data channels, messages) are handled in a later task, as the RTC
   * SDK emits them (after the work the frames before them started, such as the SDK's own
   * presence events from the store); this client's own link states and notices at once, as
   * its link changes.
   */
  onFrame(data) {
    if (data.type === 'connection-state-change' || data.type === 'token-privilege-will-expire') this.onEvent(data);
    else later(() => this.onEvent(data));
  }

  onEvent(data) {
    switch (data.type) {
      case 'user-joined': {
        this.remoteUsers.push(remoteUser(data.user));
        this.emit('user-joined', { uid: data.user.uid });
        break;
      }
      case 'user-left': {
        this.remoteUsers = this.remoteUsers.filter((u) => u.uid !== data.uid);
        this.emit('user-left', { uid: data.uid });
        break;
      }
      case 'user-published': {
        let view = this.viewOf(data.user.uid);
        if (view) view.dataChannels.push(new RemoteDataChannel(data.user.uid, data.dataChannel));
        else view = remoteUser(data.user);
        this.emit('user-published', view, 'datachannel', data.dataChannel);
        break;
      }
      case 'user-unpublished': {
        let view = data.leaving ? null : this.viewOf(data.user.uid);
        if (view) view.dataChannels = view.dataChannels.filter((d) => d.id !== data.dataChannel.id);
        else view = remoteUser(data.user);
        this.emit('user-unpublished', view, 'datachannel', data.dataChannel);
        break;
      }
      case 'message': {
        const bytes = fromBase64(data.bytes);
        for (const r of this.subscribed) if (r.pubUid === data.uid && r.id === data.id) r.emit('message', bytes.slice(0));
        break;
      }
      case 'token-privilege-will-expire':
        this.emit('token-privilege-will-expire');
        break;
      case 'connection-state-change': {
        const { current, previous, reason } = data;
        if (current === 'DISCONNECTED') this.forget();
        if (current === 'CONNECTED' && data.users) this.remoteUsers = data.users.map(remoteUser);
        this.connectionState = current;
        if (reason === undefined) this.emit('connection-state-change', current, previous);
        else this.emit('connection-state-change', current, previous, reason);
        if (current === 'CONNECTED') this.publishedUserList();
        break;
      }
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------- the seam

/**
 * Put the stand-in on `rtc` (the RTC module object the RTM SDK captured): its
 * `createClient` makes emulated clients. Returns `restore()`, or null when `rtc` cannot
 * take it (not an object, frozen, its createClient neither writable nor configurable).
 * `__CLIENT_LIST__` (an accessor of agora-rtc-sdk-ng 4.x, not configurable) is left as it
 * is: agora-rtm-sdk 2.3.0 does not read it (its stream channel makes its own client).
 */
function installRtc(rtc) {
  if (!rtc || (typeof rtc !== 'object' && typeof rtc !== 'function') || Object.isFrozen(rtc)) return null;
  const original = Object.getOwnPropertyDescriptor(rtc, 'createClient');
  if (original && !original.configurable && !original.writable) return null;
  const createClient = function createClient(config) {
    return new EmulatedRtcClient(config);
  };
  try {
    if (!original || original.configurable) {
      Object.defineProperty(rtc, 'createClient', { value: createClient, configurable: true, writable: true, enumerable: original?.enumerable ?? true });
    } else {
      rtc.createClient = createClient;
    }
  } catch {
    return null;
  }
  if (rtc.createClient !== createClient) return null;
  return function restore() {
    if (original?.configurable || !original) {
      if (original) Object.defineProperty(rtc, 'createClient', original);
      else delete rtc.createClient;
    } else {
      rtc.createClient = original.value;
    }
  };
}

/**
 * The RTC module object the RTM SDK captured when it loaded (agora-rtm.js 2.3.0: `require
 * ("agora-rtc-sdk-ng")` for a CommonJS load, the page's `AgoraRTC` for a script tag), or
 * null: `explicit` (useEmulator's `{rtc}`); else, where the SDK was loaded by Node's
 * CommonJS loader, the `agora-rtc-sdk-ng` its own file resolves (the same cached exports);
 * else the page's `AgoraRTC`.
 */
function findRtcModule(AgoraRTM, explicit) {
  if (explicit) return explicit;
  const Module = typeof module !== 'undefined' ? module.constructor : undefined;
  const cache = Module?._cache ?? (typeof require === 'function' ? require.cache : undefined);
  if (cache && typeof Module?.createRequire === 'function') {
    for (const entry of Object.values(cache)) {
      const exported = entry?.exports;
      if (!exported || (exported !== AgoraRTM && exported.default !== AgoraRTM)) continue;
      try {
        return Module.createRequire(entry.filename)('agora-rtc-sdk-ng');
      } catch {
        break; // the SDK's file cannot resolve it: not a CommonJS load of the bundle
      }
    }
  }
  const page = globalThis.AgoraRTC;
  return page && typeof page.createClient === 'function' ? page : null;
}

module.exports = { EmulatedRtcClient, findRtcModule, installRtc };
