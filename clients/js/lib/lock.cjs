'use strict';

// rtm.lock (R-LK1..R-LK22): distributed locks. Every method is one manifest operation
// of the `lock` home, sent to the server, which makes the SDK's checks in its order and
// answers with the SDK's values; `lock` events arrive as the service's other events do.
// Two things only the app's side can know are done here: each call of a lock names the
// calls of that lock still awaiting their replies (`inFlight`; the server reads the SDK's
// tables as they are then, and refuses a repeat with -14003 after its other checks,
// R-LK9), and setLock writes its clamped `ttl` back into the caller's options object, as
// the SDK does (R-LK5).

const { CONSTANTS, defineServerMethods, ERRORS, MANIFEST } = require('./surface.cjs');
const { encodeArgument } = require('./storage.cjs');

/** The calls R-LK9 tracks while one is in flight: the lock rows of that rule (getLock is not one). */
const TRACKED = new Set(MANIFEST.operations.filter((r) => r.home === 'lock' && r.rules.includes('R-LK9')).map((r) => r.sdk));
/** The codes of the checks setLock makes before it reads `ttl` (R-LK2): no write-back. */
const BEFORE_TTL = new Set(
  [
    'OPERATION_RATE_EXCEED_LIMITATION',
    'INVALID_CHANNEL_TYPE',
    'NOT_CONNECTED',
    'LOCK_NOT_AVAILABLE',
    'INVALID_CHANNEL_NAME',
    'LOCK_INVALID_NAME',
  ].map((name) => ERRORS.find((row) => row.name === name).code),
);

/** The lock a call names (R-LK22: its channel type and name, then the lock's name). */
function lockKey([channelName, channelType, lockName]) {
  return JSON.stringify([String(channelType), String(channelName), String(lockName)]);
}

/** How `inFlight` names a call: an acquire (R-LK6's row) with a truthy `retry` apart (R-LK7). */
function flightName(row, args) {
  return row.rules.includes('R-LK6') && args[3]?.retry ? `${row.sdk}+retry` : row.sdk;
}

/** R-LK5: the SDK's own clamp of `options.ttl`, written back when it changes it. */
function writeBackTtl(options) {
  if (options === null || typeof options !== 'object' || options.ttl === undefined) return;
  if (options.ttl < CONSTANTS.lockTtlMin) options.ttl = CONSTANTS.lockTtlMin;
  else if (options.ttl > CONSTANTS.lockTtlMax) options.ttl = CONSTANTS.lockTtlMax;
}

/** Distributed locks of one client (the SDK's `rtm.lock`). */
class RTMLock {
  #call;
  /** lock key -> the names of its calls awaiting replies, with their counts */
  #inFlight = new Map();

  /** @param call (method, args, extra, waits) => Promise: one server request. */
  constructor(call) {
    this.#call = call;
  }

  // setLock … getLock: one method per manifest operation.
  static {
    defineServerMethods(this.prototype, 'lock', (self, row, args) => self.#send(row, args));
  }

  async #send(row, args) {
    const wire = args.map((arg) => encodeArgument(arg, true));
    if (!TRACKED.has(row.sdk)) return this.#call(row.wire, wire);
    const key = lockKey(args);
    const calls = this.#inFlight.get(key) ?? new Map();
    const extra = calls.size ? { inFlight: [...calls.keys()].sort() } : undefined;
    const name = flightName(row, args);
    calls.set(name, (calls.get(name) ?? 0) + 1);
    this.#inFlight.set(key, calls);
    try {
      const result = await this.#call(row.wire, wire, extra, name !== row.sdk);
      if (row.rules.includes('R-LK5')) writeBackTtl(args[3]);
      return result;
    } catch (err) {
      if (row.rules.includes('R-LK5') && !BEFORE_TTL.has(err?.code)) writeBackTtl(args[3]);
      throw err;
    } finally {
      const left = calls.get(name) - 1;
      if (left) calls.set(name, left);
      else calls.delete(name);
      if (!calls.size) this.#inFlight.delete(key);
    }
  }
}

module.exports = { RTMLock };
