'use strict';

// Identifiers checked before anything reaches the server: the app id (R-C2), user ids and
// channel names (R-C1, EXTEND_CHANNEL_NAME widening channel names), how a bad value is
// quoted in an error's detail, and the registry of `appId-userId` pairs constructed in
// this JS runtime (the SDK's -10027).

const { getParameter } = require('./parameters.cjs');
const { CONSTANTS } = require('./surface.cjs');

const ID_CHARS = String.raw`A-Za-z0-9 !#$%&()+,\-:;<=>?@[\]^_{|}~`;
const ID_PATTERN = new RegExp(`^[${ID_CHARS}]{1,${CONSTANTS.maxNameChars}}$`);
const EXTENDED_CHANNEL_PATTERN = new RegExp(`^[${ID_CHARS}.\`]{1,${CONSTANTS.maxNameChars}}$`);

/** R-C2: 32 ASCII letters or digits (tested like the SDK tests it: `RegExp.test`). */
function validAppId(appId) {
  return /^[0-9A-Za-z]{32}$/.test(appId);
}

/** R-C1: a user id or channel name (with EXTEND_CHANNEL_NAME, channels may hold `.` and `` ` ``). */
function validId(value, extended = false) {
  return (
    typeof value === 'string' &&
    !value.startsWith('_') &&
    (extended ? EXTENDED_CHANNEL_PATTERN : ID_PATTERN).test(value)
  );
}

function validChannelName(name) {
  return validId(name, Boolean(getParameter('EXTEND_CHANNEL_NAME')));
}

function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Every `appId-userId` constructed in this JS runtime (never cleared, like the SDK's). */
const constructedUsers = new Set();

module.exports = { constructedUsers, describe, validAppId, validChannelName, validId };
