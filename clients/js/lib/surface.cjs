'use strict';

// The declared SDK surface as this client reads it: manifest.json (generated from
// rtm_emulator's operation table, never edited by hand), the constants, event names and
// error table it carries, the SDK and package versions, and the helpers that turn its
// rows into methods (defineServerMethods for RTMClient / RTMPresence / RTMStreamChannel,
// defineMethod for EmulatorControl's verbs). Nothing here talks to the server.

/**
 * The declared SDK surface, generated from rtm_emulator's operation table
 * (`python3 -m rtm_emulator._surface --manifest`): the operations and their server
 * methods, the control verbs, the event names, the shared limits and the SDK's error
 * table. The methods of RTMClient, RTMPresence, RTMStreamChannel and EmulatorControl
 * that go to the server are built from it; so are the constants below and the errors
 * of lib/errors.cjs.
 */
const MANIFEST = require('../manifest.json');
const CONSTANTS = Object.freeze(MANIFEST.constants);

/** The SDK release this client stands in for (`AgoraRTM.VERSION`). */
const SDK_VERSION = '2.3.0';
/** This package's own version. */
const CLIENT_VERSION = '0.1.0';

/** The SDK's RTMClientEventMap names; only `presence` and `linkState` fire here. */
const EVENT_NAMES = Object.freeze([...MANIFEST.eventNames]);

/**
 * The SDK's error table (rtm_emulator/_errors.py): one frozen row per code of the SDK's
 * error enum, `{code, name, reason, class}`, `name` without the `RTM_ERROR_` prefix,
 * `reason` as an app sees it (final "." included), `class` the error class (`err.name`)
 * the SDK raises the code with by default.
 */
const ERRORS = Object.freeze(MANIFEST.errors.map((row) => Object.freeze({ ...row })));

/**
 * The SDK's link-state change reasons (rtm_emulator/_types.py, LinkStateReasonCode), in
 * enum order: `{name, description}`, the index being the reason's report number.
 */
const LINK_REASONS = Object.freeze(MANIFEST.linkReasons.map((row) => Object.freeze({ ...row })));

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

module.exports = {
  CLIENT_VERSION,
  CONSTANTS,
  CONTROL_PREFIX,
  defineMethod,
  defineServerMethods,
  ERRORS,
  EVENT_NAMES,
  LINK_REASONS,
  MANIFEST,
  SDK_VERSION,
  wireOf,
};
