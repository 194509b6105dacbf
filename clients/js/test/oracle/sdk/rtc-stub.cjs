// Stand-in for `agora-rtc-sdk-ng` (the RTM bundle's peer dependency) so that stream channels
// can join and leave in Node. Resolved in place of the real package by load-sdk.cjs.
'use strict';

const { EventEmitter } = require('node:events');

let sessions = 0;

class FakeRtcClient extends EventEmitter {
  constructor() {
    super();
    sessions += 1;
    this._sessionId = `rtc-sid-${sessions}`;
    this.connectionState = 'DISCONNECTED';
    this.remoteUsers = [];
  }

  setRTMConfig() {}

  async join(_appId, _channel, _token, uid) {
    if (FakeRTC.joinError) {
      const err = new Error('join failed');
      err.code = FakeRTC.joinError;
      throw err;
    }
    this.connectionState = 'CONNECTED';
    this.emit('connection-state-change', 'CONNECTED', 'CONNECTING');
    return uid;
  }

  async leave() {
    const previous = this.connectionState;
    this.connectionState = 'DISCONNECTED';
    this.emit('connection-state-change', 'DISCONNECTED', previous, 'LEAVE');
  }

  async publish() {
    return {
      on() {},
      getConfig() {
        return { id: 0 };
      },
    };
  }

  async unpublish() {}
  async subscribe() {}
  async unsubscribe() {}
  async renewToken() {}
  startProxyServer() {}
  stopProxyServer() {}
  setLocalAccessPointsV2() {}
}

const FakeRTC = {
  joinError: 0,
  setLogLevel() {},
  setParameter() {},
  setArea() {},
  createClient() {
    const client = new FakeRtcClient();
    FakeRTC.__CLIENT_LIST__.push(client);
    return client;
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
