// The case table's value encoding (shared with the Python leg): plain JSON, except objects
// whose only key set is {"$": kind, ...}, which stand for values JSON cannot carry or that
// would bloat the table.
//   {"$": "undefined"}                         undefined
//   {"$": "repeat", "s": "a", "n": 65}        "a" repeated n times
//   {"$": "keys", "n": 33, "prefix": "k", "value": "v"}   {k0: "v", k1: "v", ...}
//   {"$": "list", "n": 33, "prefix": "k"}      ["k0", "k1", ...]  ("pad": 2 -> "k00", "k01", ...)
//   {"$": "btoa", "s": "u2"}                   base64 of s
//   {"$": "function"}                          a function (listener-like argument)
//   {"$": "pair", "key": K, "value": V}        {[K]: V}, K and V themselves encoded
//   {"$": "num", "s": "NaN"}                   a number JSON cannot carry: NaN, Infinity, -Infinity
//   {"$": "token", "user": "alice", ...}       a token built when the step runs (lib/tokens.js), by
//                                              the builder the target registered (setTokenBuilder)
// Binary values (messaging cases):
//   {"$": "u8", "bytes": [1, 2]}  / {"$": "u8", "n": 32768}   a Uint8Array (given bytes / n zeros)
//   {"$": "buffer", "s": "hi"}                 Buffer.from(s): a Node Buffer, POOLED (its .buffer is
//                                              Node's 8 KiB pool, not 2 bytes: R-M18's quirk)
//   {"$": "subarray", "n": 2000, "start": 0, "end": 2}   new Uint8Array(n).subarray(start, end)
//   {"$": "arraybuffer", "n": 3}               new ArrayBuffer(n)
//   {"$": "dataview", "n": 2}                  new DataView(new ArrayBuffer(n))
//   {"$": "u16", "n": 2}                       new Uint16Array(n)
// In outcomes, bytes (any ArrayBuffer view) canonicalize to {"$": "bytes", "n", "hex"} (n <= 64) or
// {"$": "bytes", "n", "sha1"} (longer), so that both legs and Python's bytes compare.

import { createHash } from 'node:crypto';

let tokenBuilder = () => {
  throw new Error('no token builder registered (setTokenBuilder)');
};

/** The target's builder of `{"$": "token"}` values for the case being run (lib/tokens.js). */
export function setTokenBuilder(fn) {
  tokenBuilder = fn;
}

export function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== 'object') return value;
  if (typeof value.$ === 'string') {
    switch (value.$) {
      case 'undefined':
        return undefined;
      case 'repeat':
        return value.s.repeat(value.n);
      case 'keys': {
        const out = {};
        for (let i = 0; i < value.n; i += 1) out[`${value.prefix}${i}`] = decode(value.value);
        return out;
      }
      case 'list':
        return Array.from({ length: value.n }, (_, i) => `${value.prefix}${String(i).padStart(value.pad ?? 0, '0')}`);
      case 'btoa':
        return Buffer.from(value.s, 'utf8').toString('base64');
      case 'function':
        return () => {};
      case 'pair':
        return { [decode(value.key)]: decode(value.value) };
      case 'num':
        return Number(value.s);
      case 'token':
        return tokenBuilder(value);
      case 'u8':
        return value.bytes ? Uint8Array.from(value.bytes) : new Uint8Array(value.n);
      case 'buffer':
        return Buffer.from(value.s, 'utf8');
      case 'subarray':
        return new Uint8Array(value.n).subarray(value.start, value.end);
      case 'arraybuffer':
        return new ArrayBuffer(value.n);
      case 'dataview':
        return new DataView(new ArrayBuffer(value.n));
      case 'u16':
        return new Uint16Array(value.n);
      default:
        throw new Error(`unknown value encoding ${value.$}`);
    }
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = decode(v);
  return out;
}

/** Bytes as a canonical value (see the header): the same for a Uint8Array, a Buffer and Python bytes. */
export function canonBytes(view) {
  const u8 = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const hex = Buffer.from(u8).toString('hex');
  return u8.byteLength <= 64
    ? { $: 'bytes', hex, n: u8.byteLength }
    : { $: 'bytes', n: u8.byteLength, sha1: createHash('sha1').update(u8).digest('hex') };
}

/**
 * A canonical JSON-able copy of an outcome value: object keys sorted, undefined as
 * {"$":"undefined"}, functions as {"$":"function"}, non-finite numbers as strings, bytes as
 * {"$":"bytes", ...} (canonBytes).
 */
export function canon(value, depth = 0) {
  if (depth > 20) return { $: 'deep' };
  if (value === undefined) return { $: 'undefined' };
  if (value === null) return null;
  if (typeof value === 'function') return { $: 'function' };
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $: 'number', s: String(value) };
  if (typeof value === 'bigint') return { $: 'bigint', s: String(value) };
  if (typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return canonBytes(value);
  if (value instanceof ArrayBuffer) return { $: 'arraybuffer', n: value.byteLength };
  if (Array.isArray(value)) return value.map((v) => canon(v, depth + 1));
  if (value instanceof Map) return { $: 'map', entries: [...value].map(([k, v]) => [canon(k), canon(v, depth + 1)]) };
  const out = {};
  for (const k of Object.keys(value).sort()) out[k] = canon(value[k], depth + 1);
  return out;
}

/** Deep equality of two canonical values. */
export function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The first path where two canonical values differ, with both sides, or null. */
export function firstDiff(a, b, path = '$') {
  if (same(a, b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i += 1) {
      if (i >= a.length || i >= b.length) return { path: `${path}[${i}]`, sdk: a[i] ?? null, emulator: b[i] ?? null };
      const d = firstDiff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      if (!(k in a) || !(k in b)) return { path: `${path}.${k}`, sdk: a[k] ?? '<absent>', emulator: b[k] ?? '<absent>' };
      const d = firstDiff(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return { path, sdk: a, emulator: b };
}
