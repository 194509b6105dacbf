'use strict';

// The SDK's module-level settings: setParameter / getParameter (the keys, their types,
// the SDK's normalisation and defaults, the API_RATE_LIMIT map) and setArea with its
// checks. The store is global to the module, like the SDK's is global to the page, so
// `require` and `import` share it (index.js re-exports index.cjs).

const { AREA_CODES } = require('./constants.cjs');
const { RtmInvalidArgumentError, sdkError } = require('./errors.cjs');
const { CONSTANTS } = require('./surface.cjs');

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
  return sdkError('set parameter', 'INVALID_PARAMETER', detail);
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

module.exports = { getParameter, setArea, setParameter };
