// Stand-in for `agora-rtc-sdk-ng` (the RTM bundle's peer dependency) so that stream channels
// can join and leave in Node, and their topics run: agora-rtm.js 2.3.0 runs stream-channel
// topics over RTC data channels (joinTopic = publish a data channel whose metadata names the
// topic, subscribeTopic = subscribe a remote user's data channel, publishTopicMessage = send on
// it). Resolved in place of the real package by load-sdk.cjs.
//
// This fake is the RTC server of the oracle, written to the emulator's decisions (M-design,
// R-M12..R-M21 [rtc]); nothing here is the SDK's:
//   - clients that joined one (app id, channel) see each other; `user-joined` / `user-left`;
//   - after a join, `published-user-list` lists the users holding data channels in the order
//     they joined the channel, each with its data channels in the order it published them
//     (the order of the SDK's SNAPSHOT);
//   - publish / unpublish of a data channel: `user-published` / `user-unpublished` to every
//     other client of the channel; leave unpublishes every data channel first (one event each,
//     in publish order), then `user-left`;
//   - a message sent on a data channel reaches the clients that subscribed that publisher's
//     data channel id, never the sender;
//   - events arrive in a later task (setTimeout 0), in order;
//   - R-M12 (the emulator's rule): a client's RTC link goes down with its network
//     (FakeRTC.netDown, called by the harness's FakeLink): RECONNECTING, no events or topic
//     messages reach it meanwhile (they are lost), the others still see its topics; when its
//     network is back (netUp) it is CONNECTED again and gets a fresh `published-user-list`,
//     from which the SDK works out what changed (REMOTE_JOIN / REMOTE_LEAVE).
// FakeRTC.reset() forgets every channel (the oracle calls it before each case).
//
// Tokens (issue 17, the token cases; sdk/fake-token.js decides, through `FakeRTC.tokens`
// {check(appId, channel, uid, token) -> {code} | {expiryMs} | null, expired(appId, channel,
// uid)} set by the harness): a refused join throws code CAN_NOT_GET_GATEWAY_SERVER, a refused
// renewToken INVALID_PARAMS (R-TK22 [ours]); a taken token arms `token-privilege-will-expire`
// at expiry - 30 s (R-TK24, when the network is back if it is down) and, at expiry,
// `connection-state-change` DISCONNECTED with reason TOKEN_EXPIRE (R-TK25: the others see
// the user leave; a token that lapsed while down does so when the network is back).
'use strict';

const { EventEmitter } = require('node:events');

let sessions = 0;
/** `${appId}\u0000${channel}` -> Set(FakeRtcClient), in join order. */
const channels = new Map();

const later = (f) => setTimeout(f, 0);
/** Emit on `client` in a later task, unless its link is down by then (the event is lost). */
const deliver = (client, ...event) =>
  later(() => {
    if (!client.offline) client.emit(...event);
  });

class LocalDataChannel extends EventEmitter {
  constructor(owner, cfg) {
    super();
    this.owner = owner;
    this.id = cfg.id;
    this.cfg = { id: cfg.id, ordered: cfg.ordered, metadata: cfg.metadata };
    this.readyState = 'open';
  }

  getConfig() {
    return this.cfg;
  }

  send(bytes) {
    const owner = this.owner;
    for (const peer of owner.peers()) {
      for (const r of peer.subscribed) {
        if (r.pubUid !== owner.uid || r.id !== this.id || peer.offline) continue;
        const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        later(() => {
          if (!peer.offline) r.emit('message', copy);
        });
      }
    }
  }
}

class RemoteDataChannel extends EventEmitter {
  constructor(pubUid, cfg) {
    super();
    this.pubUid = pubUid;
    this.id = cfg.id;
    this.cfg = cfg;
  }

  getConfig() {
    return this.cfg;
  }
}

class FakeRtcClient extends EventEmitter {
  constructor() {
    super();
    sessions += 1;
    this._sessionId = `rtc-sid-${sessions}`;
    this.connectionState = 'DISCONNECTED';
    this.remoteUsers = [];
    this.local = [];
    this.subscribed = [];
    this.key = null;
    this.uid = null;
    this.offline = false;
  }

  setRTMConfig() {}

  peers() {
    return [...(channels.get(this.key) ?? [])].filter((c) => c !== this);
  }

  /** How `other` looks to this client (IRemoteUser with its data channels). */
  userView(other) {
    return {
      uid: other.uid,
      hasAudio: false,
      hasVideo: false,
      dataChannels: other.local.map((d) => new RemoteDataChannel(other.uid, d.cfg)),
    };
  }

  async join(appId, channel, token, uid) {
    if (FakeRTC.joinError) {
      const err = new Error('join failed');
      err.code = FakeRTC.joinError;
      throw err;
    }
    const verdict = FakeRTC.tokens?.check(appId, channel, uid, token) ?? null;
    if (verdict?.code) {
      const err = new Error('AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: flag: 4096, message: invalid token');
      err.code = 'CAN_NOT_GET_GATEWAY_SERVER';
      throw err;
    }
    this.key = `${appId}\u0000${channel}`;
    this.uid = uid;
    if (!channels.has(this.key)) channels.set(this.key, new Set());
    channels.get(this.key).add(this);
    this.connectionState = 'CONNECTED';
    this.emit('connection-state-change', 'CONNECTED', 'CONNECTING');
    for (const p of this.peers()) {
      this.remoteUsers.push(this.userView(p));
      p.remoteUsers.push(p.userView(this));
      deliver(p, 'user-joined', { uid });
    }
    this.publishedUserList();
    this.armToken(verdict);
    return uid;
  }

  // ---- tokens (see the header)

  clearTokenTimers() {
    for (const t of this.tokenTimers ?? []) clearTimeout(t);
    this.tokenTimers = [];
  }

  armToken(verdict) {
    this.clearTokenTimers();
    this.noticeDue = false;
    this.lapsed = false;
    if (!verdict || verdict.expiryMs === null || verdict.expiryMs === undefined) return;
    const at = (ms, fn) => this.tokenTimers.push(setTimeout(fn, Math.max(0, ms - Date.now())));
    at(verdict.expiryMs - 30_000, () => {
      if (this.offline) this.noticeDue = true;
      else this.emit('token-privilege-will-expire');
    });
    at(verdict.expiryMs, () => {
      if (this.offline) this.lapsed = true;
      else this.tokenExpired();
    });
  }

  /** R-TK25: the channel is gone for this client (the others see it leave). */
  tokenExpired() {
    const previous = this.connectionState;
    const [appId, channel] = this.key.split('\u0000');
    for (const p of this.peers()) {
      const view = p.userView(this);
      for (const d of this.local) deliver(p, 'user-unpublished', view, 'datachannel', d.cfg);
      if (!p.offline) p.remoteUsers = p.remoteUsers.filter((u) => u.uid !== this.uid);
      deliver(p, 'user-left', { uid: this.uid });
    }
    channels.get(this.key)?.delete(this);
    this.clearTokenTimers();
    this.offline = false;
    this.local = [];
    this.subscribed = [];
    this.remoteUsers = [];
    this.connectionState = 'DISCONNECTED';
    const uid = this.uid;
    this.emit('connection-state-change', 'DISCONNECTED', previous, 'TOKEN_EXPIRE');
    // then the server's side: the user's document goes (if the SDK's own leave left it)
    later(() => FakeRTC.tokens?.expired(appId, channel, uid));
  }

  /** `published-user-list` in a later task: the others holding data channels, in join order. */
  publishedUserList() {
    later(() => {
      if (this.connectionState !== 'CONNECTED') return;
      const list = this.peers()
        .filter((p) => p.local.length)
        .map((p) => this.userView(p));
      this.emit('published-user-list', list);
    });
  }

  /** The network is gone: RECONNECTING until netUp. */
  netDown() {
    if (this.connectionState !== 'CONNECTED') return;
    this.offline = true;
    this.connectionState = 'RECONNECTING';
    this.emit('connection-state-change', 'RECONNECTING', 'CONNECTED', 'NETWORK_ERROR');
  }

  /** The network is back: CONNECTED, the remote users as they are now, a new published-user-list. */
  netUp() {
    if (!this.offline) return;
    if (this.lapsed) {
      this.tokenExpired();
      return;
    }
    this.offline = false;
    this.connectionState = 'CONNECTED';
    this.remoteUsers = this.peers().map((p) => this.userView(p));
    this.emit('connection-state-change', 'CONNECTED', 'RECONNECTING');
    this.publishedUserList();
    if (this.noticeDue) {
      this.noticeDue = false;
      this.emit('token-privilege-will-expire');
    }
  }

  async leave() {
    this.clearTokenTimers();
    const previous = this.connectionState;
    const peers = this.peers();
    for (const p of peers) {
      const view = p.userView(this);
      for (const d of this.local) deliver(p, 'user-unpublished', view, 'datachannel', d.cfg);
      if (!p.offline) p.remoteUsers = p.remoteUsers.filter((u) => u.uid !== this.uid);
      deliver(p, 'user-left', { uid: this.uid });
    }
    this.offline = false;
    channels.get(this.key)?.delete(this);
    this.local = [];
    this.subscribed = [];
    this.remoteUsers = [];
    this.connectionState = 'DISCONNECTED';
    this.emit('connection-state-change', 'DISCONNECTED', previous, 'LEAVE');
  }

  async publish(cfg) {
    const dc = new LocalDataChannel(this, cfg ?? { id: 0 });
    this.local.push(dc);
    for (const p of this.peers()) {
      if (p.offline) continue;
      let view = p.remoteUsers.find((u) => u.uid === this.uid);
      if (view) view.dataChannels.push(new RemoteDataChannel(this.uid, dc.cfg));
      else view = p.userView(this);
      deliver(p, 'user-published', view, 'datachannel', dc.cfg);
    }
    return dc;
  }

  async unpublish(dc) {
    if (!dc) return;
    this.local = this.local.filter((d) => d !== dc);
    for (const p of this.peers()) {
      if (p.offline) continue;
      let view = p.remoteUsers.find((u) => u.uid === this.uid);
      if (view) view.dataChannels = view.dataChannels.filter((d) => d.id !== dc.id);
      else view = p.userView(this);
      deliver(p, 'user-unpublished', view, 'datachannel', dc.cfg);
    }
  }

  async subscribe(user, _kind, id) {
    const r = new RemoteDataChannel(user.uid, { id });
    this.subscribed.push(r);
    return r;
  }

  async unsubscribe(user, _kind, id) {
    this.subscribed = this.subscribed.filter((r) => !(r.pubUid === user.uid && r.id === id));
  }

  async renewToken(token) {
    const [appId, channel] = (this.key ?? '').split('\u0000');
    const verdict = FakeRTC.tokens?.check(appId, channel, this.uid, token) ?? null;
    if (verdict?.code) {
      const err = new Error('AgoraRTCError INVALID_PARAMS: invalid token');
      err.code = 'INVALID_PARAMS';
      throw err;
    }
    if (verdict) this.armToken(verdict);
  }
  startProxyServer() {}
  stopProxyServer() {}
  setLocalAccessPointsV2() {}
}

const FakeRTC = {
  joinError: 0,
  tokens: null,
  setLogLevel() {},
  setParameter() {},
  setArea() {},
  createClient() {
    const client = new FakeRtcClient();
    FakeRTC.__CLIENT_LIST__.push(client);
    return client;
  },
  /** R-M12: the network of `uid` in `appId` is gone: each of its RTC clients goes RECONNECTING. */
  netDown(appId, uid) {
    for (const c of FakeRTC.__CLIENT_LIST__) if (c.uid === uid && c.key?.startsWith(`${appId}\u0000`)) c.netDown();
  },
  /** ... and back. */
  netUp(appId, uid) {
    for (const c of FakeRTC.__CLIENT_LIST__) if (c.uid === uid && c.key?.startsWith(`${appId}\u0000`)) c.netUp();
  },
  /** Forget every channel and client (a fresh RTC service for the next case). */
  reset() {
    channels.clear();
    FakeRTC.__CLIENT_LIST__.length = 0;
    FakeRTC.joinError = 0;
    FakeRTC.tokens = null;
  },
  __CLIENT_LIST__: [],
  ConnectionDisconnectedReason: {
    TOKEN_EXPIRE: 'TOKEN_EXPIRE',
    LEAVE: 'LEAVE',
    UID_BANNED: 'UID_BANNED',
  },
};

module.exports = FakeRTC;
module.exports.default = FakeRTC;
