'use strict';

// The agora-rtm-sdk versions real-SDK mode (real-sdk.cjs, docs/real-sdk.md) supports: the
// session class (agora-rtm.js 2.3.0, class AG) has the transport methods it replaces, with the
// same shapes. One table, read by useEmulator's version check and its error text.

/** Versions of agora-rtm-sdk whose `VERSION` useEmulator accepts. */
const SUPPORTED_SDK_VERSIONS = Object.freeze(['2.2.3', '2.2.4', '2.3.0']);

module.exports = { SUPPORTED_SDK_VERSIONS };
