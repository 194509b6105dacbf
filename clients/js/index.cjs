'use strict';

// rtm-emulator-client: the presence surface of agora-rtm-sdk 2.3.0, backed by
// rtm_emulator's WebSocket server (`rtm-emulator serve`). Swap
//   import AgoraRTM from 'agora-rtm-sdk'
// for
//   import AgoraRTM from 'rtm-emulator-client'
// and pass `emulatorUrl` in the RTM config (or set RTM_EMULATOR_URL).
// The protocol is documented in the repository's docs/server.md.
//
// This file is the implementation for both module systems: `require` loads it, and
// index.js re-exports it for `import`.
//
// Everything an app can observe without a server (the constructor's checks, the error
// objects, the EventEmitter surface, setParameter / getParameter / setArea,
// constantsType, createStreamChannel) behaves like the SDK's runtime bundle
// (agora-rtm.js 2.3.0); every call that needs the service goes to the server, which
// decides codes, reasons and check order (docs/semantics.md, R-X1).

/**
 * The declared SDK surface, generated from rtm_emulator's operation table
 * (`python3 -m rtm_emulator._surface --manifest`): the operations and their server
 * methods, the control verbs, the event names and the shared limits. The methods of
 * RTMClient, RTMPresence, RTMStreamChannel and EmulatorControl that go to the server
 * are built from it; so are the constants below.
 */
const MANIFEST = require('./manifest.json');
const CONSTANTS = Object.freeze(MANIFEST.constants);

/** The SDK release this client stands in for (`AgoraRTM.VERSION`). */
const SDK_VERSION = '2.3.0';
/** This package's own version. */
const CLIENT_VERSION = '0.1.0';

/** The SDK's RTMClientEventMap names; only `presence` and `linkState` fire here. */
const EVENT_NAMES = Object.freeze([...MANIFEST.eventNames]);

const INVALID_APP_ID = -10003;
const INVALID_USER_ID = -10006;
const INVALID_CHANNEL_NAME = -10008;
const INVALID_PARAMETER = -10014;
const NOT_CONNECTED = -10025;
const DUPLICATE_USER_ID = -10027;
const NO_SESSION = -32002;
const RESET_CLOSE_CODE = 4001;

/**
 * The SDK's reason texts for the codes this module raises itself (the server sends the
 * others), as an app sees them (agora-rtm.js 2.3.0, reason table, final "." included).
 */
const REASONS = Object.freeze({
  [INVALID_APP_ID]: 'Invalid App id. illegal symbol or too long.',
  [INVALID_USER_ID]: 'Invalid user id. illegal symbol or too long.',
  [INVALID_CHANNEL_NAME]: 'Invalid channel name. illegal symbol or too long.',
  [INVALID_PARAMETER]: 'Invalid parameter.',
  [NOT_CONNECTED]: 'Perform operation failed due to RTM service is not connected.',
  [DUPLICATE_USER_ID]:
    'The user ID is already in use by another active RTM instance with the same app ID.',
  [-10017]: 'Same subscribe, join or login request.',
});

/** Every socket this module opened, for closeAllConnections(). */
const openTransports = new Set();

/**
 * The WebSocket class: the runtime's own (browsers, jsdom, Node >= 22, Node 20 with
 * --experimental-websocket), else the package's small RFC 6455 client over node:http
 * (websocket.cjs), so that the package has no runtime dependency.
 */
function webSocketClass() {
  if (typeof globalThis.WebSocket === 'function') return globalThis.WebSocket;
  return require('./websocket.cjs').WebSocket;
}

function defaultUrl() {
  const fromEnv = globalThis.process?.env?.RTM_EMULATOR_URL;
  return fromEnv || globalThis.RTM_EMULATOR_URL || '';
}

// ------------------------------------------------------------------------- errors

/** The SDK's reason formatting: `%s`, `%d`, `%j` take the next value; extras follow. */
function formatReason(template, values) {
  let text = String(template);
  const rest = [...values];
  if (rest.length) {
    text = text.replace(/(%?)%([sdj])/g, (whole, escaped, kind) => {
      if (escaped) return whole;
      const value = rest.shift();
      if (kind === 's') return `${value}`;
      if (kind === 'd') return `${Number(value)}`;
      return `${JSON.stringify(value)}`;
    });
    if (rest.length) text += ` ${rest.join(' ')}`;
  }
  return text.replace(/%%/g, '%');
}

const withPeriod = (text) => (text.endsWith('.') ? text : `${text}.`);

/** `args` as the SDK's error constructor reads it: a text, or `[template, ...values]`. */
function reasonOf(args) {
  if (typeof args === 'string' && args) return withPeriod(args);
  if (Array.isArray(args) && typeof args[0] === 'string' && args[0]) {
    return withPeriod(formatReason(args[0], args.slice(1)));
  }
  return '';
}

function infoCode(errorInfo) {
  if (typeof errorInfo === 'number') return errorInfo;
  if (errorInfo != null && typeof errorInfo === 'object') return errorInfo.code;
  return undefined;
}

/**
 * A failed call, shaped like the SDK's RTMBaseError (agora-rtm.js 2.3.0, class
 * RTMBaseError): an `Error` whose own enumerable fields are, in this order,
 * `originalError, code, serverCode, error, reason, operation, errorCode` (then `name` in
 * the subclasses), with `message` "Error Code C - reason". Same constructor:
 * `new RTMBaseError(operation, reason | [template, ...values], code | {code, serverCode,
 * originalError} | name)`.
 *
 * Emulator extra: `detail` (not enumerable, so JSON and `Object.keys` stay the SDK's)
 * says what was wrong and with which value.
 */
class RTMBaseError extends Error {
  originalError = undefined;
  code = undefined;
  serverCode = undefined;
  error = undefined;
  reason = undefined;
  operation = undefined;
  errorCode = undefined;

  constructor(operation, args, errorInfo) {
    const reason = reasonOf(args);
    const code = infoCode(errorInfo);
    const serverCode =
      errorInfo != null && typeof errorInfo === 'object' ? errorInfo.serverCode : undefined;
    const head = `${code !== undefined ? `Error Code ${code}` : ''}${
      serverCode !== undefined ? `, server Code ${serverCode}` : ''
    }`;
    super(head ? `${head} - ${reason}` : reason);
    if (typeof errorInfo === 'number') {
      this.code = errorInfo;
    } else if (typeof errorInfo === 'string') {
      this.name = errorInfo;
    } else if (errorInfo != null && typeof errorInfo === 'object') {
      if (errorInfo.originalError) this.originalError = errorInfo.originalError;
      if (errorInfo.code !== undefined) this.code = errorInfo.code;
      if (errorInfo.serverCode !== undefined) this.serverCode = errorInfo.serverCode;
    }
    this.error = true;
    this.errorCode = this.code ?? 0;
    this.operation = operation ?? '';
    this.reason = reason;
  }
}

// Node's console / util.inspect show an error's own enumerable fields; add the detail.
Object.defineProperty(RTMBaseError.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(depth, options, inspect) {
    if (typeof inspect !== 'function') return this;
    const base = inspect(this, { ...options, customInspect: false });
    return this.detail ? `${base}\n  [rtm-emulator] ${this.detail}` : base;
  },
  writable: true,
  configurable: true,
});

/** The SDK's error classes (agora-rtm.js 2.3.0: subclasses of RTMBaseError, by `name`). */
class RtmInvalidArgumentError extends RTMBaseError {
  name = 'RtmInvalidArgumentError';
}
class RtmInvalidStatusError extends RTMBaseError {
  name = 'RtmInvalidStatusError';
}
class RtmLimitExceededError extends RTMBaseError {
  name = 'RtmLimitExceededError';
}
class RtmUnavailableError extends RTMBaseError {
  name = 'RtmUnavailableError';
  statusCode = undefined;
}
class RtmTimeoutError extends RTMBaseError {
  name = 'RtmTimeoutError';
}
class RtmInvokeTooOftenError extends RTMBaseError {
  name = 'RtmInvokeTooOftenError';
}
class RtmUnauthenticatedError extends RTMBaseError {
  name = 'RtmUnauthenticatedError';
  // The SDK's class declares the field again, which resets it.
  serverCode = undefined;
}
class RtmUnknownError extends RTMBaseError {
  name = 'RtmUnknownError';
}

const ERROR_CLASSES = Object.freeze({
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmLimitExceededError,
  RtmUnavailableError,
  RtmTimeoutError,
  RtmInvokeTooOftenError,
  RtmUnauthenticatedError,
  RtmUnknownError,
});

/**
 * The class the SDK raises a code with, for errors whose frame names none (an older
 * server): codes not listed are RtmUnavailableError, as server codes are in the SDK.
 */
const CLASS_OF_CODE = new Map(
  [
    [
      'RtmInvalidArgumentError',
      [
        -10005, -10006, -10008, -10010, -10014, -10016, -10019, -10024, -11008, -11009, -11010,
        -11029, -11030, -12003, -12005, -12007, -12009, -12010, -12011, -13003, -13006, -13008,
        -13010, -14005, -15002, -15004,
      ],
    ],
    ['RtmLimitExceededError', [-11005, -12002, -12006, -12012, -12017, -13004, -13005, -13009]],
    ['RtmInvalidStatusError', [-10025, -12015]],
    ['RtmTimeoutError', [-10011, -10026, -11026]],
    ['RtmUnauthenticatedError', [-10009, -10015]],
  ].flatMap(([name, codes]) => codes.map((code) => [code, name])),
);

function withDetail(err, detail) {
  if (detail) {
    Object.defineProperty(err, 'detail', {
      value: String(detail),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return err;
}

/** An SDK-shaped error for `code` raised by this module, with the SDK's reason. */
function sdkError(className, operation, code, detail) {
  return withDetail(new ERROR_CLASSES[className](operation, [REASONS[code]], code), detail);
}

/** The error of an `error` frame (the server's RTM error, or a -32xxx protocol error). */
function errorFromFrame(info) {
  const code = info?.code ?? info?.errorCode;
  const errorInfo = { code };
  if (info?.serverCode !== undefined) errorInfo.serverCode = info.serverCode;
  let name = info?.name;
  if (typeof name !== 'string' || !name) {
    name = code <= -32000 ? 'RtmEmulatorProtocolError' : CLASS_OF_CODE.get(code) ?? 'RtmUnavailableError';
  }
  const Cls = ERROR_CLASSES[name];
  let err;
  if (Cls) {
    err = new Cls(info?.operation, info?.reason, errorInfo);
  } else {
    err = new RTMBaseError(info?.operation, info?.reason, errorInfo);
    err.name = name;
  }
  return withDetail(err, info?.detail);
}

/** The plain JavaScript exception of an `exception` frame (R-X3). */
function exceptionFromFrame(info) {
  const message = String(info?.message ?? '');
  switch (info?.name) {
    case 'TypeError':
      return new TypeError(message);
    case 'RangeError':
      return new RangeError(message);
    case 'SyntaxError':
      return new SyntaxError(message);
    case 'InvalidCharacterError':
      if (typeof globalThis.DOMException === 'function') {
        return new globalThis.DOMException(message, 'InvalidCharacterError');
      }
      break;
    default:
      break;
  }
  const err = new Error(message);
  err.name = String(info?.name ?? 'Error');
  return err;
}

/** The call could not reach the service: the SDK's -10025, the detail says why. */
function notConnected(operation, detail) {
  return sdkError('RtmInvalidStatusError', operation, NOT_CONNECTED, detail);
}

// ------------------------------------------------------------------- parameters

/**
 * The SDK's parameter store (agora-rtm.js 2.3.0, setParameter / getParameter): global
 * to the module, like the SDK's is global to the page. `type` is checked and numbers
 * are normalised like the SDK does; only IGNORE_DUPLICATE_USER_ID_ERR and
 * EXTEND_CHANNEL_NAME change what this client does (README: "Parameters").
 */
const PARAMETER_TYPES = {
  PRESENCE_MODE: { type: 'enum', enums: [1, 2], defaultValue: 1 },
  MIN_RECONNECT_TIMEOUT_IN_SECONDS: { type: 'number', min: 15, max: 3600 },
  STREAM_CHANNEL_COUNT: { type: 'number', defaultValue: CONSTANTS.streamChannelCount, max: 100 },
  MESSAGE_CHANNEL_COUNT: { type: 'number', defaultValue: CONSTANTS.messageChannelCount },
  HISTORY_MSG_COUNT_LIMIT: { type: 'number', defaultValue: 100 },
  CONFIG_QUERY_INTERVAL: { type: 'number', defaultValue: 300_000 },
  LOG_UPLOAD_INTERVAL: { type: 'number', defaultValue: 5000 },
  RTM_LINK_KEEP_ALIVE_TIMEOUT: { type: 'number', defaultValue: 10_000 },
  HEART_BEAT: { type: 'number' },
  MAX_STATE_COUNT: { type: 'number', defaultValue: CONSTANTS.maxStateKeys },
  PRESENCE_BACKOFF_EVENT_INTERVAL: { type: 'number', defaultValue: 60_000 },
  PRESENCE_PENDING_QUEUE_LIMIT: { type: 'number', defaultValue: 16 },
  PRESENCE_PENDING_DISPATCH_INTERVAL: { type: 'number', defaultValue: 50 },
  PRESENCE_TOPN_THRESHOLD: { type: 'number' },
  LOCK_TTL: { type: 'number', defaultValue: 10 },
  P2P_MSG_REORDER_TIMEOUT: { type: 'number' },
  CHANNEL_MSG_REORDER_TIMEOUT: { type: 'number' },
  RECONNECTING_AP_INTERVAL: { type: 'number' },
  CONCURRENT_AP_NUM: { type: 'number', defaultValue: 3 },
  PRESENCE_INTERVAL: { type: 'number' },
  PRESENCE_THRESHOLD: { type: 'number' },
  PRESENCE_DEBOUNCE: { type: 'number' },
  PRESENCE_TIMEOUT: { type: 'number' },
  PRESENCE_RPC_TIMEOUT: { type: 'number' },
  ENABLE_API_RATE_LIMIT: { type: 'boolean', defaultValue: true },
  DISABLE_MESSAGE_COMPRESSION: { type: 'boolean', defaultValue: false },
  DISABLE_PRESENCE: { type: 'boolean', defaultValue: false },
  DECOUPLE_SYNC: { type: 'boolean', defaultValue: true },
  RTM2_ENABLED: { type: 'boolean' },
  LOCK_ENABLED: { type: 'boolean' },
  STORAGE_ENABLED: { type: 'boolean' },
  STORAGE_CHANNEL_SUB_ENABLED: { type: 'boolean' },
  STORAGE_USER_SUB_ENABLED: { type: 'boolean' },
  EDGE_USE_IP: { type: 'boolean', defaultValue: false },
  REGISTRAR_USE_WS: { type: 'boolean', defaultValue: false },
  ENABLE_EDGE_AUTO_FALLBACK: { type: 'boolean', defaultValue: false },
  CLOUD_PROXY: { type: 'boolean' },
  LOG_PING_PONG: { type: 'boolean', defaultValue: false },
  LOG_UPLOAD: { type: 'boolean', defaultValue: false },
  SENSITIVE_LOG: { type: 'boolean', defaultValue: true },
  TDS_DOMAINS: { type: 'string[]' },
  LOG_UPLOAD_DOMAIN_LIST: { type: 'string[]' },
  EVENT_REPORT_DOMAIN_LIST: { type: 'string[]' },
  AP_DOMAIN_LIST: { type: 'string[]' },
  AP_OVERRIDE_DOMAIN_LIST: { type: 'string[]' },
  EDGE_OVERRIDE_DOMAIN_TLD_LIST: { type: 'string[]' },
  EDGE_DOMAIN_TLD_LIST: { type: 'string[]' },
  EDGE_IP_LIST: { type: 'string[]' },
  API_RATE_LIMIT: { type: 'Map' },
  LOG_HANDLER: { type: 'function' },
  EDGE_ENV_PORT: { type: 'object' },
};

/** The SDK's per-operation rate limits (calls per second), the API_RATE_LIMIT default. */
const DEFAULT_RATE_LIMITS = Object.entries(CONSTANTS.rateLimits);

/**
 * The API_RATE_LIMIT map. Like the SDK's, it is one object: setParameter merges into it,
 * and a null / undefined value puts it back, merged entries and all.
 */
const defaultRateLimits = new Map(DEFAULT_RATE_LIMITS);

/** The keys setParameter accepts, with their initial values (undefined: unset). */
function initialParameters() {
  return new Map([
    ...[
      'AP_OVERRIDE_DOMAIN_LIST',
      'AP_DOMAIN_LIST',
      'EDGE_OVERRIDE_DOMAIN_TLD_LIST',
      'EDGE_DOMAIN_TLD_LIST',
      'EDGE_IP_LIST',
      'EDGE_ENV_PORT',
    ].map((key) => [key, undefined]),
    ['REGISTRAR_USE_WS', false],
    ['RECONNECTING_AP_INTERVAL', undefined],
    ['CONCURRENT_AP_NUM', undefined],
    ['ENABLE_EDGE_AUTO_FALLBACK', false],
    ['EDGE_USE_IP', false],
    ['API_RATE_LIMIT', defaultRateLimits],
    ['ENABLE_API_RATE_LIMIT', true],
    ...[
      'TDS_DOMAINS',
      'CONFIG_QUERY_INTERVAL',
      'CLOUD_PROXY',
      'LOG_UPLOAD_INTERVAL',
      'LOG_HANDLER',
      'LOG_UPLOAD_DOMAIN_LIST',
    ].map((key) => [key, undefined]),
    ['LOG_UPLOAD', false],
    ...[
      'EVENT_REPORT_DOMAIN_LIST',
      'MIN_RECONNECT_TIMEOUT_IN_SECONDS',
      'RTM_LINK_KEEP_ALIVE_TIMEOUT',
      'HEART_BEAT',
      'STREAM_CHANNEL_COUNT',
      'MESSAGE_CHANNEL_COUNT',
    ].map((key) => [key, undefined]),
    ['EXTEND_CHANNEL_NAME', false],
    ['HISTORY_MSG_COUNT_LIMIT', undefined],
    ['DISABLE_MESSAGE_COMPRESSION', false],
    ['MAX_STATE_COUNT', undefined],
    ['DISABLE_PRESENCE', false],
    ['PRESENCE_TIMEOUT', undefined],
    ['PRESENCE_RPC_TIMEOUT', undefined],
    ['DECOUPLE_SYNC', true],
    ...[
      'PRESENCE_BACKOFF_EVENT_INTERVAL',
      'PRESENCE_PENDING_QUEUE_LIMIT',
      'PRESENCE_PENDING_DISPATCH_INTERVAL',
      'PRESENCE_MODE',
      'PRESENCE_TOPN_THRESHOLD',
      'LOCK_TTL',
      'P2P_MSG_REORDER_TIMEOUT',
      'CHANNEL_MSG_REORDER_TIMEOUT',
    ].map((key) => [key, undefined]),
    ['SENSITIVE_LOG', true],
    ['LOG_PING_PONG', false],
    ['IGNORE_DUPLICATE_USER_ID_ERR', false],
    ...[
      'RTM2_ENABLED',
      'LOCK_ENABLED',
      'STORAGE_ENABLED',
      'STORAGE_CHANNEL_SUB_ENABLED',
      'STORAGE_USER_SUB_ENABLED',
      'PRESENCE_INTERVAL',
      'PRESENCE_THRESHOLD',
      'PRESENCE_DEBOUNCE',
      'HISTORY_ENABLED',
    ].map((key) => [key, undefined]),
  ]);
}

const parameters = initialParameters();
const vidMap = new Map();
let areaConfig;

function badParameter(detail) {
  return sdkError('RtmInvalidArgumentError', 'set parameter', INVALID_PARAMETER, detail);
}

function checkParameter(key, value) {
  const spec = PARAMETER_TYPES[key];
  if (!spec || value === undefined) return;
  const expect = (ok, what) => {
    if (!ok) throw badParameter(`setParameter: ${key} expects ${what}, got ${typeof value}`);
  };
  switch (spec.type) {
    case 'number':
      expect(typeof value === 'number', 'number');
      break;
    case 'boolean':
      expect(typeof value === 'boolean', 'boolean');
      break;
    case 'string[]':
      expect(Array.isArray(value), 'string[]');
      expect(value.every((item) => typeof item === 'string'), 'string[] (non-string items)');
      break;
    case 'enum':
      expect(spec.enums.includes(value), `one of ${spec.enums.join(', ')}`);
      break;
    case 'Map':
      if (value === null) return;
      expect(value instanceof Map, 'Map<string, number>');
      for (const [k, v] of value) {
        expect(typeof k === 'string' && typeof v === 'number', 'Map<string, number>');
      }
      break;
    case 'function':
      expect(typeof value === 'function', 'function');
      break;
    case 'object':
      // EDGE_ENV_PORT, the only one: not null, and its 0 / 1 entries numbers when present
      expect(value !== null, 'an object with 0 and 1 properties');
      expect(
        (value[0] === undefined || typeof value[0] === 'number') &&
          (value[1] === undefined || typeof value[1] === 'number'),
        'numbers as properties 0 and 1',
      );
      break;
    default:
      break;
  }
}

function normaliseParameter(key, value) {
  const spec = PARAMETER_TYPES[key];
  if (!spec || value === undefined) return value;
  if (spec.type === 'number') {
    if (value === 0) return undefined;
    if (spec.min !== undefined && value < spec.min) return spec.min;
    if (spec.max !== undefined && value > spec.max) return spec.max;
  } else if (spec.type === 'string[]') {
    const items = value.filter((item) => item).map((item) => item.trim());
    return items.length ? items : undefined;
  }
  return value;
}

/**
 * `AgoraRTM.setParameter(key, value)`: an unknown key or a value of the wrong type
 * throws the SDK's -10014 (`RtmInvalidArgumentError`, operation "set parameter").
 */
function setParameter(key, value) {
  if (!parameters.has(key)) throw badParameter(`setParameter: unknown key ${String(key)}`);
  checkParameter(key, value);
  const normal = normaliseParameter(key, value);
  if (key === 'API_RATE_LIMIT') {
    if (normal == null) {
      parameters.set(key, defaultRateLimits);
    } else {
      for (const [k, v] of normal) parameters.get(key).set(k, v);
    }
    return;
  }
  parameters.set(key, normal);
}

/** `AgoraRTM.getParameter(key)`: the value set, else the SDK's default, else undefined. */
function getParameter(key) {
  if (key === 'VID') return vidMap;
  if (key === 'AREA_CONFIG') return areaConfig;
  const value = parameters.get(key);
  if (value !== null && value !== undefined) return value;
  return PARAMETER_TYPES[key]?.defaultValue;
}

const AREA_CODES = ['GLOBAL', 'INDIA', 'JAPAN', 'ASIA', 'EUROPE', 'CHINA', 'NORTH_AMERICA'];
const AREA_NAMES = [
  'CHINA',
  'ASIA',
  'NORTH_AMERICA',
  'EUROPE',
  'JAPAN',
  'INDIA',
  'OCEANIA',
  'SOUTH_AMERICA',
  'AFRICA',
  'GLOBAL',
  'OVERSEA',
  'SOUTH_KOREA',
  'UNITED_STATES',
];

/**
 * `AgoraRTM.setArea({areaCodes, excludedArea})`: checked like the SDK checks it (the
 * emulator has one area, so a valid setting changes nothing else).
 */
function setArea(options) {
  const areaCodes = options.areaCodes; // no argument: the SDK's TypeError
  const excludedArea = options.excludedArea;
  let reason = '';
  if (!Array.isArray(areaCodes) || !areaCodes.every((code) => AREA_CODES.includes(code))) {
    reason = 'Invalid area config';
  } else if (excludedArea !== undefined && excludedArea === 'GLOBAL') {
    reason = 'Excluded area cannot be global';
  } else if (excludedArea && areaCodes.includes(excludedArea)) {
    reason = 'Excluded area cannot be in areaCodes';
  } else if (excludedArea && !AREA_NAMES.includes(excludedArea)) {
    reason = 'Invalid excludedArea';
  }
  if (reason) {
    areaConfig = undefined;
    throw new RtmInvalidArgumentError('setArea', reason);
  }
  areaConfig = areaCodes.length === 0 && excludedArea === undefined ? undefined : { areaCodes, excludedArea };
}

// --------------------------------------------------------------- constantsType

/** A TypeScript-style numeric enum object: name -> number and number -> name. */
function numericEnum(names) {
  const out = {};
  names.forEach((name, i) => {
    out[name] = i;
    out[i] = name;
  });
  return out;
}

const sameName = (names) => Object.fromEntries(names.map((name) => [name, name]));

const LINK_REASON_CODES = [
  'UNKNOWN',
  'LOGIN',
  'LOGIN_SUCCESS',
  'LOGIN_TIMEOUT',
  'LOGIN_NOT_AUTHORIZED',
  'LOGIN_REJECTED',
  'RELOGIN',
  'LOGOUT',
  'AUTO_RECONNECT',
  'RECONNECT_TIMEOUT',
  'RECONNECT_SUCCESS',
  'JOIN',
  'JOIN_SUCCESS',
  'JOIN_FAILED',
  'REJOIN',
  'LEAVE',
  'INVALID_TOKEN',
  'TOKEN_EXPIRED',
  'INCONSISTENT_APP_ID',
  'INVALID_CHANNEL_NAME',
  'INVALID_USER_ID',
  'NOT_INITIALIZED',
  'RTM_SERVICE_NOT_CONNECTED',
  'CHANNEL_INSTANCE_EXCEED_LIMITATION',
  'OPERATION_RATE_EXCEED_LIMITATION',
  'CHANNEL_IN_ERROR_STATE',
  'PRESENCE_NOT_CONNECTED',
  'SAME_UID_LOGIN',
  'KICKED_OUT_BY_SERVER',
  'KEEP_ALIVE_TIMEOUT',
  'CONNECTION_ERROR',
  'PRESENCE_NOT_READY',
  'NETWORK_CHANGE',
  'SERVICE_NOT_SUPPORTED',
  'STREAM_CHANNEL_NOT_AVAILABLE',
  'STORAGE_NOT_AVAILABLE',
  'LOCK_NOT_AVAILABLE',
  'LOGIN_TOO_FREQUENT',
];

/** The texts of the SDK's LinkStateChangeReasonDescription enum, by reason code. */
const LINK_REASON_TEXTS = [
  'Unknown',
  'Perform login operation',
  'Login success',
  'Login timeout',
  'Login not authorized',
  'Login rejected',
  'Perform login operation again',
  'Logout success',
  'Reconnecting',
  'Reconnect timeout',
  'Reconnect success',
  'Perform join operation',
  'Join channel success',
  'Join channel failed',
  'Perform join operation again',
  'Leave channel success',
  'Invalid token',
  'Token expired',
  'Inconsistent app ID',
  'Invalid channel name',
  'Invalid user id',
  'Not initialized',
  'RTM service not connected',
  'Channel instance exceed limitation',
  'Operation rate exceed limitation',
  'Channel in error state',
  'Presence not connected',
  'The same uid login on another device',
  'Kicked out by server',
  'Keep alive timeout',
  'Connection error',
  'Presence not ready',
  'Network change',
  'Service not supported',
  'Stream channel not available',
  'Storage service is not available',
  'Lock service is not available',
  'Login operation is too frequent',
];

/** `AgoraRTM.constantsType`: the SDK's exported enums (agora-rtm.d.ts, ConstantsType). */
const constantsType = Object.freeze({
  __proto__: null,
  AreaCode: sameName(AREA_CODES),
  ChannelTypeEnum: { 1: 'MESSAGE', 2: 'STREAM', 3: 'USER', MESSAGE: 1, STREAM: 2, USER: 3 },
  LegacyAreaCode: sameName(['CN', 'NA', 'EU', 'AS', 'JP', 'IN', 'GLOB', 'OC', 'SA', 'AF', 'KR', 'US', 'OVS']),
  LinkStateChangeReason4Report: numericEnum(LINK_REASON_CODES),
  LinkStateChangeReasonDescription: Object.fromEntries(
    LINK_REASON_CODES.map((code, i) => [code, LINK_REASON_TEXTS[i]]),
  ),
  MessageType: sameName(['STRING', 'BINARY']),
  TokenEventReason: {
    WILL_EXPIRE: 'The token is about to expire',
    READ_PERMISSION_REVOKED: 'The token read permission is revoked',
  },
  subscribedState: sameName(['UNSUBSCRIBED', 'SUBSCRIBED']),
});

// ------------------------------------------------------------------ identifiers

const ID_CHARS = String.raw`A-Za-z0-9 !#$%&()+,\-:;<=>?@[\]^_{|}~`;
const ID_PATTERN = new RegExp(`^[${ID_CHARS}]{1,${CONSTANTS.maxNameChars}}$`);
const EXTENDED_CHANNEL_PATTERN = new RegExp(`^[${ID_CHARS}.\`]{1,${CONSTANTS.maxNameChars}}$`);

/** R-C2: 32 ASCII letters or digits (tested like the SDK tests it: `RegExp.test`). */
function validAppId(appId) {
  return /^[0-9A-Za-z]{32}$/.test(appId);
}

/** R-C1: a user id or channel name (with EXTEND_CHANNEL_NAME, channels may hold `.` and `` ` ``). */
function validId(value, extended = false) {
  return (
    typeof value === 'string' &&
    !value.startsWith('_') &&
    (extended ? EXTENDED_CHANNEL_PATTERN : ID_PATTERN).test(value)
  );
}

function validChannelName(name) {
  return validId(name, Boolean(getParameter('EXTEND_CHANNEL_NAME')));
}

function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Every `appId-userId` constructed in this JS runtime (never cleared, like the SDK's). */
const constructedUsers = new Set();

// --------------------------------------------------------------- EventEmitter

let defaultMaxListeners = 10;

function checkListenerFunction(listener) {
  if (typeof listener !== 'function') {
    throw new TypeError(
      `The "listener" argument must be of type Function. Received type ${typeof listener}`,
    );
  }
}

function checkCount(n, what) {
  if (typeof n !== 'number' || n < 0 || Number.isNaN(n)) {
    throw new RangeError(
      `The value of "${what}" is out of range. It must be a non-negative number. Received ${n}.`,
    );
  }
}

/**
 * The SDK's EventEmitter (the `events` package's API, as in Node): `on` / `addListener`,
 * `prependListener`, `once`, `prependOnceListener`, `off` / `removeListener`,
 * `removeAllListeners`, `emit`, `listeners`, `rawListeners`, `listenerCount`,
 * `eventNames`, `setMaxListeners`, `getMaxListeners`; the `newListener` and
 * `removeListener` events; `emit('error')` without a listener throws.
 */
class EventEmitter {
  #events = new Map();
  #maxListeners = undefined;

  static get defaultMaxListeners() {
    return defaultMaxListeners;
  }

  static set defaultMaxListeners(n) {
    checkCount(n, 'defaultMaxListeners');
    defaultMaxListeners = n;
  }

  setMaxListeners(n) {
    checkCount(n, 'n');
    this.#maxListeners = n;
    return this;
  }

  getMaxListeners() {
    return this.#maxListeners === undefined ? defaultMaxListeners : this.#maxListeners;
  }

  emit(eventName, ...args) {
    const list = this.#events.get(eventName);
    if (eventName === 'error' && list === undefined) {
      const [err] = args;
      if (err instanceof Error) throw err;
      const unhandled = new Error(`Unhandled error.${err ? ` (${err.message})` : ''}`);
      unhandled.context = err;
      throw unhandled;
    }
    if (list === undefined) return false;
    for (const listener of [...list]) listener.apply(this, args);
    return true;
  }

  addListener(eventName, listener) {
    return this.#add(eventName, listener, false);
  }

  prependListener(eventName, listener) {
    return this.#add(eventName, listener, true);
  }

  once(eventName, listener) {
    checkListenerFunction(listener);
    this.on(eventName, this.#onceWrapper(eventName, listener));
    return this;
  }

  prependOnceListener(eventName, listener) {
    checkListenerFunction(listener);
    this.prependListener(eventName, this.#onceWrapper(eventName, listener));
    return this;
  }

  removeListener(eventName, listener) {
    checkListenerFunction(listener);
    return this.#remove(eventName, listener);
  }

  removeAllListeners(...args) {
    const hasRemoveListener = this.#events.has('removeListener');
    if (args.length === 0) {
      if (hasRemoveListener) {
        for (const name of [...this.#events.keys()]) {
          if (name !== 'removeListener') this.#removeAll(name);
        }
        this.#removeAll('removeListener');
      }
      this.#events = new Map();
    } else if (hasRemoveListener) {
      this.#removeAll(args[0]);
    } else {
      this.#events.delete(args[0]);
    }
    return this;
  }

  listeners(eventName) {
    return (this.#events.get(eventName) ?? []).map((fn) => fn.listener ?? fn);
  }

  rawListeners(eventName) {
    return [...(this.#events.get(eventName) ?? [])];
  }

  listenerCount(eventName) {
    return this.#events.get(eventName)?.length ?? 0;
  }

  eventNames() {
    return [...this.#events.keys()];
  }

  #add(eventName, listener, prepend) {
    checkListenerFunction(listener);
    if (this.#events.has('newListener')) {
      this.emit('newListener', eventName, listener.listener ?? listener);
    }
    let list = this.#events.get(eventName);
    if (list === undefined) {
      list = [];
      this.#events.set(eventName, list);
    }
    if (prepend) list.unshift(listener);
    else list.push(listener);
    const max = this.getMaxListeners();
    if (max > 0 && list.length > max && !list.warned) {
      list.warned = true;
      const warning = new Error(
        `Possible EventEmitter memory leak detected. ${list.length} ${String(eventName)} listeners added. Use emitter.setMaxListeners() to increase limit`,
      );
      warning.name = 'MaxListenersExceededWarning';
      warning.emitter = this;
      warning.type = eventName;
      warning.count = list.length;
      globalThis.console?.warn?.(warning);
    }
    return this;
  }

  #remove(eventName, listener) {
    const list = this.#events.get(eventName);
    if (list === undefined) return this;
    let at = -1;
    for (let i = list.length - 1; i >= 0; i -= 1) {
      if (list[i] === listener || list[i].listener === listener) {
        at = i;
        break;
      }
    }
    if (at < 0) return this;
    const [removed] = list.splice(at, 1);
    if (list.length === 0) this.#events.delete(eventName);
    if (this.#events.has('removeListener')) {
      this.emit('removeListener', eventName, removed.listener ?? listener);
    }
    return this;
  }

  #removeAll(eventName) {
    const list = this.#events.get(eventName);
    if (list === undefined) return;
    for (let i = list.length - 1; i >= 0; i -= 1) this.#remove(eventName, list[i]);
  }

  #onceWrapper(eventName, listener) {
    let fired = false;
    const target = this;
    function wrapper(...args) {
      if (fired) return undefined;
      // Through the public method, as the SDK's emitter does: on the client and stream
      // channels, whose removeListener is hidden, a `once` listener throws when fired.
      target.removeListener(eventName, wrapper);
      fired = true;
      return listener.apply(target, args);
    }
    wrapper.listener = listener;
    return wrapper;
  }
}

EventEmitter.prototype.on = EventEmitter.prototype.addListener;
EventEmitter.prototype.off = EventEmitter.prototype.removeListener;

/**
 * The SDK's emitters wrap `emit`: a listener that throws is caught and logged ("Caught in
 * the callback function of the event ..."), the listeners after it do not run, and
 * `emit` returns false; otherwise it returns true, listeners or not.
 */
class TrackedEmitter extends EventEmitter {
  #logs;

  constructor(logs) {
    super();
    this.#logs = logs;
  }

  emit(eventName, ...args) {
    try {
      super.emit(eventName, ...args);
      return true;
    } catch (err) {
      if (this.#logs()) {
        globalThis.console?.error?.(
          `rtm-emulator-client: Caught in the callback function of the event ${String(eventName)}.`,
          err,
        );
      }
      return false;
    }
  }
}

/** Like the SDK's client and stream channel: `addListener` / `removeListener` are hidden. */
function banOriginListeners(emitter) {
  for (const name of ['addListener', 'removeListener']) {
    Object.defineProperty(emitter, name, {
      value: undefined,
      writable: false,
      enumerable: false,
      configurable: false,
    });
  }
}

// ------------------------------------------------------------------- transport

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

  request(method, params, operation) {
    if (!this.open) {
      return Promise.reject(
        notConnected(operation, `the emulator connection to ${this.url} is closed`),
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

// ---------------------------------------------------------------------- client

const CONTROL_PREFIX = 'control.';

/** Define `proto[name]` as a class method is defined (not enumerable), of length `arity`. */
function defineMethod(proto, name, arity, fn) {
  const method = { [name](...args) { return fn.apply(this, args); } }[name];
  Object.defineProperty(method, 'length', { value: arity, configurable: true });
  Object.defineProperty(proto, name, { value: method, writable: true, configurable: true });
}

/**
 * One method on `proto` per manifest operation that lives on `home` and has a server
 * method, unless the class defines it itself (login, logout): it sends the row's
 * positional arguments (extra ones dropped) through `invoke(self, row, args)`.
 */
function defineServerMethods(proto, home, invoke) {
  for (const row of MANIFEST.operations) {
    if (row.home !== home || row.wire === null || Object.hasOwn(proto, row.sdk)) continue;
    const arity = row.params.length;
    defineMethod(proto, row.sdk, arity, function call(...args) {
      return invoke(this, row, args.slice(0, arity));
    });
  }
}

/** The server method of the manifest operation `sdk` on `home` (a missing row throws). */
function wireOf(home, sdk) {
  const row = MANIFEST.operations.find((r) => r.home === home && r.sdk === sdk);
  if (!row?.wire) throw new Error(`rtm-emulator-client: no server operation ${home}.${sdk} in manifest.json`);
  return row.wire;
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

  constructor(call, channelName, logs) {
    super(logs);
    banOriginListeners(this);
    this.#call = call;
    this.#name = channelName;
  }

  /** The channel's name (not in the SDK). */
  get channelName() {
    return this.#name;
  }

  // join, leave: one method per manifest operation of a stream channel (the channel's
  // name goes first on the wire).
  static {
    defineServerMethods(this.prototype, 'stream', (self, row, args) =>
      self.#call(row.wire, [self.#name, ...args]),
    );
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

  constructor(appId, userId, rtmConfig) {
    const operation = 'initRTM';
    if (!validAppId(appId)) {
      throw sdkError(
        'RtmUnavailableError',
        operation,
        INVALID_APP_ID,
        `app id must be 32 ASCII letters or digits, got ${describe(appId)}`,
      );
    }
    if (!validId(userId)) {
      throw sdkError(
        'RtmInvalidArgumentError',
        operation,
        INVALID_USER_ID,
        `invalid user id ${describe(userId)}`,
      );
    }
    const key = `${appId}-${userId}`;
    if (!getParameter('IGNORE_DUPLICATE_USER_ID_ERR') && constructedUsers.has(key)) {
      throw sdkError(
        'RtmUnavailableError',
        operation,
        DUPLICATE_USER_ID,
        `a client of user ${describe(userId)} of app ${appId} was already created in this JS runtime (setParameter("IGNORE_DUPLICATE_USER_ID_ERR", true) allows it)`,
      );
    }
    const given = rtmConfig !== null && typeof rtmConfig === 'object' ? rtmConfig : {};
    if (given.useStringUserId === false) {
      const n = Number(userId);
      if (!(Number.isInteger(n) && n >= 0)) {
        throw sdkError(
          'RtmInvalidArgumentError',
          operation,
          INVALID_USER_ID,
          `useStringUserId is false: user id ${describe(userId)} is not a non-negative integer`,
        );
      }
    }
    const { emulatorUrl, ...config } = given;
    const url = emulatorUrl || defaultUrl();
    if (!url) {
      throw sdkError(
        'RtmInvalidArgumentError',
        operation,
        INVALID_PARAMETER,
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
    this.emulator = new EmulatorLink(this);
  }

  /** R-L3: a second login while one is still connecting is -10017, as in the SDK. */
  async login(options) {
    if (this.#loggingIn) {
      throw sdkError('RtmUnavailableError', 'login', -10017, 'a login of this client is still connecting');
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
    await transport?.close(1000, 'logout');
    return response;
  }

  /** Checks the name at once (-10008, `operation` "createStreamChannel"). */
  createStreamChannel(channelName) {
    if (!validChannelName(channelName)) {
      throw sdkError(
        'RtmInvalidArgumentError',
        'createStreamChannel',
        INVALID_CHANNEL_NAME,
        `invalid channel name ${describe(channelName)}`,
      );
    }
    let stream = this.#streams.get(channelName);
    if (!stream) {
      stream = new RTMStreamChannel((method, args) => this._call(method, args), channelName, this.#logs);
      this.#streams.set(channelName, stream);
    }
    return stream;
  }

  /** Any event name; a listener that is not a function is a TypeError (R-C5). */
  addEventListener(eventName, listener) {
    this.#events.on(eventName, listener);
  }

  removeEventListener(eventName, listener) {
    this.#events.off(eventName, listener);
  }

  // subscribe, unsubscribe (login and logout above): one method per manifest operation
  // of the client that goes to the server.
  static {
    defineServerMethods(this.prototype, 'rtm', (self, row, args) => self._call(row.wire, args));
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
        onEvent: (name, data) => this.#events.emit(name, data),
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

// ---------------------------------------------------------------------- control

/**
 * The server's control API (time, faults, inspection) for tests; not part of the SDK.
 * Every method resolves after the events it caused have reached every client. Methods
 * that name a user or channel use `options.appId`, else the control's `appId`, else
 * the server's default app (`rtm_emulator.DEFAULT_APP_ID`).
 */
class EmulatorControl {
  #transport = null;
  #opening = null;

  constructor(url = defaultUrl(), { appId } = {}) {
    if (!url) {
      throw sdkError(
        'RtmInvalidArgumentError',
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

  /** A control verb of the manifest: its arguments as the row's params, then `fixed`. */
  #verb(row, args) {
    const params = {};
    row.params.forEach((param, i) => {
      const value = args[i];
      if (param.kind === 'app') params[param.wire] = this.#app(value);
      else if (param.kind === 'spread') Object.assign(params, value);
      else params[param.wire] = value;
    });
    Object.assign(params, row.fixed);
    const response = this.#request(row.wire.slice(CONTROL_PREFIX.length), params);
    return row.result === null ? response : response.then((result) => result[row.result]);
  }

  // info, now, advance, ..., checkInvariants: one method per manifest control verb.
  static {
    for (const row of MANIFEST.control) {
      defineMethod(this.prototype, row.js, row.params.length, function verb(...args) {
        return this.#verb(row, args);
      });
    }
  }

  async close() {
    await this.#transport?.close(1000, 'control closed');
    this.#transport = null;
  }
}

/** Close every socket this module opened (clients: a network loss; control). */
async function closeAllConnections() {
  await Promise.all([...openTransports].map((transport) => transport.close()));
}

/**
 * The default export mirrors the SDK's `AgoraRTM` object (agora-rtm.js 2.3.0, default
 * export: BUILD, VERSION, RTM, getParameter, setArea, setParameter, constantsType,
 * RTMBaseError), plus `EmulatorControl`.
 */
const AgoraRTM = {
  BUILD: `rtm-emulator-client ${CLIENT_VERSION}`,
  VERSION: SDK_VERSION,
  RTM: RTMClient,
  getParameter,
  setArea,
  setParameter,
  constantsType,
  RTMBaseError,
  EmulatorControl,
};

const VERSION = SDK_VERSION;

// One object serves `require` and the ESM wrapper (index.js): the named exports, the
// SDK's top-level names of the default export (`RTM`, `BUILD`, …: a CommonJS app writes
// `const AgoraRTM = require('rtm-emulator-client'); new AgoraRTM.RTM(…)`, as with the
// SDK's bundle), and `default`.
module.exports = {
  CLIENT_VERSION,
  closeAllConnections,
  constantsType,
  EmulatorControl,
  EVENT_NAMES,
  EventEmitter,
  getParameter,
  RTMBaseError,
  RTMClient,
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmInvokeTooOftenError,
  RtmLimitExceededError,
  RTMPresence,
  RTMStreamChannel,
  RtmTimeoutError,
  RtmUnauthenticatedError,
  RtmUnavailableError,
  RtmUnknownError,
  SDK_VERSION,
  setArea,
  setParameter,
  VERSION,
  BUILD: AgoraRTM.BUILD,
  RTM: RTMClient,
  default: AgoraRTM,
};
