'use strict';

// The transport: which WebSocket class to use (the runtime's, else websocket.cjs) and
// which URL by default (RTM_EMULATOR_URL), one socket to the server with its requests by
// id, pushed events, topic views and sync acknowledgements (docs/server.md), and the registry of
// open sockets behind closeAllConnections().

const { errorFromFrame, exceptionFromFrame, notConnected } = require('./errors.cjs');

/** Every socket this module opened, for closeAllConnections(). */
const openTransports = new Set();

/**
 * The WebSocket class: the runtime's own (browsers, jsdom, Node >= 22, Node 20 with
 * --experimental-websocket), else the package's small RFC 6455 client over node:http
 * (websocket.cjs), so that the package has no runtime dependency.
 */
function webSocketClass() {
  if (typeof globalThis.WebSocket === 'function') return globalThis.WebSocket;
  return require('../websocket.cjs').WebSocket;
}

function defaultUrl() {
  const fromEnv = globalThis.process?.env?.RTM_EMULATOR_URL;
  return fromEnv || globalThis.RTM_EMULATOR_URL || '';
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
    const WebSocketImpl = webSocketClass();
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new WebSocketImpl(url);
      } catch (err) {
        reject(notConnected(operation, `cannot reach the emulator at ${url}: ${err.message}`));
        return;
      }
      const onOpen = () => {
        socket.removeEventListener('error', onError);
        resolve(new Transport(socket, url, handlers));
      };
      const onError = (event) => {
        socket.removeEventListener('open', onOpen);
        const why = event?.message || event?.error?.message || 'connection failed';
        reject(notConnected(operation, `cannot reach the emulator at ${url}: ${why}`));
      };
      socket.addEventListener('open', onOpen, { once: true });
      socket.addEventListener('error', onError, { once: true });
    });
  }

  /** Open for requests: not closed by us, and no close frame received (readyState OPEN). */
  get open() {
    return this.live && this.socket.readyState === 1;
  }

  /**
   * Send a request; `parameters`: the SDK parameters the call carries, `extra`: other
   * frame keys (`inFlight`, R-LK9) (docs/server.md); `waits`: the reply may wait for
   * another client (an acquireLock with retry), so control calls do not wait for it.
   */
  request(method, params, operation, parameters, extra, waits = false) {
    if (!this.open) {
      return Promise.reject(
        notConnected(operation, `the emulator connection to ${this.url} is closed`),
      );
    }
    this.nextId += 1;
    const id = this.nextId;
    const frame = JSON.stringify({ id, method, params, ...(parameters ? { parameters } : {}), ...extra });
    const reply = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, operation, method, reply: null, waits });
      this.socket.send(frame);
    });
    this.pending.get(id).reply = reply;
    return reply;
  }

  onMessage(raw) {
    const frame = JSON.parse(typeof raw === 'string' ? raw : String(raw));
    switch (frame.type) {
      case 'event':
        this.handlers.onEvent?.(frame.name, frame.data);
        // The last event of a call asks for an ack: its listeners have run, tell the server.
        if (frame.sync !== undefined && this.open) this.socket.send(JSON.stringify({ ack: frame.sync }));
        break;
      case 'view':
        // The client's topic view (docs/server.md); it may be a call's last frame.
        this.handlers.onView?.(frame.name, frame.data);
        if (frame.sync !== undefined && this.open) this.socket.send(JSON.stringify({ ack: frame.sync }));
        break;
      case 'result':
      case 'error': {
        const waiter = this.pending.get(frame.id);
        if (!waiter) {
          if (frame.type === 'error') {
            globalThis.console?.warn?.('rtm-emulator-client: server error', frame.error ?? frame.exception);
          }
          break;
        }
        this.pending.delete(frame.id);
        if (frame.type === 'result') waiter.resolve(frame.result);
        else if (frame.exception !== undefined) waiter.reject(exceptionFromFrame(frame.exception));
        else waiter.reject(errorFromFrame(frame.error));
        break;
      }
      default:
        globalThis.console?.warn?.('rtm-emulator-client: unknown frame', frame);
    }
  }

  onClose(code, reason) {
    this.live = false;
    openTransports.delete(this);
    for (const { reject, operation } of this.pending.values()) {
      reject(
        notConnected(
          operation,
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

/** Calls still opening their client's session: each settles once its request is sent. */
const sending = new Set();

/** Track a call that is opening its session (`sent` settles once its request is sent). */
function trackSending(sent) {
  sending.add(sent);
  const done = () => sending.delete(sent);
  sent.then(done, done);
  return sent;
}

/**
 * Resolves once every SDK call the clients of this JS runtime have sent so far is
 * answered, a `login` (it may wait for the network, R-L3) and an acquireLock with retry
 * (it may wait for another client, R-LK6) excepted: EmulatorControl
 * calls wait for it, so that a control call never overtakes the calls made before it on
 * the clients' own sockets (the SDK checks a call, its rate limit included, when it is
 * made).
 */
async function callsInFlight() {
  if (sending.size) await Promise.allSettled([...sending]);
  const replies = [];
  for (const transport of openTransports) {
    if (!transport.handlers.client) continue;
    for (const waiter of transport.pending.values()) {
      if (waiter.method !== 'login' && !waiter.waits && waiter.reply) replies.push(waiter.reply);
    }
  }
  if (replies.length) await Promise.allSettled(replies);
}

/** Close every socket this module opened (clients: a network loss; control). */
async function closeAllConnections() {
  await Promise.all([...openTransports].map((transport) => transport.close()));
}

module.exports = { callsInFlight, closeAllConnections, defaultUrl, trackSending, Transport, trim };
