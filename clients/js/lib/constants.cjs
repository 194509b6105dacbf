'use strict';

// `AgoraRTM.constantsType`: the SDK's exported enums (area codes, channel types, the
// link-state reasons and their texts, message types, token events, subscribe states),
// as plain objects shaped like the SDK's compiled TypeScript enums.

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

const LINK_REASON_CODES = [
  'UNKNOWN',
  'LOGIN',
  'LOGIN_SUCCESS',
  'LOGIN_TIMEOUT',
  'LOGIN_NOT_AUTHORIZED',
  'LOGIN_REJECTED',
  'RELOGIN',
  'LOGOUT',
  'AUTO_RECONNECT',
  'RECONNECT_TIMEOUT',
  'RECONNECT_SUCCESS',
  'JOIN',
  'JOIN_SUCCESS',
  'JOIN_FAILED',
  'REJOIN',
  'LEAVE',
  'INVALID_TOKEN',
  'TOKEN_EXPIRED',
  'INCONSISTENT_APP_ID',
  'INVALID_CHANNEL_NAME',
  'INVALID_USER_ID',
  'NOT_INITIALIZED',
  'RTM_SERVICE_NOT_CONNECTED',
  'CHANNEL_INSTANCE_EXCEED_LIMITATION',
  'OPERATION_RATE_EXCEED_LIMITATION',
  'CHANNEL_IN_ERROR_STATE',
  'PRESENCE_NOT_CONNECTED',
  'SAME_UID_LOGIN',
  'KICKED_OUT_BY_SERVER',
  'KEEP_ALIVE_TIMEOUT',
  'CONNECTION_ERROR',
  'PRESENCE_NOT_READY',
  'NETWORK_CHANGE',
  'SERVICE_NOT_SUPPORTED',
  'STREAM_CHANNEL_NOT_AVAILABLE',
  'STORAGE_NOT_AVAILABLE',
  'LOCK_NOT_AVAILABLE',
  'LOGIN_TOO_FREQUENT',
];

/** The texts of the SDK's LinkStateChangeReasonDescription enum, by reason code. */
const LINK_REASON_TEXTS = [
  'Unknown',
  'Perform login operation',
  'Login success',
  'Login timeout',
  'Login not authorized',
  'Login rejected',
  'Perform login operation again',
  'Logout success',
  'Reconnecting',
  'Reconnect timeout',
  'Reconnect success',
  'Perform join operation',
  'Join channel success',
  'Join channel failed',
  'Perform join operation again',
  'Leave channel success',
  'Invalid token',
  'Token expired',
  'Inconsistent app ID',
  'Invalid channel name',
  'Invalid user id',
  'Not initialized',
  'RTM service not connected',
  'Channel instance exceed limitation',
  'Operation rate exceed limitation',
  'Channel in error state',
  'Presence not connected',
  'The same uid login on another device',
  'Kicked out by server',
  'Keep alive timeout',
  'Connection error',
  'Presence not ready',
  'Network change',
  'Service not supported',
  'Stream channel not available',
  'Storage service is not available',
  'Lock service is not available',
  'Login operation is too frequent',
];

/** `AgoraRTM.constantsType`: the SDK's exported enums (agora-rtm.d.ts, ConstantsType). */
const constantsType = Object.freeze({
  __proto__: null,
  AreaCode: sameName(AREA_CODES),
  ChannelTypeEnum: { 1: 'MESSAGE', 2: 'STREAM', 3: 'USER', MESSAGE: 1, STREAM: 2, USER: 3 },
  LegacyAreaCode: sameName(['CN', 'NA', 'EU', 'AS', 'JP', 'IN', 'GLOB', 'OC', 'SA', 'AF', 'KR', 'US', 'OVS']),
  LinkStateChangeReason4Report: numericEnum(LINK_REASON_CODES),
  LinkStateChangeReasonDescription: Object.fromEntries(
    LINK_REASON_CODES.map((code, i) => [code, LINK_REASON_TEXTS[i]]),
  ),
  MessageType: sameName(['STRING', 'BINARY']),
  TokenEventReason: {
    WILL_EXPIRE: 'The token is about to expire',
    READ_PERMISSION_REVOKED: 'The token read permission is revoked',
  },
  subscribedState: sameName(['UNSUBSCRIBED', 'SUBSCRIBED']),
});

module.exports = { AREA_CODES, constantsType };
