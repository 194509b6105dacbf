// Loads the unmodified agora-rtm-sdk@2.3.0 bundle from node_modules in Node:
//  1. fake timers (Date, setTimeout, setInterval) are installed first, so the bundle only
//     ever sees virtual time;
//  2. browser globals are shimmed (shim.cjs);
//  3. `require("agora-rtc-sdk-ng")` from inside the bundle resolves to rtc-stub.cjs through a
//     Module._resolveFilename hook (no file is put into node_modules by hand).
'use strict';

const Module = require('node:module');
const path = require('node:path');
const FakeTimers = require('@sinonjs/fake-timers');
const { install } = require('./shim.cjs');

const STUB = path.join(__dirname, 'rtc-stub.cjs');

/**
 * R-M15: subscribeTopic picks the users it takes (64 at most) and orders them with lodash's
 * `shuffle`, i.e. Math.random (the bundle captures Math.random when it loads: `lg =
 * Math.random`). Inside subscribeTopic the oracle's Math.random returns 0, which makes lodash's
 * Fisher-Yates shuffle the identity: the SDK then takes the users in the order it was given
 * (or its publisher order), and the records are stable. That is the emulator's [ours] choice
 * (the first 64 in code-point order) whenever the given order is code-point order, which the
 * cases keep to. Everywhere else (ids, dialogues) Math.random is Node's.
 */
function installShuffleIdentity() {
  const nativeRandom = Math.random;
  Math.random = function oracleRandom() {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 30;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    return /ubscribeTopic/.test(stack) ? 0 : nativeRandom();
  };
}

function loadSdk({ now }) {
  const clock = FakeTimers.install({
    now,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    loopLimit: 1_000_000,
  });
  install();
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolve(request, parent, ...rest) {
    if (request === 'agora-rtc-sdk-ng') return STUB;
    return original.call(this, request, parent, ...rest);
  };
  installShuffleIdentity();
  const sdkPath = require.resolve('agora-rtm-sdk');
  // eslint-disable-next-line global-require
  const AgoraRTM = require(sdkPath);
  return { AgoraRTM: AgoraRTM.default ?? AgoraRTM, clock, sdkPath };
}

module.exports = { loadSdk };
