'use strict';

// Errors: the SDK's RTMBaseError and its subclasses (fields, order, message, the
// constructor's reason formatting), the SDK's reason texts for the codes this client
// raises itself, the SDK's code -> class table for frames that name no class, and the
// errors built from the server's `error` / `exception` frames and from a connection
// that cannot carry a call (-10025).

const INVALID_APP_ID = -10003;
const INVALID_USER_ID = -10006;
const INVALID_CHANNEL_NAME = -10008;
const INVALID_PARAMETER = -10014;
const NOT_CONNECTED = -10025;
const DUPLICATE_USER_ID = -10027;

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

module.exports = {
  DUPLICATE_USER_ID,
  errorFromFrame,
  exceptionFromFrame,
  INVALID_APP_ID,
  INVALID_CHANNEL_NAME,
  INVALID_PARAMETER,
  INVALID_USER_ID,
  NOT_CONNECTED,
  notConnected,
  RTMBaseError,
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmInvokeTooOftenError,
  RtmLimitExceededError,
  RtmTimeoutError,
  RtmUnauthenticatedError,
  RtmUnavailableError,
  RtmUnknownError,
  sdkError,
};
