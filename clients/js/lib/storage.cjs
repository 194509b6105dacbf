'use strict';

// rtm.storage (R-ST1..R-ST20): channel and user metadata. Every method is one manifest
// operation of the `storage` home, sent to the server, which makes the SDK's checks in
// its order and answers with the SDK's values; `storage` events arrive as the
// service's other events do.

const { defineServerMethods } = require('./surface.cjs');

/**
 * A storage argument as JSON can carry it to the server: a number JSON has no literal
 * for (NaN, ±Infinity, which the SDK's revision checks refuse, R-ST4/R-ST5) as
 * `{"$": "number", "value": "NaN"}`, and a whole argument that is `null` (R-ST4's
 * TypeError names null apart from undefined) as `{"$": "null"}`.
 */
function encodeArgument(value, top = false, seen = new Set()) {
  if (typeof value === 'number' && !Number.isFinite(value)) return { $: 'number', value: String(value) };
  if (value === null) return top ? { $: 'null' } : null;
  if (typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  let out;
  if (Array.isArray(value)) out = value.map((item) => encodeArgument(item, false, seen));
  else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    out = {};
    for (const [key, item] of Object.entries(value)) out[key] = encodeArgument(item, false, seen);
  } else out = value;
  seen.delete(value);
  return out;
}

/** Channel and user metadata of one client (the SDK's `rtm.storage`). */
class RTMStorage {
  #call;

  constructor(call) {
    this.#call = call;
  }

  // setChannelMetadata … unsubscribeUserMetadata: one method per manifest operation.
  static {
    defineServerMethods(this.prototype, 'storage', (self, row, args) =>
      self.#call(row.wire, args.map((arg) => encodeArgument(arg, true))),
    );
  }
}

module.exports = { encodeArgument, RTMStorage };
