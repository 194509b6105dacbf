// Tokens of the token cases (issue 17), built from case data with the npm `agora-token@2.0.6`
// package's own classes (no token format here): a case argument
//   {"$": "token", user, expire?, issued?, privilege?, service?, kind?, app?, cert?, salt?}
// becomes a token string when the step runs (lib/values.js `decode`, through the builder a
// target registers with `setTokenBuilder`).
//
//   kind       "007" (AccessToken2, default), "006" (AccessToken, RTM: the user id in the
//              channel slot, privilege kRtmLogin) or "006-rtc" (AccessToken, `channel` + uid
//              `user`, privilege kJoinChannel)
//   user       the RTM user id of the token
//   expire     seconds of validity (007: the token's `expire`; 006: `ts` = issued + expire);
//              default 3600
//   issued     issue time, seconds after the case's start (default: the case's clock now,
//              i.e. the start time + the case's advances, in whole seconds)
//   privilege  the login privilege's seconds (007: after `issued`; 006: absolute =
//              issued + privilege; 0 = no privilege expiry); default `expire`
//   service    "rtm" (default), "rtc" (an RTC join token only: no RTM service) or "none"
//   channel    the RTC channel of an "rtc" / "006-rtc" token (default "room")
//   app, cert  the app id / certificate signed with (default: the case's app and certificate)
//   salt       default 1 (the package draws it from Math.random; fixed so a case's two
//              builds of the same spec are the same string)
//
// The clock is the case's (start time + advances), never the process's: the SDK leg's fake
// timers and the emulator leg's real time both get the same tokens.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { AccessToken2, ServiceRtm, ServiceRtc } = require('agora-token/src/AccessToken2');
const { AccessToken, priviledges } = require('agora-token/src/AccessToken');

export const DEFAULT_EXPIRE_S = 3600;

/**
 * Build the token of `spec` for a case: `ctx` = {appId, certificate, nowMs} (the case's app
 * id and certificate, its clock in ms).
 */
export function buildToken(spec, ctx) {
  const appId = spec.app ?? ctx.appId;
  const cert = spec.cert ?? ctx.certificate;
  const base = Math.floor(ctx.startMs / 1000);
  const issued = spec.issued === undefined ? Math.floor(ctx.nowMs / 1000) : base + spec.issued;
  const expire = spec.expire ?? DEFAULT_EXPIRE_S;
  const privilege = spec.privilege ?? expire;
  const salt = spec.salt ?? 1;
  const service = spec.service ?? 'rtm';
  if (spec.kind === '006-rtc') {
    // 006 RTC join token (the package's legacy AccessToken, channel + uid, kJoinChannel)
    const key = new AccessToken(appId, cert, spec.channel ?? 'room', spec.user ?? '');
    key.salt = salt;
    key.ts = issued + expire;
    key.addPriviledge(priviledges.kJoinChannel, privilege === 0 ? 0 : issued + privilege);
    return key.build();
  }
  if ((spec.kind ?? '007') === '006') {
    const key = new AccessToken(appId, cert, spec.user ?? '', '');
    key.salt = salt;
    key.ts = issued + expire;
    if (service === 'rtm') key.addPriviledge(priviledges.kRtmLogin, privilege === 0 ? 0 : issued + privilege);
    return key.build();
  }
  const token = new AccessToken2(appId, cert, issued, expire);
  token.salt = salt;
  if (service === 'rtm') {
    const rtm = new ServiceRtm(spec.user ?? '');
    rtm.add_privilege(ServiceRtm.kPrivilegeLogin, privilege);
    token.add_service(rtm);
  } else if (service === 'rtc') {
    const rtc = new ServiceRtc(spec.channel ?? 'room', spec.user ?? '');
    rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, privilege);
    token.add_service(rtc);
  }
  return token.build();
}
