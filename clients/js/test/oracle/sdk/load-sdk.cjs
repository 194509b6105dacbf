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
  const sdkPath = require.resolve('agora-rtm-sdk');
  // eslint-disable-next-line global-require
  const AgoraRTM = require(sdkPath);
  return { AgoraRTM: AgoraRTM.default ?? AgoraRTM, clock, sdkPath };
}

module.exports = { loadSdk };
