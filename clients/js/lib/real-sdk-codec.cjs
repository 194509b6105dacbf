'use strict';

// Real-SDK mode's packet codec (docs/real-sdk.md, "Packet values"): the SDK's packet payloads
// as JSON and back. A 64-bit integer (the SDK's long.js Long) is
// `{"$long": "<decimal>", "unsigned": bool}`, bytes are `{"$bytes": "<base64>"}`, at any depth.

function toBase64(bytes) {
  if (typeof Buffer === 'function') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return globalThis.btoa(s);
}

function fromBase64(text) {
  if (typeof Buffer === 'function') return new Uint8Array(Buffer.from(text, 'base64'));
  const s = globalThis.atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i += 1) out[i] = s.charCodeAt(i);
  return out;
}

/** A long.js Long (the SDK's 64-bit integers). */
function isLong(v) {
  return v !== null && typeof v === 'object' && (v.__isLong__ === true || (typeof v.low === 'number' && typeof v.high === 'number' && typeof v.unsigned === 'boolean'));
}

/**
 * A packet payload as JSON (the contract's "Packet values"): a Long is
 * `{"$long": "<decimal>", "unsigned": bool}`, bytes are `{"$bytes": "<base64>"}`, at any depth.
 */
function encodePacket(value) {
  if (value === null || typeof value !== 'object') return value;
  if (isLong(value)) return { $long: value.toString(), unsigned: !!value.unsigned };
  if (value instanceof Uint8Array) return { $bytes: toBase64(value) };
  if (value instanceof ArrayBuffer) return { $bytes: toBase64(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) return { $bytes: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  if (Array.isArray(value)) return value.map(encodePacket);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, encodePacket(v)]));
  const out = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = encodePacket(v);
  return out;
}

/** The inverse of encodePacket; `Long` is the SDK's Long class (fromString). */
function decodePacket(value, Long) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decodePacket(v, Long));
  const keys = Object.keys(value);
  if (typeof value.$long === 'string' && keys.every((k) => k === '$long' || k === 'unsigned')) {
    if (!Long) throw new Error('rtm-emulator real-SDK mode: a 64-bit value arrived before the SDK\'s Long class was known');
    return Long.fromString(value.$long, value.unsigned === true);
  }
  if (typeof value.$bytes === 'string' && keys.length === 1) return fromBase64(value.$bytes);
  const out = {};
  for (const k of keys) out[k] = decodePacket(value[k], Long);
  return out;
}

module.exports = { decodePacket, encodePacket, isLong };
