'use strict';

// Errors: the SDK's RTMBaseError and its subclasses (fields, order, message, the
// constructor's reason formatting), the errors this client raises itself and the errors
// built from the server's `error` / `exception` frames and from a connection that cannot
// carry a call (-10025). Codes, reasons and the code -> class table are not written
// here: they are the SDK's error table of the manifest (lib/surface.cjs `ERRORS`,
// generated from rtm_emulator/_errors.py).

const { ERRORS } = require('./surface.cjs');

const ERROR_BY_CODE = new Map(ERRORS.map((row) => [row.code, row]));
const ERROR_BY_NAME = new Map(ERRORS.map((row) => [row.name, row]));

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

/**
 * The SDK's error of the code named `name` (`'INVALID_PARAMETER'`, a name of the
 * manifest's error table) for `operation`: the code's class, reason and number, as the
 * SDK raises it, with `detail` saying what was wrong. Throws an `Error` for a name the
 * table lacks.
 */
function sdkError(operation, name, detail) {
  const row = ERROR_BY_NAME.get(name);
  if (!row) throw new Error(`rtm-emulator-client: no error ${name} in manifest.json`);
  return withDetail(new ERROR_CLASSES[row.class](operation, [row.reason], row.code), detail);
}

/** The error of an `error` frame (the server's RTM error, or a -32xxx protocol error). */
function errorFromFrame(info) {
  const code = info?.code ?? info?.errorCode;
  const errorInfo = { code };
  if (info?.serverCode !== undefined) errorInfo.serverCode = info.serverCode;
  let name = info?.name;
  if (typeof name !== 'string' || !name) {
    // A frame that names no class (an older server): the code's class in the SDK's
    // table; a code outside it is a server's code, which the SDK wraps in
    // RtmUnavailableError.
    name =
      code <= -32000
        ? 'RtmEmulatorProtocolError'
        : ERROR_BY_CODE.get(code)?.class ?? 'RtmUnavailableError';
  }
  const Cls = ERROR_CLASSES[name];
  // R-TK7: the SDK sets an RtmUnauthenticatedError's serverCode after constructing it
  // (its class resets the field), so the message names no server code
  const lateServerCode = name === 'RtmUnauthenticatedError' ? errorInfo.serverCode : undefined;
  if (lateServerCode !== undefined) delete errorInfo.serverCode;
  let err;
  if (Cls) {
    err = new Cls(info?.operation, info?.reason, errorInfo);
  } else {
    err = new RTMBaseError(info?.operation, info?.reason, errorInfo);
    err.name = name;
  }
  if (lateServerCode !== undefined) err.serverCode = lateServerCode;
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
  return sdkError(operation, 'NOT_CONNECTED', detail);
}

module.exports = {
  errorFromFrame,
  exceptionFromFrame,
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
