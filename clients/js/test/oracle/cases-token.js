// The token cases of the oracle (issue 17): renewToken's check order and results, the access
// point's refusals at login and renew, mid-session expiry, the will-expire notice (its events,
// their order and the SDK's 30 s throttle) and renewToken's rate limit.
// Added to the table by cases.js (addTokenCases); plain data like the rest.
//
// Every case has `family: "token"` (see cases-storage.js for what the runner records: here the
// `token` and `tokenPrivilegeWillExpire` events). Tokens are case data,
// `{"$": "token", user, expire, ...}` (lib/tokens.js), built when the step runs with the
// agora-token package on the case's clock, signed with the case's certificate
// (`server.appCertificate`, R-TK20) unless the spec says otherwise.
// `decidedBy`: "client" (agora-rtm.js 2.3.0), "server" (sdk/fake-token.js, written to the
// proposed decisions R-TK20..R-TK27), "client+server".
// Sources: "runtime" = agora-rtm.js 2.3.0 (docs/semantics.md, R-TK1..R-TK13); "rule"
// = a proposed emulator decision (R-TK2x).

import { actor, call, nw, ROOM, sub } from './lib/steps.js';
import { APP_ID } from './lib/runner.js';

const U = { $: 'undefined' };
/** A 32-hex certificate for the case's app (the 007 builders need hex app id and certificate). */
export const CERT = '5e1f0c2b9a8d7e6f5e1f0c2b9a8d7e6f';
const OTHER_CERT = '0f0e0d0c0b0a09080706050403020100';
const OTHER_APP = 'fedcba9876543210fedcba9876543210';
const SERVER = { appCertificate: { appId: APP_ID, certificate: CERT } };

/** A token of `user` (lib/tokens.js): 007 signed with the case's certificate unless `extra` says. */
const tok = (user, extra = {}) => ({ $: 'token', user, ...extra });
const loginT = (who, spec = tok(who)) => call(who, 'login', { token: spec });
const renew = (who, token, opts) => (opts === undefined ? call(who, 'renewToken', token) : call(who, 'renewToken', token, opts));
const down = (who) => ({ who, net: 'down' });
const upNet = (who) => ({ who, net: 'up' });
const advance = (s) => ({ advance: s });
const upT = (who, spec) => [nw(who), loginT(who, spec)];
const logout = (who) => call(who, 'logout');

const A = { alice: actor('alice') };
const AB = { alice: actor('alice'), bob: actor('bob') };

/** Tokens the SDK's own format check (R-TK1) refuses or passes, by label. */
const CLIENT_BAD = [
  ['undefined', U],
  ['empty', ''],
  ['abc', 'abc'],
  ['number', 42],
  ['null', null],
  ['007-garbage', '007notbase64zlib'],
  ['006-short', '006abc'],
  ['007-other-app', tok('alice', { app: OTHER_APP, cert: OTHER_CERT })],
  ['006-other-app', tok('alice', { kind: '006', app: OTHER_APP, cert: OTHER_CERT })],
];

/** Tokens the fake AP refuses (R-TK22), by label, with the AP code. */
const AP_BAD = [
  ['signature', tok('alice', { cert: OTHER_CERT }), 9],
  ['wrong-user', tok('bob'), 7],
  ['expired', tok('alice', { issued: -7200, expire: 3600 }), 13],
  ['privilege-expired', tok('alice', { issued: -120, expire: 3600, privilege: 60 }), 13],
  ['no-rtm-privilege', tok('alice', { service: 'rtc' }), 21],
  ['006-signature', tok('alice', { kind: '006', cert: OTHER_CERT }), 9],
  ['006-wrong-user', tok('bob', { kind: '006' }), 7],
  ['006-expired', tok('alice', { kind: '006', issued: -7200, expire: 3600 }), 13],
];

/**
 * Add the token cases through `add` (cases.js's: it rejects duplicate ids).
 * @param add (case) => void
 */
export function addTokenCases(add) {
  const t = (c) => add({ actors: A, decidedBy: 'client', server: SERVER, ...c, family: 'token' });

  // ------------------------------------------------------------ renewToken check order (R-TK1, R-TK2)
  t({ id: 'token.renew.order.idle-bad', rule: 'R-TK2', source: 'runtime', title: 'renewToken before login with a bad token: -10025 (IDLE first)', steps: [nw('alice'), renew('alice', 'abc')] });
  t({ id: 'token.renew.order.idle-good', rule: 'R-TK2', source: 'runtime', title: 'renewToken before login with a good token: -10025', steps: [nw('alice'), renew('alice', tok('alice'))] });
  t({ id: 'token.renew.order.idle-number', rule: 'R-TK2', source: 'runtime', title: 'renewToken(42) before login: -10025 before the TypeError', steps: [nw('alice'), renew('alice', 42)] });
  for (const [label, token] of CLIENT_BAD) {
    t({ id: `token.renew.order.connected.${label}`, rule: 'R-TK1', source: 'runtime', title: `renewToken(${label}) while CONNECTED: the SDK's own token check`, steps: [...upT('alice'), renew('alice', token)] });
    t({ id: `token.renew.order.disconnected.${label}`, rule: 'R-TK2', source: 'runtime', title: `renewToken(${label}) while DISCONNECTED: the token check before -10025`, steps: [...upT('alice'), down('alice'), renew('alice', token), upNet('alice'), advance(3)] });
  }
  t({ id: 'token.renew.order.disconnected.good', rule: 'R-TK2', source: 'runtime', title: 'renewToken(a good token) while DISCONNECTED: -10025', steps: [...upT('alice'), down('alice'), renew('alice', tok('alice', { expire: 7200 })), upNet('alice'), advance(3)] });
  t({ id: 'token.renew.order.same-token', rule: 'R-TK2', source: 'runtime', title: 'renewToken(the login token): resolves {timestamp: 0} at once', steps: [...upT('alice'), renew('alice', tok('alice'))] });
  t({ id: 'token.renew.order.same-token-disconnected', rule: 'R-TK2', source: 'runtime', title: 'renewToken(the login token) while DISCONNECTED: -10025 (the link check comes before the same-token shortcut)', steps: [...upT('alice'), down('alice'), renew('alice', tok('alice', { issued: 0 })), upNet('alice'), advance(3)] });
  t({ id: 'token.renew.order.app-id', rule: 'R-TK22', source: 'runtime', decidedBy: 'client+server', title: 'renewToken(the app id) under a certificate: passes the SDK check, the AP refuses it (15)', steps: [...upT('alice'), renew('alice', APP_ID)] });

  // ------------------------------------------------------------ renew results (R-TK3, R-TK4, R-TK26)
  t({ id: 'token.renew.ok', rule: 'R-TK3', source: 'runtime', decidedBy: 'client+server', title: 'renewToken(a new token): {timestamp: 0}', steps: [...upT('alice'), sub('alice'), renew('alice', tok('alice', { expire: 7200 }))] });
  t({ id: 'token.renew.ok-006', rule: 'R-TK26', source: 'rule', decidedBy: 'client+server', title: 'renewToken(a 006 token) after a 007 login', steps: [...upT('alice'), renew('alice', tok('alice', { kind: '006', expire: 7200 }))] });
  t({ id: 'token.renew.ok-twice', rule: 'R-TK4', source: 'runtime', decidedBy: 'client+server', title: 'two renews, then the second token again: the last resolves at once', steps: [...upT('alice'), renew('alice', tok('alice', { expire: 7200 })), renew('alice', tok('alice', { expire: 9000 })), renew('alice', tok('alice', { expire: 9000 }))] });
  t({ id: 'token.renew.no-certificate', rule: 'R-TK20', source: 'rule', decidedBy: 'client+server', title: 'no certificate: a login without token, then any well-formed token is taken', server: {}, steps: [nw('alice'), call('alice', 'login'), renew('alice', tok('alice', { cert: OTHER_CERT }))] });
  for (const [label, token, code] of AP_BAD) {
    t({
      id: `token.renew.refused.${label}`,
      rule: 'R-TK4',
      source: 'runtime',
      decidedBy: 'client+server',
      title: `renewToken refused by the AP (${code}): RtmUnauthenticatedError, plain reason, no serverCode; the old token stays (renewing it resolves at once)`,
      steps: [...upT('alice', tok('alice', { issued: 0 })), sub('alice'), renew('alice', token), renew('alice', tok('alice', { issued: 0 })), call('alice', 'publish', ROOM, 'still here')],
    });
  }

  // ------------------------------------------------------------ login refusals (R-TK7, R-TK22)
  for (const [label, token, code] of AP_BAD) {
    t({ id: `token.login.refused.${label}`, rule: 'R-TK7', source: 'runtime', decidedBy: 'client+server', title: `login refused by the AP (${code}): error fields and CONNECTING -> FAILED`, steps: [nw('alice'), loginT('alice', token)] });
  }
  t({ id: 'token.login.refused.no-token', rule: 'R-TK22', source: 'rule', decidedBy: 'client+server', title: 'login without a token under a certificate: AP 15 (DYNAMIC_ENABLED_BUT_STATIC_KEY)', steps: [nw('alice'), call('alice', 'login')] });
  t({ id: 'token.login.refused.app-id', rule: 'R-TK22', source: 'rule', decidedBy: 'client+server', title: 'login with the app id as token under a certificate: AP 15', steps: [nw('alice'), call('alice', 'login', { token: APP_ID })] });
  t({ id: 'token.login.refused.then-ok', rule: 'R-TK7', source: 'runtime', decidedBy: 'client+server', title: 'a refused login, then a login with a good token: CONNECTED, subscribe works', steps: [nw('alice'), loginT('alice', tok('alice', { cert: OTHER_CERT })), loginT('alice'), sub('alice')] });
  t({ id: 'token.login.ok-006', rule: 'R-TK21', source: 'rule', decidedBy: 'client+server', title: 'login with a 006 RTM token', steps: [nw('alice'), loginT('alice', tok('alice', { kind: '006' })), sub('alice')] });
  t({ id: 'token.login.ok-future', rule: 'R-TK23', source: 'rule', decidedBy: 'client+server', title: 'a token issued in the future is taken', steps: [nw('alice'), loginT('alice', tok('alice', { issued: 600 })), sub('alice')] });
  t({ id: 'token.login.refused.client-other-app', rule: 'R-TK1', source: 'runtime', title: "login with another app's token: -10016 from the SDK's check, no AP request", steps: [nw('alice'), loginT('alice', tok('alice', { app: OTHER_APP, cert: OTHER_CERT }))] });

  // ------------------------------------------------------------ expiry (R-TK9, R-TK25)
  t({
    id: 'token.expiry.session',
    rule: 'R-TK9',
    source: 'runtime',
    decidedBy: 'client+server',
    title: 'the token lapses mid-session: FAILED / SERVER_REJECT / TOKEN_EXPIRED with the MESSAGE channels; bob sees alice leave',
    actors: AB,
    steps: [...upT('alice', tok('alice', { expire: 60 })), sub('alice'), ...upT('bob'), sub('bob'), advance(59), advance(1), advance(1), call('alice', 'publish', ROOM, 'x')],
  });
  t({
    id: 'token.expiry.login-again',
    rule: 'R-TK9',
    source: 'runtime',
    decidedBy: 'client+server',
    title: 'after expiry, login with a fresh token restores the channels',
    steps: [...upT('alice', tok('alice', { expire: 60 })), sub('alice'), advance(60), loginT('alice', tok('alice')), call('alice', 'publish', ROOM, 'back')],
  });
  t({
    id: 'token.expiry.login-expired-again',
    rule: 'R-TK7',
    source: 'runtime',
    decidedBy: 'client+server',
    title: 'after expiry, login with the same (expired) token: AP 13, FAILED / LOGIN / TOKEN_EXPIRED',
    steps: [...upT('alice', tok('alice', { expire: 60, issued: 0 })), sub('alice'), advance(60), loginT('alice', tok('alice', { expire: 60, issued: 0 }))],
  });
  t({
    id: 'token.expiry.renewed-in-time',
    rule: 'R-TK25',
    source: 'rule',
    decidedBy: 'client+server',
    title: 'a renew before expiry moves it: nothing happens at the old expiry',
    steps: [...upT('alice', tok('alice', { expire: 60 })), sub('alice'), advance(20), renew('alice', tok('alice', { expire: 3600 })), advance(50), call('alice', 'publish', ROOM, 'x')],
  });
  t({
    id: 'token.expiry.while-down',
    rule: 'R-TK25',
    source: 'rule',
    decidedBy: 'client+server',
    title: 'the token lapses while the link is down: the next reconnect attempt ends in FAILED / TOKEN_EXPIRED',
    steps: [...upT('alice', tok('alice', { expire: 60 })), sub('alice'), advance(25), down('alice'), advance(40), upNet('alice'), advance(40)],
  });
  t({
    id: 'token.expiry.logout-first',
    rule: 'R-TK25',
    source: 'rule',
    decidedBy: 'client+server',
    title: 'logout before expiry: nothing at expiry',
    steps: [...upT('alice', tok('alice', { expire: 60 })), sub('alice'), logout('alice'), advance(61)],
  });

  // ------------------------------------------------------------ will-expire (R-TK10, R-TK24)
  t({
    id: 'token.will-expire.shape',
    rule: 'R-TK10',
    source: 'runtime',
    decidedBy: 'client+server',
    title: 'the notice at expiry - 30 s: tokenPrivilegeWillExpire("") then token WILL_EXPIRE with the MESSAGE channels, link unchanged',
    steps: [...upT('alice', tok('alice', { expire: 90 })), sub('alice'), sub('alice', 'lobby'), advance(59), advance(1), advance(10)],
  });
  t({ id: 'token.will-expire.no-channels', rule: 'R-TK10', source: 'runtime', decidedBy: 'client+server', title: 'the notice with no channel subscribed: messageChannels []', steps: [...upT('alice', tok('alice', { expire: 60 })), advance(30)] });
  t({ id: 'token.will-expire.at-once', rule: 'R-TK24', source: 'rule', decidedBy: 'client+server', title: 'a login with <= 30 s left: the notice at once', steps: [...upT('alice', tok('alice', { expire: 20 })), advance(5)] });
  t({
    id: 'token.will-expire.throttle',
    rule: 'R-TK10',
    source: 'runtime',
    decidedBy: 'client+server',
    title: "a renew to a short token within 30 s of the last notice: the SDK's throttle drops the new notice; the expiry still comes",
    steps: [...upT('alice', tok('alice', { expire: 40 })), advance(10), renew('alice', tok('alice', { expire: 35 })), advance(10), advance(25)],
  });
  t({
    id: 'token.will-expire.after-throttle',
    rule: 'R-TK10',
    source: 'runtime',
    decidedBy: 'client+server',
    title: 'a renew whose notice comes 40 s after the last one: delivered',
    steps: [...upT('alice', tok('alice', { expire: 40 })), advance(10), renew('alice', tok('alice', { expire: 70 })), advance(39), advance(1)],
  });
  t({
    id: 'token.will-expire.relogin',
    rule: 'R-TK10',
    source: 'runtime',
    decidedBy: 'client+server',
    title: 'logout and login again within 30 s: the throttle starts again, the new notice is delivered',
    steps: [...upT('alice', tok('alice', { expire: 40 })), advance(10), logout('alice'), advance(5), loginT('alice', tok('alice', { expire: 25 })), advance(5)],
  });
  t({
    id: 'token.will-expire.while-down',
    rule: 'R-TK24',
    source: 'rule',
    decidedBy: 'client+server',
    title: 'the notice falls due while the link is down: sent when it is back',
    steps: [...upT('alice', tok('alice', { expire: 90 })), sub('alice'), advance(50), down('alice'), advance(15), upNet('alice'), advance(10)],
  });
  t({
    id: 'token.will-expire.renewed-before',
    rule: 'R-TK24',
    source: 'rule',
    decidedBy: 'client+server',
    title: 'a renew before the notice: no notice at the old time',
    steps: [...upT('alice', tok('alice', { expire: 60 })), advance(20), renew('alice', tok('alice', { expire: 3600 })), advance(20)],
  });

  // ------------------------------------------------------------ stream channels (R-TK6, R-TK11, R-TK12)
  const ST = 'stage';
  const rtcTok = (user, extra = {}) => tok(user, { service: 'rtc', channel: ST, ...extra });
  const joinT = (who, token, ch = ST) => (token === undefined ? call(who, 'stream.join', ch) : call(who, 'stream.join', ch, { token }));
  const create = (who, ch = ST) => call(who, 'createStreamChannel', ch);
  const sjoin = (label, token, title, rule = 'R-TK11') => t({ id: `token.stream.join.${label}`, rule, source: rule === 'R-TK11' ? 'runtime' : 'rule', decidedBy: 'client+server', title, steps: [...upT('alice'), create('alice'), joinT('alice', token)] });
  sjoin('ok', rtcTok('alice'), 'stream join with an RTC token for the channel: joined', 'R-TK21');
  sjoin('ok-any-uid', rtcTok(''), 'stream join with an RTC token for any uid (""): joined', 'R-TK21');
  sjoin('ok-006', { $: 'token', kind: '006-rtc', user: 'alice', channel: ST }, 'stream join with a 006 RTC token: joined', 'R-TK21');
  sjoin('no-token', undefined, 'stream join without a token under a certificate (the SDK sends the app id): -10005, FAILED / JOIN / INVALID_TOKEN');
  sjoin('empty-token', '', 'stream join with token "" (the SDK sends the app id): -10005');
  sjoin('rtm-token', tok('alice'), 'stream join with the RTM login token (no RTC service): -10005');
  sjoin('other-channel', rtcTok('alice', { channel: 'other' }), 'stream join with an RTC token of another channel: -10005');
  sjoin('other-user', rtcTok('bob'), "stream join with another user's RTC token: -10005");
  sjoin('signature', rtcTok('alice', { cert: OTHER_CERT }), 'stream join with a badly signed RTC token: -10005');
  sjoin('expired', rtcTok('alice', { issued: -7200, expire: 3600 }), 'stream join with an expired RTC token: -10005 (RTC reports it as no gateway)');
  sjoin('other-app', rtcTok('alice', { app: OTHER_APP, cert: OTHER_CERT }), "stream join with another app's token: -10016 from the SDK's check", 'R-TK1');
  t({ id: 'token.stream.join.no-certificate', rule: 'R-TK20', source: 'rule', decidedBy: 'client+server', title: 'no certificate: stream join without a token is taken', server: {}, steps: [nw('alice'), call('alice', 'login'), create('alice'), joinT('alice')] });

  const srenew = (label, steps, title, rule = 'R-TK6', decidedBy = 'client') => t({ id: `token.stream.renew.${label}`, rule, source: rule === 'R-TK6' ? 'runtime' : 'rule', decidedBy, title, steps: [...upT('alice'), ...steps] });
  srenew('bad-name', [renew('alice', rtcTok('alice'), { channelName: 'a.b' })], 'renewToken with a bad stream channel name: -10008');
  srenew('bad-name-bad-token', [renew('alice', 'abc', { channelName: 'a.b' })], 'renewToken with a bad token and a bad channel name: the token check first');
  srenew('not-created', [renew('alice', rtcTok('alice'), { channelName: ST })], 'renewToken of a stream channel never created: -10008');
  srenew('not-joined', [create('alice'), renew('alice', rtcTok('alice'), { channelName: ST })], 'renewToken of a created, not joined stream channel: -11001');
  srenew('ok', [create('alice'), joinT('alice', rtcTok('alice')), renew('alice', rtcTok('alice', { expire: 7200 }), { channelName: ST })], 'renewToken of a joined stream channel: {timestamp: 0}', 'R-TK6', 'client+server');
  srenew('same-token', [create('alice'), joinT('alice', rtcTok('alice')), renew('alice', rtcTok('alice'), { channelName: ST })], 'renewToken of a stream channel with its join token: no shortcut, the RTC renew runs', 'R-TK6', 'client+server');
  srenew('rtm-disconnected', [create('alice'), joinT('alice', rtcTok('alice')), down('alice'), renew('alice', rtcTok('alice', { expire: 7200 }), { channelName: ST }), upNet('alice'), advance(3)], 'renewToken of a joined stream channel while the network is down: -11001 (its RTC link is down too, R-M12), not -10025', 'R-TK6', 'client+server');
  srenew('refused', [create('alice'), joinT('alice', rtcTok('alice')), renew('alice', rtcTok('alice', { cert: OTHER_CERT }), { channelName: ST })], 'stream renewToken refused (RTC INVALID_PARAMS): -10005 with the RTC code in the reason', 'R-TK22', 'client+server');
  srenew('refused-expired', [create('alice'), joinT('alice', rtcTok('alice')), renew('alice', rtcTok('alice', { issued: -7200, expire: 3600 }), { channelName: ST })], 'stream renewToken with an expired token: -10005 (INVALID_PARAMS)', 'R-TK22', 'client+server');
  srenew('rtm-token', [create('alice'), joinT('alice', rtcTok('alice')), renew('alice', tok('alice', { expire: 7200 }), { channelName: ST })], 'stream renewToken with an RTM token: refused, -10005', 'R-TK22', 'client+server');

  const sx = (label, rule, title, steps, actors = A) => t({ id: `token.stream.${label}`, rule, source: 'rule', decidedBy: 'client+server', title, actors, steps });
  sx('will-expire', 'R-TK12', 'the RTC notice at expiry - 30 s: tokenPrivilegeWillExpire(channel name), no token event', [...upT('alice'), create('alice'), joinT('alice', rtcTok('alice', { expire: 60 })), advance(29), advance(1)]);
  sx('expiry', 'R-TK12', 'the RTC token lapses: the stream link goes FAILED / SERVER_REJECT / TOKEN_EXPIRED, bob sees alice leave, topic calls -11001; the MESSAGE link stays', [...upT('alice'), ...upT('bob'), create('bob'), joinT('bob', rtcTok('bob')), create('alice'), joinT('alice', rtcTok('alice', { expire: 60 })), advance(60), call('alice', 'stream.joinTopic', ST, 't1'), call('alice', 'publish', ROOM, 'x')], AB);
  sx('expiry-renewed', 'R-TK25', 'a stream renew before expiry moves it: nothing at the old expiry', [...upT('alice'), create('alice'), joinT('alice', rtcTok('alice', { expire: 60 })), advance(20), renew('alice', rtcTok('alice', { expire: 3600 }), { channelName: ST }), advance(50)]);
  sx('expiry-rejoin', 'R-TK12', 'after the stream token lapsed: join again with a fresh token', [...upT('alice'), create('alice'), joinT('alice', rtcTok('alice', { expire: 60 })), advance(60), joinT('alice', rtcTok('alice'))]);

  // ------------------------------------------------------------ rate limit (R-TK2)
  const rate = (label, steps, title) => t({ id: `token.rate.${label}`, rule: 'R-TK2', source: 'runtime', title: `renewToken rate limit (20/s): ${title}`, server: { ...SERVER, rateLimits: true }, steps });
  rate('same-token-21', [...upT('alice', tok('alice', { issued: 0 })), ...Array.from({ length: 21 }, () => renew('alice', tok('alice', { issued: 0 })))], 'the 21st renew of the login token in one second');
  rate('idle-21', [nw('alice'), ...Array.from({ length: 21 }, () => renew('alice', 'abc'))], 'before login: 20 x -10025, then the rate error first');
  rate('after-a-second', [...upT('alice', tok('alice', { issued: 0 })), ...Array.from({ length: 20 }, () => renew('alice', tok('alice', { issued: 0 }))), advance(1), renew('alice', tok('alice', { issued: 0 }))], '20 in one second, the next one a second later passes');
}
