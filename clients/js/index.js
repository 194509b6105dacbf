// rtm-emulator-client: the presence surface of agora-rtm-sdk 2.x, backed by
// rtm_emulator's WebSocket server (`rtm-emulator serve`). Swap
//   import AgoraRTM from 'agora-rtm-sdk'
// for
//   import AgoraRTM from 'rtm-emulator-client'
// and pass `emulatorUrl` in the RTM config (or set RTM_EMULATOR_URL).
// The protocol is documented in the repository's docs/server.md.

const VERSION = '0.1.0';

/** The SDK's RTMClientEventMap names; only `presence` and `linkState` fire here. */
const EVENT_NAMES = Object.freeze([
  'presence',
  'linkState',
  'message',
  'storage',
  'lock',
  'topic',
  'token',
  'tokenPrivilegeWillExpire',
]);

const NOT_CONNECTED = -10025;
const INVALID_PARAMETER = -10014;
const NO_SESSION = -32002;
const RESET_CLOSE_CODE = 4001;

/** Every open connection of this module, for closeAllConnections(). */
const openTransports = new Set();

let webSocketClass = null;

async function loadWebSocket() {
  if (webSocketClass) return webSocketClass;
  if (typeof globalThis.WebSocket === 'function') {
    webSocketClass = globalThis.WebSocket;
  } else {
    const mod = await import('ws');
    webSocketClass = mod.WebSocket ?? mod.default;
  }
  return webSocketClass;
}

function defaultUrl() {
  const fromEnv = globalThis.process?.env?.RTM_EMULATOR_URL;
  return fromEnv || globalThis.RTM_EMULATOR_URL || '';
}

function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A failed call: the SDK's ErrorInfo ({error, operation, errorCode, reason}) as an Error.
 * Its own enumerable properties are exactly those four; toJSON() returns them.
 */
export class RTMBaseError extends Error {
  constructor(info) {
    super(`${info.operation} failed with ${info.errorCode}: ${info.reason}`);
    this.error = true;
    this.operation = info.operation;
    this.errorCode = info.errorCode;
    this.reason = info.reason;
  }

  toJSON() {
    return {
      error: this.error,
      operation: this.operation,
      errorCode: this.errorCode,
      reason: this.reason,
    };
  }
}
Object.defineProperty(RTMBaseError.prototype, 'name', { value: 'RTMBaseError' });

function fail(operation, errorCode, reason) {
  return new RTMBaseError({ error: true, operation, errorCode, reason });
}

/** Arguments as sent: trailing `undefined`s dropped (JSON turns the others into null). */
function trim(args) {
  const out = [...args];
  while (out.length && out[out.length - 1] === undefined) out.pop();
  return out;
}

/** One WebSocket to the server: requests by id, pushed events, sync acknowledgements. */
class Transport {
  constructor(socket, url, handlers) {
    this.socket = socket;
    this.url = url;
    this.handlers = handlers;
    this.nextId = 0;
    this.pending = new Map();
    this.live = true;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    socket.addEventListener('message', (event) => this.onMessage(event.data));
    socket.addEventListener('close', (event) => this.onClose(event.code, event.reason));
    socket.addEventListener('error', () => {}); // a 'close' always follows
    openTransports.add(this);
  }

  static async open(url, handlers, operation) {
    const WebSocketImpl = await loadWebSocket();
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new WebSocketImpl(url);
      } catch (err) {
        reject(fail(operation, NOT_CONNECTED, `cannot reach the emulator at ${url}: ${err.message}`));
        return;
      }
      const onOpen = () => {
        socket.removeEventListener('error', onError);
        resolve(new Transport(socket, url, handlers));
      };
      const onError = (event) => {
        socket.removeEventListener('open', onOpen);
        const why = event?.message || event?.error?.message || 'connection failed';
        reject(fail(operation, NOT_CONNECTED, `cannot reach the emulator at ${url}: ${why}`));
      };
      socket.addEventListener('open', onOpen, { once: true });
      socket.addEventListener('error', onError, { once: true });
    });
  }

  /** Open for requests: not closed by us, and no close frame received (readyState OPEN). */
  get open() {
    return this.live && this.socket.readyState === 1;
  }

  request(method, params, operation) {
    if (!this.open) {
      return Promise.reject(
        fail(operation, NOT_CONNECTED, `the emulator connection to ${this.url} is closed`),
      );
    }
    this.nextId += 1;
    const id = this.nextId;
    const frame = JSON.stringify({ id, method, params });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, operation });
      this.socket.send(frame);
    });
  }

  onMessage(raw) {
    const frame = JSON.parse(typeof raw === 'string' ? raw : String(raw));
    switch (frame.type) {
      case 'event':
        this.handlers.onEvent?.(frame.name, frame.data);
        // The last event of a call asks for an ack: its listeners have run, tell the server.
        if (frame.sync !== undefined && this.open) this.socket.send(JSON.stringify({ ack: frame.sync }));
        break;
      case 'result':
      case 'error': {
        const waiter = this.pending.get(frame.id);
        if (!waiter) {
          if (frame.type === 'error') console.warn('rtm-emulator-client: server error', frame.error);
          break;
        }
        this.pending.delete(frame.id);
        if (frame.type === 'result') waiter.resolve(frame.result);
        else waiter.reject(new RTMBaseError(frame.error));
        break;
      }
      default:
        console.warn('rtm-emulator-client: unknown frame', frame);
    }
  }

  onClose(code, reason) {
    this.live = false;
    openTransports.delete(this);
    for (const { reject, operation } of this.pending.values()) {
      reject(
        fail(
          operation,
          NOT_CONNECTED,
          `the emulator connection closed (code ${code}${reason ? `: ${reason}` : ''})`,
        ),
      );
    }
    this.pending.clear();
    this.handlers.onClose?.(this, code);
    this.resolveClosed();
  }

  async close(code = 1000, reason = '') {
    if (this.live) {
      this.live = false;
      this.socket.close(code, reason);
    }
    await this.closed;
  }
}

/** Presence calls of one client (the SDK's `rtm.presence`). */
export class RTMPresence {
  #client;

  constructor(call) {
    this.#client = call;
  }

  whoNow(channelName, channelType, options) {
    return this.#client('presence.whoNow', [channelName, channelType, options]);
  }

  getOnlineUsers(channelName, channelType, options) {
    return this.#client('presence.getOnlineUsers', [channelName, channelType, options]);
  }

  whereNow(userId) {
    return this.#client('presence.whereNow', [userId]);
  }

  getUserChannels(userId) {
    return this.#client('presence.getUserChannels', [userId]);
  }

  setState(channelName, channelType, state) {
    return this.#client('presence.setState', [channelName, channelType, state]);
  }

  getState(userId, channelName, channelType) {
    return this.#client('presence.getState', [userId, channelName, channelType]);
  }

  removeState(channelName, channelType, options) {
    return this.#client('presence.removeState', [channelName, channelType, options]);
  }
}

/** A stream channel handle (the SDK's RTMStreamChannel); survives logout (R-L2). */
export class RTMStreamChannel {
  #call;
  #name;

  constructor(call, channelName) {
    this.#call = call;
    this.#name = channelName;
  }

  /** The channel's name (not in the SDK's typings). */
  get channelName() {
    return this.#name;
  }

  join(options) {
    return this.#call('streamChannel.join', [this.#name, options]);
  }

  leave() {
    return this.#call('streamChannel.leave', [this.#name]);
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
   * reopens the socket on the same session (the network stays down: calls fail with
   * -10025) and delivers the link-state events it missed.
   */
  async dropConnection() {
    await this.#client._transport?.close(1000, 'dropConnection');
  }

  /** Bring the network back (R-T3): reopen the socket if needed and reconnect. */
  async restoreConnection() {
    return this.#client._call('session.reconnect', [], 'reconnect');
  }
}

/**
 * One client (the SDK's RTMClient): `new AgoraRTM.RTM(appId, userId, {emulatorUrl})`.
 * The socket opens on the first call and closes after logout.
 */
export class RTMClient {
  #listeners = new Map();
  #appId;
  #userId;
  #config;
  #attaching = null;

  constructor(appId, userId, rtmConfig = {}) {
    const { emulatorUrl, ...config } = rtmConfig ?? {};
    const url = emulatorUrl || defaultUrl();
    if (!url) {
      throw fail(
        'RTM',
        INVALID_PARAMETER,
        'no emulator URL: pass {emulatorUrl} in the RTM config or set RTM_EMULATOR_URL',
      );
    }
    this.#appId = appId;
    this.#userId = userId;
    this.#config = config;
    this._url = url;
    this._session = null;
    this._transport = null;
    const call = (method, args) => this._call(method, args);
    this.presence = new RTMPresence(call);
    this.emulator = new EmulatorLink(this);
  }

  login(options) {
    return this._call('login', [options]);
  }

  async logout() {
    const response = await this._call('logout', []);
    const transport = this._transport;
    this._session = null;
    this._transport = null;
    await transport?.close(1000, 'logout');
    return response;
  }

  subscribe(channelName, options) {
    return this._call('subscribe', [channelName, options]);
  }

  unsubscribe(channelName) {
    return this._call('unsubscribe', [channelName]);
  }

  createStreamChannel(channelName) {
    return new RTMStreamChannel((method, args) => this._call(method, args), channelName);
  }

  addEventListener(eventName, listener) {
    checkListener('addEventListener', eventName, listener);
    if (!this.#listeners.has(eventName)) this.#listeners.set(eventName, []);
    this.#listeners.get(eventName).push(listener);
  }

  removeEventListener(eventName, listener) {
    checkListener('removeEventListener', eventName, listener);
    const list = this.#listeners.get(eventName) ?? [];
    const at = list.lastIndexOf(listener);
    if (at >= 0) list.splice(at, 1);
  }

  #emit(name, data) {
    for (const listener of [...(this.#listeners.get(name) ?? [])]) {
      try {
        listener(data);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  async _call(method, args, operation) {
    const op = operation ?? method.split('.').pop();
    const transport = await this.#attach(op);
    return transport.request(method, trim(args), op);
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
        onEvent: (name, data) => this.#emit(name, data),
        onClose: (closed, code) => {
          if (this._transport === closed) this._transport = null;
          if (code === RESET_CLOSE_CODE) this._session = null;
        },
      },
      operation,
    );
    try {
      let hello = null;
      if (this._session) {
        try {
          hello = await transport.request('hello', { resume: this._session, ack: true }, operation);
        } catch (err) {
          if (err.errorCode !== NO_SESSION) throw err;
          this._session = null;
        }
      }
      if (!hello) {
        hello = await transport.request(
          'hello',
          { appId: this.#appId, userId: this.#userId, config: this.#config, ack: true },
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

function checkListener(operation, eventName, listener) {
  if (typeof eventName !== 'string' || !EVENT_NAMES.includes(eventName)) {
    throw fail(
      operation,
      INVALID_PARAMETER,
      `invalid parameter: unknown event name ${describe(eventName)} (known: ${EVENT_NAMES.join(', ')})`,
    );
  }
  if (typeof listener !== 'function') {
    throw fail(
      operation,
      INVALID_PARAMETER,
      `invalid parameter: listener must be a function, got ${describe(listener)}`,
    );
  }
}

/**
 * The server's control API (time, faults, inspection) for tests; not part of the SDK.
 * Every method resolves after the events it caused have reached every client.
 */
export class EmulatorControl {
  #transport = null;
  #opening = null;

  constructor(url = defaultUrl(), { appId = 'emulator' } = {}) {
    if (!url) {
      throw fail(
        'EmulatorControl',
        INVALID_PARAMETER,
        'no emulator URL: pass one or set RTM_EMULATOR_URL',
      );
    }
    this.url = url;
    this.appId = appId;
  }

  async #request(name, params = {}) {
    if (!this.#transport?.open) {
      if (!this.#opening) {
        this.#opening = Transport.open(this.url, {}, name).finally(() => {
          this.#opening = null;
        });
      }
      this.#transport = await this.#opening;
    }
    return this.#transport.request(`control.${name}`, params, name);
  }

  #app(options) {
    return options?.appId ?? this.appId;
  }

  info() {
    return this.#request('info');
  }

  async now() {
    return (await this.#request('now')).nowMs;
  }

  advance(seconds) {
    return this.#request('advance', { seconds });
  }

  runUntilIdle() {
    return this.#request('runUntilIdle');
  }

  advanceToNextEvent() {
    return this.#request('advanceToNextEvent');
  }

  disconnect(userId, options) {
    return this.#request('disconnect', { userId, appId: this.#app(options) });
  }

  reconnect(userId, options) {
    return this.#request('reconnect', { userId, appId: this.#app(options) });
  }

  setPresenceAvailable(channelName, channelType, available, options) {
    return this.#request('setPresenceAvailable', {
      channelName,
      channelType,
      available,
      appId: this.#app(options),
    });
  }

  setDeliveryLatency(userId, seconds, options) {
    return this.#request('setDeliveryLatency', { userId, seconds, appId: this.#app(options) });
  }

  reset(config) {
    return this.#request('reset', config === undefined ? {} : { config });
  }

  onlineUsers(channelName, channelType, options) {
    return this.#request('onlineUsers', { channelName, channelType, appId: this.#app(options) });
  }

  userChannels(userId, options) {
    return this.#request('userChannels', { userId, appId: this.#app(options) });
  }

  stateOf(userId, channelName, channelType, options) {
    return this.#request('stateOf', {
      userId,
      channelName,
      channelType,
      appId: this.#app(options),
    });
  }

  journal(filter = {}) {
    return this.#request('journal', { ...filter, format: 'json' });
  }

  journalJsonl(filter = {}) {
    return this.#request('journal', { ...filter, format: 'jsonl' });
  }

  clearJournal() {
    return this.#request('clearJournal');
  }

  pendingTimers() {
    return this.#request('pendingTimers');
  }

  checkInvariants() {
    return this.#request('checkInvariants');
  }

  async close() {
    await this.#transport?.close(1000, 'control closed');
    this.#transport = null;
  }
}

/** Close every socket this module opened (clients: a network loss; control). */
export async function closeAllConnections() {
  await Promise.all([...openTransports].map((transport) => transport.close()));
}

/** The default export mirrors the SDK's `AgoraRTM` object. */
const AgoraRTM = Object.freeze({
  RTM: RTMClient,
  RTMBaseError,
  VERSION,
  BUILD: `rtm-emulator-client ${VERSION}`,
  EmulatorControl,
  setArea() {},
  setParameter() {},
  getParameter() {
    return undefined;
  },
});

export { EVENT_NAMES, VERSION };
export default AgoraRTM;
