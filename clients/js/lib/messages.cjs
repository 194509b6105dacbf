'use strict';

// Messages on the wire (docs/server.md, "Messages on the wire"): a `message` argument of
// publish / publishTopicMessage as the server reads it (text as it is, a Uint8Array as
// {"$": "bytes", "base64", "bufferBytes"}, undefined as {"$": "undefined"}, any other
// object as {"$": "object"}), binary messages of events and history back to Uint8Array,
// the SDK parameters a call carries (HISTORY_ENABLED), and the TypeError the SDK's
// publishTopicMessage throws reading a message's size, taken from this runtime itself.

const { getParameter } = require('./parameters.cjs');

const BYTES = 'bytes';

function toBase64(view) {
  const Buf = globalThis.Buffer;
  if (typeof Buf === 'function') return Buf.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
  let text = '';
  for (let i = 0; i < view.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
  }
  return globalThis.btoa(text);
}

function fromBase64(text) {
  const Buf = globalThis.Buffer;
  if (typeof Buf === 'function') return new Uint8Array(Buf.from(text, 'base64'));
  const binary = globalThis.atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * A `message` argument as the server reads it. A Uint8Array (a Node Buffer too: the SDK
 * tests `instanceof Uint8Array`) goes as base64 with the size of the buffer it views
 * (R-M18 counts `message.buffer.byteLength`); strings, numbers, booleans and null as
 * themselves; undefined and every other object (an ArrayBuffer, a DataView, a
 * Uint16Array, a plain object) by what the SDK's checks see of them: neither text nor a
 * byte array.
 */
function encodeMessage(value) {
  if (value instanceof Uint8Array) {
    const out = { $: BYTES, base64: toBase64(value) };
    const whole = value.buffer.byteLength;
    if (whole > value.byteLength) out.bufferBytes = whole;
    return out;
  }
  if (value === undefined) return { $: 'undefined' };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return { $: 'object' };
}

/** A message of a reply or an event: text as it is, `{"$": "bytes"}` as a Uint8Array. */
function decodeMessage(value) {
  if (value !== null && typeof value === 'object' && value.$ === BYTES && typeof value.base64 === 'string') {
    return fromBase64(value.base64);
  }
  return value;
}

/**
 * A row's arguments as sent: its `message` argument encoded, and an object `customType`
 * option too (a Uint8Array custom type is counted in bytes by the SDK, R-M1); the others
 * as they are.
 */
function wireArgs(row, args) {
  const at = row.params.findIndex((p) => p.sdk === 'message');
  if (at < 0) return args;
  const out = [...args];
  if (at < out.length) out[at] = encodeMessage(out[at]);
  const opt = row.params.findIndex((p) => p.sdk === 'options');
  const options = out[opt];
  if (options !== null && typeof options === 'object' && options.customType !== null && typeof options.customType === 'object') {
    out[opt] = { ...options, customType: encodeMessage(options.customType) };
  }
  return out;
}

/** A reply with its binary messages decoded (getMessages' `messageList`). */
function decodeResult(result) {
  if (result !== null && typeof result === 'object' && Array.isArray(result.messageList)) {
    for (const item of result.messageList) item.message = decodeMessage(item.message);
  }
  return result;
}

/** An event's data with its binary message decoded (`message` events). */
function decodeEvent(name, data) {
  if (name === 'message' && data !== null && typeof data === 'object') data.message = decodeMessage(data.message);
  return data;
}

/**
 * The SDK parameters a call carries to the server (`parameters` of the request frame):
 * HISTORY_ENABLED when it is set (the SDK reads it at each publish and getMessages) and
 * EXTEND_CHANNEL_NAME when it is true (the names publish takes, R-C1).
 */
function callParameters() {
  const out = {};
  const history = getParameter('HISTORY_ENABLED');
  if (typeof history === 'boolean') out.HISTORY_ENABLED = history;
  if (getParameter('EXTEND_CHANNEL_NAME') === true) out.EXTEND_CHANNEL_NAME = true;
  // R-ST3, R-ST13, R-ST15: the storage switches, when set;
  // R-LK2, R-LK18: the lock switch, when set
  for (const name of ['STORAGE_ENABLED', 'STORAGE_CHANNEL_SUB_ENABLED', 'STORAGE_USER_SUB_ENABLED', 'LOCK_ENABLED']) {
    const value = getParameter(name);
    if (typeof value === 'boolean') out[name] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The TypeError the SDK's publishTopicMessage throws for `message` when it reads its size
 * (`message.buffer.byteLength`, R-M18), made by this runtime from the value itself; null
 * when reading it throws nothing. The server decides when (after which checks) the call
 * fails so; the client rejects with this one, whose text is the runtime's own.
 */
function sizeReadError(message) {
  if (typeof message === 'string') return null;
  try {
    void message.buffer.byteLength;
    return null;
  } catch (err) {
    return err instanceof TypeError ? err : null;
  }
}

module.exports = { callParameters, decodeEvent, decodeMessage, decodeResult, encodeMessage, sizeReadError, wireArgs };
