'use strict';

// rtm-emulator-client/real-sdk for `require`: real-SDK mode (docs/real-sdk.md), in lib/real-sdk.cjs.

module.exports = require('./lib/real-sdk.cjs');
