// Shared helpers for the node:test suites: one Python server per test file, a scripted
// fake server for the client-only suites, and the real SDK loaded for parity checks.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import AgoraRTM from '../index.js';
import { startEmulator } from '../node.js';

/** The repository root: `python3 -m rtm_emulator` runs from there. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The app of every client in the suites: a valid app id (R-C2). */
export const APP_ID = '0123456789abcdef0123456789abcdef';

/** The SDK's reason texts the suites check (agora-rtm.js 2.3.0 reason table). */
export const REASON = {
  [-10003]: 'Invalid App id. illegal symbol or too long.',
  [-10006]: 'Invalid user id. illegal symbol or too long.',
  [-10008]: 'Invalid channel name. illegal symbol or too long.',
  [-10014]: 'Invalid parameter.',
  [-10019]: 'Invalid channel type, some api not support set channel type as user.',
  [-10025]: 'Perform operation failed due to RTM service is not connected.',
  [-10027]: 'The user ID is already in use by another active RTM instance with the same app ID.',
  [-11001]: 'Perform operation without join stream channel.',
  [-11005]: 'Join or subscribe too many channels and have reach limitation.',
  [-13004]: 'Exceed presence cache limitation.',
  [-13005]: 'Exceed presence state count limitation.',
  [-13006]: 'Invalid presence state key.',
  [-13008]: 'Presence state key length is too long.',
  [-13009]: 'Presence state value length is too long.',
  [-13010]: 'Presence operation failed since including duplicate key.',
  [-13011]: 'Presence operation failed due to inexistent user.',
};

/** The SDK's error class of each code on the presence paths (agora-rtm.js 2.3.0, R-X2). */
export const CLASS = {
  [-10003]: 'RtmUnavailableError',
  [-10006]: 'RtmInvalidArgumentError',
  [-10008]: 'RtmInvalidArgumentError',
  [-10014]: 'RtmInvalidArgumentError',
  [-10017]: 'RtmUnavailableError',
  [-10019]: 'RtmInvalidArgumentError',
  [-10021]: 'RtmUnavailableError',
  [-10025]: 'RtmInvalidStatusError',
  [-10027]: 'RtmUnavailableError',
  [-11001]: 'RtmUnavailableError',
  [-13003]: 'RtmInvalidArgumentError',
  [-13004]: 'RtmLimitExceededError',
  [-13005]: 'RtmLimitExceededError',
  [-13006]: 'RtmInvalidArgumentError',
  [-13008]: 'RtmInvalidArgumentError',
  [-13009]: 'RtmLimitExceededError',
  [-13010]: 'RtmInvalidArgumentError',
  [-13011]: 'RtmUnavailableError',
};

/** The suites reuse user ids across tests and clients: opt out of -10027 like an SDK suite would. */
export function allowDuplicateUserIds() {
  AgoraRTM.setParameter('IGNORE_DUPLICATE_USER_ID_ERR', true);
}

/** Start `python3 -m rtm_emulator serve --port 0` (RTM_EMULATOR_PYTHON respected). */
export function startServer(args = []) {
  return startEmulator({ cwd: REPO_ROOT, args, appId: APP_ID });
}

/**
 * One server for the test file: started before its tests, stopped after them, reset
 * before each test.  `onStart(server)` receives it (tests keep it in their own `let`).
 */
export function useServer(onStart, args = []) {
  let server;
  allowDuplicateUserIds();
  before(async () => {
    server = await startServer(args);
    onStart(server);
  });
  after(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    await server.control.reset();
  });
}

/** Records what one client's listeners receive. */
export class Recorder {
  constructor(rtm) {
    this.presence = [];
    this.links = [];
    rtm.addEventListener('presence', (event) => this.presence.push(event));
    rtm.addEventListener('linkState', (event) => this.links.push(event));
  }

  /** [eventType, publisher] of every presence event so far. */
  types() {
    return this.presence.map((e) => [e.eventType, e.publisher]);
  }

  /** The presence events so far, clearing the record. */
  take() {
    return this.presence.splice(0);
  }

  takeTypes() {
    return this.take().map((e) => [e.eventType, e.publisher]);
  }

  /** [previousState, currentState] of every MESSAGE link-state event so far, clearing them. */
  takeLinks() {
    return this.links
      .splice(0)
      .filter((e) => e.serviceType === 'MESSAGE')
      .map((e) => [e.previousState, e.currentState]);
  }
}

/** A new client of the server (not logged in). */
export function client(server, userId, config = {}) {
  return new AgoraRTM.RTM(APP_ID, userId, { ...config, emulatorUrl: server.url });
}

/** A logged-in client with a Recorder attached before login. */
export async function recorded(server, userId, config = {}) {
  const rtm = client(server, userId, config);
  const events = new Recorder(rtm);
  await rtm.login();
  return { rtm, events };
}

/** The SDK error's own enumerable keys, in the SDK's order (agora-rtm.js 2.3.0). */
export function sdkErrorKeys(name) {
  const keys = ['originalError', 'code', 'serverCode', 'error', 'reason', 'operation', 'errorCode', 'name'];
  return name === 'RtmUnavailableError' ? [...keys, 'statusCode'] : keys;
}

/**
 * `status` is the SDK's error for `operation` and `code`: an `Error` of the SDK's class
 * for the code, with the SDK's fields (and its reason, when the suites know it).
 * Returns it.
 */
export function assertErrorInfo(status, operation, code, name = CLASS[code]) {
  assert.ok(status instanceof AgoraRTM.RTMBaseError, `not an RTMBaseError: ${status}`);
  assert.ok(status instanceof Error);
  assert.deepEqual(
    {
      error: status.error,
      operation: status.operation,
      errorCode: status.errorCode,
      code: status.code,
      name: status.name,
    },
    { error: true, operation, errorCode: code, code, name },
  );
  assert.deepEqual(Object.keys(status), sdkErrorKeys(name));
  assert.equal(typeof status.reason, 'string');
  if (REASON[code] !== undefined) assert.equal(status.reason, REASON[code]);
  assert.ok(status.reason.length > 0);
  assert.equal(status.message, `Error Code ${code} - ${status.reason}`);
  return status;
}

/** Await `promise`, which must reject with the SDK's error; returns the error. */
export async function rejects(promise, operation, code, name = CLASS[code]) {
  let result;
  try {
    result = await promise;
  } catch (status) {
    return assertErrorInfo(status, operation, code, name);
  }
  assert.fail(`expected ${operation} to fail with ${code}, got ${JSON.stringify(result)}`);
}

/** `fn()` must throw the SDK's error synchronously; returns it. */
export function throws(fn, operation, code, name = CLASS[code]) {
  try {
    fn();
  } catch (status) {
    return assertErrorInfo(status, operation, code, name);
  }
  assert.fail(`expected ${operation} to throw ${code}`);
}

/** `value` matches `shape`: a typeof name, an object of exact keys, or a one-item array. */
export function checkShape(value, shape, where = '$') {
  if (Array.isArray(shape)) {
    assert.ok(Array.isArray(value), where);
    value.forEach((item, i) => checkShape(item, shape[0], `${where}[${i}]`));
  } else if (typeof shape === 'object') {
    assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), where);
    assert.deepEqual(Object.keys(value).sort(), Object.keys(shape).sort(), where);
    for (const [key, sub] of Object.entries(shape)) checkShape(value[key], sub, `${where}.${key}`);
  } else {
    assert.equal(typeof value, shape, `${where}: ${JSON.stringify(value)}`);
  }
}

// ---------------------------------------------------------------- fake server

/**
 * A scripted server speaking the protocol of docs/server.md, for suites that test the
 * client without Python: `hello` gets a session; every other request is answered by
 * `reply(request, peer)`, which returns a frame body (`{result}`, `{error}`,
 * `{exception}`) or null (no answer). `peer.send(frame)` pushes a frame (events).
 * `requests` and `acks` record what the client sent.
 */
export async function fakeServer(reply = () => ({ result: { timestamp: 0 } })) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const requests = [];
  const acks = [];
  const peers = [];
  let sessions = 0;
  wss.on('connection', (ws) => {
    const peer = {
      ws,
      send(frame) {
        ws.send(JSON.stringify(frame));
      },
    };
    peers.push(peer);
    ws.on('message', async (data) => {
      const frame = JSON.parse(String(data));
      if ('ack' in frame) {
        acks.push(frame.ack);
        return;
      }
      requests.push(frame);
      let body;
      if (frame.method === 'hello') {
        sessions += 1;
        const p = frame.params;
        body = {
          result: {
            session: p.resume ?? `s${sessions}`,
            resumed: Boolean(p.resume),
            userId: p.userId,
            appId: p.appId,
            loggedIn: false,
            connected: false,
            linkState: 'IDLE',
            nowMs: 0,
          },
        };
      } else {
        body = await reply(frame, peer);
      }
      if (body) peer.send({ type: body.result !== undefined ? 'result' : 'error', id: frame.id, ...body });
    });
  });
  const url = `ws://127.0.0.1:${wss.address().port}`;
  return {
    url,
    requests,
    acks,
    peers,
    /** The requests of `method`, in order. */
    calls(method) {
      return requests.filter((r) => r.method === method);
    },
    async close() {
      for (const peer of peers) peer.ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

// ------------------------------------------------------------------ real SDK

/**
 * Load the unmodified agora-rtm-sdk@2.3.0 bundle (a dev dependency) in this process, for
 * parity checks of what the client decides without a server. Browser globals it reads
 * at load are stubbed, and its RTC dependency is replaced by an inert object; nothing
 * here logs in, so nothing reaches the network. Returns its default export.
 */
export function loadRealSdk() {
  const g = globalThis;
  const element = () => ({
    style: {},
    setAttribute() {},
    appendChild() {},
    addEventListener() {},
    getContext() {
      return null;
    },
  });
  g.window ??= g;
  g.self ??= g;
  g.document ??= {
    createElement: element,
    addEventListener() {},
    removeEventListener() {},
    body: element(),
    head: element(),
    documentElement: element(),
    visibilityState: 'visible',
    hidden: false,
    cookie: '',
    location: { href: 'http://localhost/' },
    getElementsByTagName: () => [],
    querySelector: () => null,
  };
  g.location ??= { href: 'http://localhost/', protocol: 'http:', host: 'localhost', hostname: 'localhost', search: '' };
  const storage = new Map();
  g.localStorage ??= {
    getItem: (k) => (storage.has(k) ? storage.get(k) : null),
    setItem: (k, v) => storage.set(k, String(v)),
    removeItem: (k) => storage.delete(k),
  };
  g.sessionStorage ??= g.localStorage;
  g.addEventListener ??= () => {};
  g.removeEventListener ??= () => {};
  g.XMLHttpRequest ??= class {
    open() {}
    send() {}
    setRequestHeader() {}
    addEventListener() {}
    abort() {}
  };
  g.RTCPeerConnection ??= class {};
  g.Worker ??= class {
    postMessage() {}
    addEventListener() {}
    terminate() {}
  };
  const require = createRequire(import.meta.url);
  const sdkPath = require.resolve('agora-rtm-sdk');
  const rtcPath = createRequire(sdkPath).resolve('agora-rtc-sdk-ng');
  const inert = {
    setLogLevel() {},
    setParameter() {},
    setArea() {},
    createClient() {
      // what a stream channel reads from its RTC client when it is created
      return {
        _sessionId: 'rtc-stub',
        connectionState: 'DISCONNECTED',
        remoteUsers: [],
        on() {},
        off() {},
        once() {},
        removeAllListeners() {},
        setRTMConfig() {},
      };
    },
    __CLIENT_LIST__: [],
    ConnectionDisconnectedReason: {},
  };
  require.cache[rtcPath] = { id: rtcPath, filename: rtcPath, loaded: true, exports: inert, children: [], paths: [] };
  const quiet = { log: console.log, info: console.info, warn: console.warn };
  console.log = () => {};
  console.info = () => {};
  console.warn = () => {};
  try {
    const sdk = require(sdkPath);
    return sdk.default ?? sdk;
  } finally {
    Object.assign(console, quiet);
  }
}

/** Run `fn` with the console's log, info and warn silenced (the SDK logs its calls). */
export function silently(fn) {
  const saved = { log: console.log, info: console.info, warn: console.warn };
  console.log = () => {};
  console.info = () => {};
  console.warn = () => {};
  try {
    return fn();
  } finally {
    Object.assign(console, saved);
  }
}
