// The token server behind the real SDK in the oracle harness (issue 17): the access point's
// token check at login and renewToken, the edge's UserRenewToken2 exchange, the
// "nearly expired" notice and the expiry. Beside fake-store.js, fake-relay.js,
// fake-storage.js and fake-lock.js. Written to the EMULATOR's proposed server decisions
// (docs/decisions.md and docs/tokens.md, R-TK20..R-TK27); every choice here is a [server] decision:
//
//   - R-TK20 a certificate per app (the case's `server.appCertificate {appId, certificate}`);
//     an app without one takes every token the SDK's own check lets through, nothing expires;
//   - R-TK21 007 and 006 tokens are parsed and verified with the npm agora-token@2.0.6
//     package's own code (AccessToken2#from_string / verifySignature; 006: AccessToken
//     #fromString, then the same package's build() of the parsed fields for the login user
//     must give the same string), no token format here;
//   - R-TK22 AP codes, first fault wins: no token / the app id under a certificate 15,
//     undecodable or signature mismatch 9, no RTM service (an RTC-only 007, a 006 without
//     kRtmLogin, a 007 RTM service without the login privilege) 21, RTM user id (006: the
//     channel slot) != the login user 7, expired 13;
//     the edge's UserRenewToken2Resp is always code 0, revoked '{"messageChannels":[]}';
//   - R-TK23 expiry: 007 issue_ts + expire, or issue_ts + the login privilege when that is
//     non-zero and earlier; 006 the kRtmLogin privilege's expireTs when non-zero, bounded
//     by ts; expired when now_ms >= expiry_s * 1000 (the case's clock);
//   - R-TK24 notice UserTicketNearlyExpire2 {ticket: the socket's ticket, resources:
//     {"messageChannels": [{name: 1}...]} (the session's withMessage groups, code-point
//     order)} once per current token at expiry - 30 s (at once when a login / renew leaves
//     <= 30 s); while the link is down it is sent when the link is back, if not expired;
//   - R-TK25 at expiry UserDrop {code 2} (kTimestampExpired) on the session's socket; link
//     down at expiry: the next reconnect attempt is refused as a rejoin's userResp code 2
//     (the SDK's `tokenExpired`); a renew before expiry moves expiry and notice;
//   - R-TK26 a renew's token is checked like a login's (same codes, via the AP); nothing is
//     sent to other clients;
//   - stream channels (rtc-stub.cjs through rtcHooks()): a join / RTC renew token must be an
//     RTC one (007 service 1 for the channel and the uid or "" with the join privilege, 006
//     the package's build for the channel and the uid or "" with kJoinChannel) signed with
//     the app's certificate; a refused or expired join is RTC
//     CAN_NOT_GET_GATEWAY_SERVER, a refused RTC renew INVALID_PARAMS (R-TK22); the RTC
//     notice at expiry - 30 s, at expiry DISCONNECTED / TOKEN_EXPIRE and the user's stream
//     presence document deleted (R-TK24, R-TK25);
//   - the AP's ticket for a taken token: base64 of "ticket:<uid>:<n>" (the SDK base64-decodes
//     it for its sync ticket, `_updateSyncTicketByRenewToken`).
//
// Wire (runtime agora-rtm.js 2.3.0): the AP's refusals are the SDK's own
// `apClient.handleUniLbsError(code, addr)` (@469682) observables; the socket receivers are
// the SDK's own `initLoginReceiver()` (@515541) over a fake socket (harness.js).

import { createRequire } from 'node:module';
import { STREAM_PREFIX } from './fake-store.js';

const require = createRequire(import.meta.url);
const { AccessToken2 } = require('agora-token/src/AccessToken2');
const { AccessToken, priviledges } = require('agora-token/src/AccessToken');

export const AP = {
  INVALID_USER_ID: 7,
  NO_AUTHORIZED: 9,
  TOKEN_EXPIRED: 13,
  DYNAMIC_ENABLED_BUT_STATIC_KEY: 15,
  NO_RTM_PRIVILEGE: 21,
};
/** R-TK24: the notice comes this long before expiry. */
export const NOTICE_BEFORE_MS = 30_000;
/** R-TK25: UserDrop code kTimestampExpired. */
export const DROP_EXPIRED = 2;
const RTM_SERVICE = 2;
const RTC_SERVICE = 1;

/**
 * R-TK21..R-TK23: the AP's verdict on `token` for `uid` of an app with `certificate`:
 * {code} (refused) or {expiryS}.
 */
export function verdict(token, appId, certificate, uid) {
  if (typeof token !== 'string' || token === '' || token === appId) return { code: AP.DYNAMIC_ENABLED_BUT_STATIC_KEY };
  const prefix = token.slice(0, 3);
  if (prefix === '007') {
    const t = new AccessToken2();
    // the package's reader gives strings as Buffers: compared as UTF-8 text
    if (!t.from_string(token) || String(t.appId) !== appId || !t.verifySignature(certificate)) return { code: AP.NO_AUTHORIZED };
    const rtm = t.getServices(RTM_SERVICE)[0];
    // no RTM service, or one without the login privilege (docs/tokens.md)
    if (!rtm || rtm.__privileges?.[1] === undefined) return { code: AP.NO_RTM_PRIVILEGE };
    if (String(rtm.__user_id) !== uid) return { code: AP.INVALID_USER_ID };
    const priv = Number(rtm.__privileges?.[1] ?? 0);
    const expiryS = t.issueTs + (priv > 0 ? Math.min(priv, t.expire) : t.expire);
    return { expiryS };
  }
  if (prefix === '006') {
    const t = new AccessToken();
    if (!t.fromString(token) || t.appID !== appId) return { code: AP.NO_AUTHORIZED };
    const rebuilt = (channel) => {
      const k = new AccessToken(appId, certificate, channel, '');
      k.salt = t.salt;
      k.ts = t.ts;
      k.messages = t.messages;
      return k.build();
    };
    if (rebuilt(uid) !== token) {
      // the same package's crc of the channel slot tells a wrong user from a bad signature
      const forUid = new AccessToken();
      forUid.fromString(rebuilt(uid));
      return { code: forUid.crc_channel_name !== t.crc_channel_name ? AP.INVALID_USER_ID : AP.NO_AUTHORIZED };
    }
    const priv = Number(t.messages?.[priviledges.kRtmLogin] ?? -1);
    if (priv < 0) return { code: AP.NO_RTM_PRIVILEGE };
    return { expiryS: priv > 0 ? Math.min(priv, t.ts) : t.ts };
  }
  return { code: AP.NO_AUTHORIZED };
}

/**
 * R-TK21..R-TK23 for a stream-channel join / renew (RTC): {code} (refused) or {expiryS}. A 007
 * needs an RTC service (type 1) for `channel` and `uid` ("" = any uid); expiry issue_ts +
 * expire, or the join privilege when non-zero and earlier. A 006 must be the package's build
 * for (channel, uid); expiry its kJoinChannel privilege when non-zero, bounded by ts.
 */
export function rtcVerdict(token, appId, certificate, channel, uid) {
  if (typeof token !== 'string' || token === '' || token === appId) return { code: AP.DYNAMIC_ENABLED_BUT_STATIC_KEY };
  if (token.startsWith('007')) {
    const t = new AccessToken2();
    if (!t.from_string(token) || String(t.appId) !== appId || !t.verifySignature(certificate)) return { code: AP.NO_AUTHORIZED };
    const rtc = t.getServices(RTC_SERVICE).find((x) => String(x.__channel_name) === channel && ['', uid].includes(String(x.__uid)));
    // (the join privilege is required, docs/tokens.md)
    if (!rtc || rtc.__privileges?.[1] === undefined) return { code: AP.NO_AUTHORIZED };
    const priv = Number(rtc.__privileges?.[1] ?? 0);
    return { expiryS: t.issueTs + (priv > 0 ? Math.min(priv, t.expire) : t.expire) };
  }
  if (token.startsWith('006')) {
    const t = new AccessToken();
    if (!t.fromString(token) || t.appID !== appId) return { code: AP.NO_AUTHORIZED };
    // the package's build for the channel and the user, or any uid "" (docs/tokens.md)
    const built = (forUid) => {
      const k = new AccessToken(appId, certificate, channel, forUid);
      Object.assign(k, { salt: t.salt, ts: t.ts, messages: t.messages });
      return k.build();
    };
    if (built(uid) !== token && built('') !== token) return { code: AP.NO_AUTHORIZED };
    if (t.messages?.[priviledges.kJoinChannel] === undefined) return { code: AP.NO_AUTHORIZED };
    const priv = Number(t.messages?.[priviledges.kJoinChannel] ?? 0);
    return { expiryS: priv > 0 ? Math.min(priv, t.ts) : t.ts };
  }
  return { code: AP.NO_AUTHORIZED };
}

export class FakeTokens {
  /**
   * @param relay the case's FakeRelay (the sessions' withMessage groups, for the notice)
   * @param now () => the case's clock in ms
   */
  constructor(relay, now) {
    this.relay = relay;
    this.now = now;
    /** appId -> certificate (R-TK20) */
    this.certificates = new Map();
    /** session -> {token, expiryMs, ticket, noticed, noticeDue, lapsed, timers} */
    this.held = new Map();
    this.tickets = new Map();
    this.n = 0;
    /** session -> whether its link is up (the harness says) */
    this.down = new Set();
    /** ends a session at expiry on the other fake servers (set by the harness) */
    this.endSession = () => {};
  }

  setCertificate(appId, certificate) {
    this.certificates.set(appId, certificate);
  }

  /** The AP's answer for the session's current token: {code} or {expiryMs, ticket}. */
  ap(session) {
    const { appId, uid, token } = session.context;
    const cert = this.certificates.get(appId);
    let expiryMs = null;
    if (cert) {
      const v = verdict(token, appId, cert, uid);
      if (v.code) return { code: v.code };
      expiryMs = v.expiryS * 1000;
      if (this.now() >= expiryMs) return { code: AP.TOKEN_EXPIRED };
    }
    this.n += 1;
    const ticket = Buffer.from(`ticket:${uid}:${this.n}`).toString('base64');
    this.tickets.set(ticket, { token, expiryMs });
    return { ticket, expiryMs };
  }

  /** A login the AP took (`answer` from ap()): the session's token and timers. */
  onLogin(session, answer, socket) {
    this.cancel(session);
    this.down.delete(session);
    this.held.set(session, { token: session.context.token, expiryMs: answer.expiryMs, ticket: answer.ticket, socket, noticed: false, noticeDue: false, lapsed: false, timers: [] });
    this.arm(session);
  }

  cancel(session) {
    const h = this.held.get(session);
    if (!h) return;
    for (const t of h.timers) clearTimeout(t);
    h.timers = [];
  }

  at(ms, fn) {
    return setTimeout(fn, Math.max(0, ms - Date.now()));
  }

  arm(session) {
    const h = this.held.get(session);
    this.cancel(session);
    if (!h || h.expiryMs === null) return;
    if (!h.noticed) h.timers.push(this.at(h.expiryMs - NOTICE_BEFORE_MS, () => this.notice(session)));
    h.timers.push(this.at(h.expiryMs, () => this.expire(session)));
  }

  notice(session) {
    const h = this.held.get(session);
    if (!h || h.noticed) return;
    if (this.down.has(session)) {
      h.noticeDue = true;
      return;
    }
    h.noticed = true;
    h.noticeDue = false;
    const appId = session.context.appId;
    const names = [];
    for (const [key, members] of this.relay.groups) {
      const [app, name] = key.split('\u0000');
      if (app === appId && members.has(session)) names.push(name);
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const resources = JSON.stringify({ messageChannels: names.map((name) => ({ [name]: 1 })) });
    h.socket?.__recv('UserTicketNearlyExpire2').next({ ticket: h.ticket, resources });
  }

  expire(session) {
    const h = this.held.get(session);
    if (!h) return;
    this.cancel(session);
    if (this.down.has(session)) {
      h.lapsed = true;
      return;
    }
    this.held.delete(session);
    // R-TK25: the session ends like a kick (documents and groups gone), then the UserDrop
    this.endSession(session);
    h.socket?.__recv('UserDrop').next({ code: DROP_EXPIRED });
  }

  onLinkDown(session) {
    this.down.add(session);
  }

  /** The link is back (a reconnect attempt): false when the token lapsed meanwhile (R-TK25). */
  onLinkUp(session) {
    this.down.delete(session);
    const h = this.held.get(session);
    if (!h) return true;
    if (h.lapsed) {
      this.held.delete(session);
      return false;
    }
    return true;
  }

  /** After a reconnect: the notice that fell due while down (R-TK24). */
  flushNotice(session) {
    const h = this.held.get(session);
    if (h?.noticeDue && !this.down.has(session)) this.notice(session);
  }

  onLogout(session) {
    this.cancel(session);
    this.held.delete(session);
    this.down.delete(session);
  }

  /** The stream channels' side (rtc-stub.cjs `FakeRTC.tokens`). */
  rtcHooks() {
    return {
      check: (appId, channel, uid, token) => {
        const cert = this.certificates.get(appId);
        if (!cert) return null;
        const v = rtcVerdict(token, appId, cert, channel, uid);
        if (v.code) return v;
        const expiryMs = v.expiryS * 1000;
        return this.now() >= expiryMs ? { code: AP.TOKEN_EXPIRED } : { expiryMs };
      },
      // R-TK25: the user leaves the stream channel for the others
      expired: (appId, channel, uid) => this.relay.store.of(appId).apply({ kind: 'delDoc', ch: `${STREAM_PREFIX}${channel}`, uid }, null),
    };
  }

  /** UserRenewToken2Req: the AP took the token already (ap()); always code 0 (R-TK22). */
  handle(session, name, p) {
    if (name !== 'UserRenewToken2Req') return false;
    const taken = this.tickets.get(p.ticket);
    const h = this.held.get(session);
    if (taken && h) {
      h.token = taken.token;
      h.ticket = p.ticket;
      h.expiryMs = taken.expiryMs;
      h.noticed = false;
      h.noticeDue = false;
      this.arm(session);
    }
    setTimeout(() => session.__pkt('UserRenewToken2Resp').next({ seq: p.seq, code: this.renewReplyCode ?? 0, revoked: '{"messageChannels":[]}', eventReportInfo: { env: 0 } }), 0);
    return true;
  }
}
