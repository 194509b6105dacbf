'use strict';

// rtm-emulator-client: the presence surface of agora-rtm-sdk 2.3.0, backed by
// rtm_emulator's WebSocket server (`rtm-emulator serve`). Swap
//   import AgoraRTM from 'agora-rtm-sdk'
// for
//   import AgoraRTM from 'rtm-emulator-client'
// and pass `emulatorUrl` in the RTM config (or set RTM_EMULATOR_URL).
// The protocol is documented in the repository's docs/server.md.
//
// This file assembles the public object for both module systems: `require` loads it,
// and index.js re-exports it for `import`, so there is one copy of the module state
// (parameters, the user-id registry, the open sockets). Each concern is a module of
// lib/: surface.cjs (manifest.json, versions, methods from its rows), errors.cjs,
// parameters.cjs, constants.cjs (constantsType), ids.cjs, events.cjs (EventEmitter),
// transport.cjs (the socket), messages.cjs (messages on the wire), client.cjs (RTMClient,
// RTMPresence, RTMHistory, RTMStreamChannel) and
// control.cjs (EmulatorControl).
//
// Everything an app can observe without a server (the constructor's checks, the error
// objects, the EventEmitter surface, setParameter / getParameter / setArea,
// constantsType, createStreamChannel) behaves like the SDK's runtime bundle
// (agora-rtm.js 2.3.0); every call that needs the service goes to the server, which
// decides codes, reasons and check order (docs/semantics.md, R-X1).

const { RTMClient, RTMHistory, RTMLock, RTMPresence, RTMStorage, RTMStreamChannel } = require('./lib/client.cjs');
const { constantsType } = require('./lib/constants.cjs');
const { EmulatorControl } = require('./lib/control.cjs');
const {
  RTMBaseError,
  RtmInvalidArgumentError,
  RtmInvalidStatusError,
  RtmInvokeTooOftenError,
  RtmLimitExceededError,
  RtmTimeoutError,
  RtmUnauthenticatedError,
  RtmUnavailableError,
  RtmUnknownError,
} = require('./lib/errors.cjs');
const { EventEmitter } = require('./lib/events.cjs');
const { getParameter, setArea, setParameter } = require('./lib/parameters.cjs');
const { CLIENT_VERSION, EVENT_NAMES, SDK_VERSION } = require('./lib/surface.cjs');
const { closeAllConnections } = require('./lib/transport.cjs');

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
  RTMHistory,
  RTMLock,
  RTMStorage,
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

