'use strict';

// The SDK's client objects: RTMClient (the constructor's checks in the SDK's order, the
// session it opens and resumes over the transport, login / logout, publish, stream
// channel handles, the service's events), RTMPresence, RTMHistory and RTMStreamChannel,
// whose server methods are built from the manifest (messages encoded by
// lib/messages.cjs), and `rtm.emulator` (EmulatorLink), the emulator-only network switch
// of one client.

const { RTMLock } = require('./lock.cjs');
const { RTMStorage } = require('./storage.cjs');
const { sdkError } = require('./errors.cjs');
const { banOriginListeners, TrackedEmitter } = require('./events.cjs');
const { constructedUsers, describe, validAppId, validChannelName, validId } = require('./ids.cjs');
const { callParameters, decodeEvent, decodeResult, sizeReadError, wireArgs } = require('./messages.cjs');
const { getParameter } = require('./parameters.cjs');
const { CONSTANTS, defineServerMethods, wireOf } = require('./surface.cjs');
const { defaultUrl, trackSending, Transport, trim } = require('./transport.cjs');

/** The server's answer to `hello {resume}` for a session it no longer has. */
const NO_SESSION = -32002;

/** The close code of a server reset: the session is gone. */
const RESET_CLOSE_CODE = 4001;

/** Message history of one client (the SDK's `rtm.history`, R-M10, R-M11). */
class RTMHistory {
  #call;

  constructor(call) {
    this.#call = call;
  }

  // getMessages: one method per manifest operation of `rtm.history`; binary messages
  // come back as Uint8Array.
  static {
    defineServerMethods(this.prototype, 'history', async (self, row, args) =>
      decodeResult(await self.#call(row.wire, args)),
    );
  }
}

/** R-M12: a topic name is a user id (R-C1) of at most 16 bytes (its charset is ASCII). */
function validTopicName(name) {
  return validId(name) && name.length <= CONSTANTS.maxTopicNameBytes;
}

/** Presence calls of one client (the SDK's `rtm.presence`). */
class RTMPresence {
  #call;

  constructor(call) {
    this.#call = call;
  }

  // whoNow, getOnlineUsers, whereNow, getUserChannels, setState, getState, removeState:
  // one method per manifest operation of `rtm.presence`.
  static {
    defineServerMethods(this.prototype, 'presence', (self, row, args) => self.#call(row.wire, args));
  }
}

/**
 * A stream channel handle (the SDK's RTMStreamChannel): `rtm.createStreamChannel(name)`
 * checks the name at once and returns the same handle for the same name; handles
 * survive logout (R-L2). Its link-state events arrive on the client's `linkState`
 * (`serviceType: "STREAM"`, R-T4).
 */
class RTMStreamChannel extends TrackedEmitter {
  #call;
  #name;
  #view;
  /** topic name -> the settling of its last subscribeTopic call (R-M15's queue) */
  #subscribing = new Map();

  constructor(call, channelName, logs, view) {
    super(logs);
    banOriginListeners(this);
    this.#call = call;
    this.#name = channelName;
    this.#view = view;
  }

  /** The channel's name (not in the SDK). */
  get channelName() {
    return this.#name;
  }

  /**
   * R-M17, synchronous as in the SDK (its errors are thrown): the users subscribed in
   * the topic, then the pre-subscribed ones. Answered from the topic view the server
   * pushes (docs/server.md, "The topic view"): -10025 while the link is IDLE, -11008
   * for a bad topic name, -11001 when the channel is not joined (or its link is down),
   * -11013 when the topic holds nobody.
   */
  getSubscribedUserList(topicName) {
    const operation = 'getSubscribedUserList';
    const view = this.#view();
    if (!view || view.idle) {
      throw sdkError(operation, 'NOT_CONNECTED', 'the client is not logged in (its link is IDLE)');
    }
    if (!validTopicName(topicName)) {
      throw sdkError(
        operation,
        'CHANNEL_INVALID_TOPIC_NAME',
        `topic name must be 1..${CONSTANTS.maxTopicNameBytes} characters of the user-id charset, got ${describe(topicName)}`,
      );
    }
    const channel = Object.hasOwn(view.channels, this.#name) ? view.channels[this.#name] : null;
    if (!channel?.joined) {
      throw sdkError(operation, 'CHANNEL_NOT_JOINED', `stream channel ${describe(this.#name)} is not joined (or its link is down)`);
    }
    const result = Object.hasOwn(channel.topics, topicName) ? channel.topics[topicName] : null;
    if (!result) {
      throw sdkError(operation, 'CHANNEL_TOPIC_NOT_SUBSCRIBED', `no user is subscribed in topic ${describe(topicName)}`);
    }
    return { ...result, subscribed: [...result.subscribed] };
  }

  /**
   * The SDK runs the subscribeTopic calls of one topic one after the other, each making
   * its checks (the rate limit first) when its turn comes (oracle case
   * topic.rate.subscribeTopic-queued): a call of a topic with one pending is sent once
   * that one has settled; otherwise at once.
   */
  #inTopicQueue(topic, send) {
    const previous = this.#subscribing.get(topic);
    const run = previous ? previous.then(send) : send();
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#subscribing.set(topic, settled);
    settled.then(() => {
      if (this.#subscribing.get(topic) === settled) this.#subscribing.delete(topic);
    });
    return run;
  }

  // join, leave and the topic calls: one method per manifest operation of a stream
  // channel (the channel's name goes first on the wire). publishTopicMessage rejects
  // with the runtime's own TypeError where the SDK's size read throws (R-M18).
  static {
    defineServerMethods(this.prototype, 'stream', async (self, row, args) => {
      const typeError = row.sdk === 'publishTopicMessage' ? sizeReadError(args[1]) : null;
      const send = () => self.#call(row.wire, [self.#name, ...wireArgs(row, args)]);
      try {
        return await (row.sdk === 'subscribeTopic' ? self.#inTopicQueue(args[0], send) : send());
      } catch (err) {
        if (typeError && err instanceof TypeError) throw typeError;
        throw err;
      }
    });
  }
}

/** Emulator-only controls of one client's connection (`rtm.emulator`; not in the SDK). */
class EmulatorLink {
  #client;

  constructor(client) {
    this.#client = client;
  }

  /** The server URL this client talks to. */
  get url() {
    return this.#client._url;
  }

  /** The server-side session id, or null before the first call / after logout. */
  get session() {
    return this.#client._session;
  }

  /** Whether this client's WebSocket is open right now. */
  get socketOpen() {
    return Boolean(this.#client._transport?.open);
  }

  /**
   * Close the socket: a network loss (R-T2). The server disconnects the client; the
   * others see REMOTE_TIMEOUT once the fake clock passes the timeout. The next call
   * reopens the socket on the same session (the network stays down) and delivers the
   * link-state events it missed.
   */
  async dropConnection() {
    await this.#client._transport?.close(1000, 'dropConnection');
  }

  /** Bring the network back (R-T3): the client reconnects at its next retry (R-T4). */
  async restoreConnection() {
    return this.#client._call('session.reconnect', [], 'reconnect');
  }
}

/**
 * One client (the SDK's RTMClient): `new AgoraRTM.RTM(appId, userId, {emulatorUrl})`.
 *
 * Synchronous checks, in the SDK's order (agora-rtm.js 2.3.0, RTM constructor): app id
 * (-10003, R-C2), user id (-10006, R-C1), the same `appId-userId` already constructed in
 * this JS runtime (-10027, unless `setParameter("IGNORE_DUPLICATE_USER_ID_ERR", true)`),
 * `useStringUserId: false` with a user id that is not a non-negative integer (-10006);
 * `operation` "initRTM". The socket opens on the first call and closes after logout.
 *
 * Events: `addEventListener` / `removeEventListener` (any event name; a listener that is
 * not a function is a TypeError, R-C5). The client is also an EventEmitter (`on`,
 * `once`, `off`, `emit`, ...) like the SDK's, and like the SDK's those methods act on the
 * client object itself, which the service's events never reach.
 */
class RTMClient extends TrackedEmitter {
  #events;
  #appId;
  #userId;
  #config;
  #attaching = null;
  #streams = new Map();
  #logs;
  #loggingIn = false;
  /** The server's topic view of this client (docs/server.md), null without a session. */
  #view = null;

  constructor(appId, userId, rtmConfig) {
    const operation = 'initRTM';
    if (!validAppId(appId)) {
      throw sdkError(
        operation,
        'INVALID_APP_ID',
        `app id must be 32 ASCII letters or digits, got ${describe(appId)}`,
      );
    }
    if (!validId(userId)) {
      throw sdkError(
        operation,
        'INVALID_USER_ID',
        `invalid user id ${describe(userId)}`,
      );
    }
    const key = `${appId}-${userId}`;
    if (!getParameter('IGNORE_DUPLICATE_USER_ID_ERR') && constructedUsers.has(key)) {
      throw sdkError(
        operation,
        'DUPLICATE_USER_ID',
        `a client of user ${describe(userId)} of app ${appId} was already created in this JS runtime (setParameter("IGNORE_DUPLICATE_USER_ID_ERR", true) allows it)`,
      );
    }
    const given = rtmConfig !== null && typeof rtmConfig === 'object' ? rtmConfig : {};
    if (given.useStringUserId === false) {
      const n = Number(userId);
      if (!(Number.isInteger(n) && n >= 0)) {
        throw sdkError(
          operation,
          'INVALID_USER_ID',
          `useStringUserId is false: user id ${describe(userId)} is not a non-negative integer`,
        );
      }
    }
    const { emulatorUrl, ...config } = given;
    const url = emulatorUrl || defaultUrl();
    if (!url) {
      throw sdkError(
        operation,
        'INVALID_PARAMETER',
        'no emulator URL: pass {emulatorUrl} in the RTM config or set RTM_EMULATOR_URL',
      );
    }
    const logs = () => config.logLevel !== 'none';
    super(logs);
    banOriginListeners(this);
    constructedUsers.add(key);
    this.#logs = logs;
    this.#events = new TrackedEmitter(logs);
    this.#events.setMaxListeners(512);
    this.#appId = appId;
    this.#userId = userId;
    this.#config = config;
    this._url = url;
    this._session = null;
    this._transport = null;
    this.presence = new RTMPresence((method, args) => this._call(method, args));
    this.history = new RTMHistory((method, args) => this._call(method, args));
    this.storage = new RTMStorage((method, args) => this._call(method, args));
    this.lock = new RTMLock((method, args, extra, waits) => this._call(method, args, undefined, extra, waits));
    this.emulator = new EmulatorLink(this);
  }

  /** R-L3: a second login while one is still connecting is -10017, as in the SDK. */
  async login(options) {
    if (this.#loggingIn) {
      throw sdkError('login', 'DUPLICATE_OPERATION', 'a login of this client is still connecting');
    }
    this.#loggingIn = true;
    try {
      return await this._call(wireOf('rtm', 'login'), [options]);
    } finally {
      this.#loggingIn = false;
    }
  }

  async logout() {
    const response = await this._call(wireOf('rtm', 'logout'), []);
    const transport = this._transport;
    this._session = null;
    this._transport = null;
    this.#view = null;
    await transport?.close(1000, 'logout');
    return response;
  }

  /** Checks the name at once (-10008, `operation` "createStreamChannel"). */
  createStreamChannel(channelName) {
    if (!validChannelName(channelName)) {
      throw sdkError(
        'createStreamChannel',
        'INVALID_CHANNEL_NAME',
        `invalid channel name ${describe(channelName)}`,
      );
    }
    let stream = this.#streams.get(channelName);
    if (!stream) {
      stream = new RTMStreamChannel(
        (method, args) => this._call(method, args),
        channelName,
        this.#logs,
        () => this.#view,
      );
      this.#streams.set(channelName, stream);
    }
    return stream;
  }

  /**
   * The server makes every check (R-TK1, R-TK2, R-TK6); a stream channel's token names a
   * channel whose handle is local (createStreamChannel), so the frame's `streams` tells the
   * server this client created it (R-TK6: -11001 when not joined, -10008 when never created).
   */
  renewToken(token, options) {
    let streams;
    try {
      const name = options?.channelName;
      if (typeof name === 'string' && this.#streams.has(name)) streams = [name];
    } catch {
      // options that throw when read: the server reads them as sent
    }
    return this._call(wireOf('rtm', 'renewToken'), [token, options], undefined, streams ? { streams } : undefined);
  }

  /** Any event name; a listener that is not a function is a TypeError (R-C5). */
  addEventListener(eventName, listener) {
    this.#events.on(eventName, listener);
  }

  removeEventListener(eventName, listener) {
    this.#events.off(eventName, listener);
  }

  // subscribe, unsubscribe, publish (login and logout above): one method per manifest
  // operation of the client that goes to the server.
  static {
    defineServerMethods(this.prototype, 'rtm', (self, row, args) => self._call(row.wire, wireArgs(row, args)));
  }

  /**
   * Send one call (opening or resuming the session first when the socket is not open):
   * at once when it is, so that calls reach the server in the order they were made.
   */
  _call(method, args, operation, extra, waits) {
    const op = operation ?? method.split('.').pop();
    try {
      const params = trim(args);
      const parameters = callParameters();
      if (this._transport?.open) return this._transport.request(method, params, op, parameters, extra, waits);
      const sent = this.#attach(op).then((transport) => ({
        reply: transport.request(method, params, op, parameters, extra, waits),
      }));
      return trackSending(sent).then(({ reply }) => reply);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #attach(operation) {
    if (this._transport?.open) return Promise.resolve(this._transport);
    if (!this.#attaching) {
      this.#attaching = this.#openSession(operation).finally(() => {
        this.#attaching = null;
      });
    }
    return this.#attaching;
  }

  async #openSession(operation) {
    const transport = await Transport.open(
      this._url,
      {
        client: true,
        onEvent: (name, data) => this.#events.emit(name, decodeEvent(name, data)),
        onView: (name, data) => {
          if (name === 'topics') this.#view = data;
        },
        onClose: (closed, code) => {
          if (this._transport === closed) this._transport = null;
          if (code === RESET_CLOSE_CODE) this._session = null;
          // The socket is the network (R-T2): until a resume brings the view back, no
          // stream channel is joined (and without a session the link is IDLE).
          this.#view = this._session && this.#view ? { idle: this.#view.idle, channels: {} } : null;
        },
      },
      operation,
    );
    try {
      let hello = null;
      if (this._session) {
        try {
          hello = await transport.request('hello', { resume: this._session, ack: true, topicView: true }, operation);
        } catch (err) {
          if (err.errorCode !== NO_SESSION) throw err;
          this._session = null;
        }
      }
      if (!hello) {
        hello = await transport.request(
          'hello',
          { appId: this.#appId, userId: this.#userId, config: this.#config, ack: true, topicView: true },
          operation,
        );
      }
      this._session = hello.session;
      this._transport = transport;
      return transport;
    } catch (err) {
      await transport.close();
      throw err;
    }
  }
}

module.exports = { EmulatorLink, RTMClient, RTMHistory, RTMLock, RTMPresence, RTMStorage, RTMStreamChannel };
