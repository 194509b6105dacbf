'use strict';

// `AgoraRTM.constantsType`: the SDK's exported enums (area codes, channel types, the
// link-state reasons and their texts, read from the manifest, message types, token
// events, subscribe states), as plain objects shaped like the SDK's compiled
// TypeScript enums.

const { LINK_REASONS } = require('./surface.cjs');

const AREA_CODES = ['GLOBAL', 'INDIA', 'JAPAN', 'ASIA', 'EUROPE', 'CHINA', 'NORTH_AMERICA'];

/** A TypeScript-style numeric enum object: name -> number and number -> name. */
function numericEnum(names) {
  const out = {};
  names.forEach((name, i) => {
    out[name] = i;
    out[i] = name;
  });
  return out;
}

const sameName = (names) => Object.fromEntries(names.map((name) => [name, name]));

/** The SDK's LinkStateChangeReason names, by report number, and their descriptions. */
const LINK_REASON_CODES = LINK_REASONS.map((reason) => reason.name);

/** `AgoraRTM.constantsType`: the SDK's exported enums (agora-rtm.d.ts, ConstantsType). */
const constantsType = Object.freeze({
  __proto__: null,
  AreaCode: sameName(AREA_CODES),
  ChannelTypeEnum: { 1: 'MESSAGE', 2: 'STREAM', 3: 'USER', MESSAGE: 1, STREAM: 2, USER: 3 },
  LegacyAreaCode: sameName(['CN', 'NA', 'EU', 'AS', 'JP', 'IN', 'GLOB', 'OC', 'SA', 'AF', 'KR', 'US', 'OVS']),
  LinkStateChangeReason4Report: numericEnum(LINK_REASON_CODES),
  LinkStateChangeReasonDescription: Object.fromEntries(
    LINK_REASONS.map((reason) => [reason.name, reason.description]),
  ),
  MessageType: sameName(['STRING', 'BINARY']),
  TokenEventReason: {
    WILL_EXPIRE: 'The token is about to expire',
    READ_PERMISSION_REVOKED: 'The token read permission is revoked',
  },
  subscribedState: sameName(['UNSUBSCRIBED', 'SUBSCRIBED']),
});

module.exports = { AREA_CODES, constantsType };
