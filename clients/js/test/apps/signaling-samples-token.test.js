// Agora's reference "Authentication workflow" sample, unchanged, against an emulator whose
// app has an app certificate: the src/authentication_workflow sample of
// AgoraIO/signaling-sdk-samples-web at 7fc59ae (upstream.js says where the files come
// from; none of them is in this repository): src/authentication_workflow/index.html,
// authentication_workflow.js, signaling_manager_authentication.js, on top of
// src/signaling_manager/signaling_manager.js.
//
// The sample: LOGIN fetches `<proxyUrl><serverUrl>/rtm/<uid>/?expiry=<tokenExpiryTime>`
// (header `X-Requested-With`), reads `rtmToken` from the JSON reply, puts it into
// config.json's object (`config.token = token`) and builds its client with it in the
// RTMConfig: `new AgoraRTM.RTM(appId, uid, {token, useStringUserId, logUpload,
// presenceTimeout})`, then calls `login()` with no options. It does not await that login
// (`fetchTokenAndLogin`), and its login catches and logs (`console.log(error)`), so the
// button turns to LOGOUT whatever the login's outcome.
//
// Finding: the sample is incompatible with agora-rtm-sdk 2.3.0 (its package.json asks for
// ^2.1.5, which takes 2.3.0) once the app has a certificate. 2.3.0 reads the login token
// only from `login({token})` (agora-rtm.js 2.3.0, RTMImpl.login: `let C=null==A?void
// 0:A.token`, `this._context.token=null==A?void 0:A.token`; RTMConfig in agora-rtm.d.ts
// 2.3.0 has no `token` field), so the fetched token is never sent: the access point sees
// no token and refuses the login with its code 15, surfaced as RtmUnauthenticatedError
// -10005 "... detail: DYNAMIC_ENABLED_BUT_STATIC_KEY ..." (R-TK7, R-TK22), and the link
// goes CONNECTING → FAILED / LOGIN / INVALID_TOKEN. The emulator surfaces this; it is the
// SDK runtime's behaviour, not the emulator's. The page can log in only to an app without
// a certificate (R-TK20: nothing is checked, nothing expires), which the test shows with a
// second app id.
//
// Its renewal (`renewToken(uid)`: fetch a new token, `rtm.renewToken`, log "Token was
// about to expire so it was renewed...") could not run either: signaling_manager.js
// listens for "TokenPrivilegeWillExpire", the SDK emits `tokenPrivilegeWillExpire`
// (runtime `emit("tokenPrivilegeWillExpire"`; the emitter is case-sensitive), and passes
// "TokenPrivilegeWillExpire " (trailing space) to a switch that expects it without. So
// the renewal is shown with a client of the mode's SDK (this package's, or in real-SDK mode
// the real SDK's, docs/real-sdk.md D-RS11) that does what the sample means to do, with
// 2.3.0's API: `login({token})` with a token from the page's token server, a
// listener under the page's name (never called) next to one under the SDK's (called),
// `renewToken` with a fresh token from the same server, the session outliving the first
// token, and, not renewed again, ending at the second token's expiry.
//
// Only the environment is stubbed: config.json (its README says to fill it in: `appId`,
// `serverUrl`, `proxyUrl` "" instead of its local CORS proxy, `tokenExpiryTime` "60"; set
// on the imported object, the file's bytes stay upstream's), `fetch` as the token server
// (tokens built with the official `agora-token` 2.0.6 package's AccessToken2 and
// ServiceRtm, as its RtmTokenBuilder.buildToken builds them, issued at the emulator's
// clock), and the emulator's address. config.json keeps `useStringUserId: false`: the
// user ids are numbers (R-C1).
//
// Needs from the emulator (the test is skipped, saying which, until they exist): an app
// certificate configured for the app (control `setAppCertificate(certificate,
// {appId})`), tokens checked against it (R-TK20..R-TK23), `rtm.renewToken` (R-TK2..R-TK4,
// R-TK26), the notice 30 s before expiry (R-TK10, R-TK24), the session ending at expiry
// (R-TK9, R-TK25), and the dev dependency `agora-token` (package.json; `npm install`).

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RTMClient } from '../../index.js';
import { lacking } from './emulator-features.js';
import { DEBOUNCE_S, appRun, eventQueue, queue, settle } from './harness.js';
import { openModulePage } from './module-page.js';
import { AgoraRTM, REAL_SDK } from './sdk-mode.js';
import { fillConfig, sampleLog as log } from './signaling-samples.js';
import { SIGNALING_SDK_SAMPLES as APP } from './upstream.js';

// Both 32 hex characters: the token builders return "" for anything else.
const APP_ID = '5a3c0e1f9b7d4c2a8e6f0b1d3c5a7e9f'; // has CERTIFICATE
const OPEN_APP_ID = '9e7a5c3d1b0f6e8a2c4d7b9f1e0c3a5b'; // has none (R-TK20)
const CERTIFICATE = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const OTHER_CERTIFICATE = 'ffffeeeeddddccccbbbbaaaa99998888';
const TOKEN_SERVER = 'https://tokens.example';
const EXPIRY_S = 60; // config.json's tokenExpiryTime, as filled in
const NOTICE_S = 30; // the notice comes 30 s before expiry (R-TK24)
const CHANNEL = 'briefing';
const UID = '1001'; // the page's refused login (APP_ID)
const OPEN_UID = '1002'; // the page's login to OPEN_APP_ID
const RENEWER = '1003'; // this package's client that renews (APP_ID)
const PEER = '2002';

let tokenBuilder = null;
try {
  tokenBuilder = createRequire(import.meta.url)('agora-token/src/AccessToken2.js');
} catch {
  console.warn('skipping the authentication workflow: npm install (dev dependency agora-token)');
}
const absent = lacking('signaling-sdk-samples-web (Authentication workflow)', [
  'rtm.renewToken',
  'control.setAppCertificate',
]);

const run = appRun(APP, { appId: APP_ID, part: 'Authentication workflow' });
const { app, unlessAppFails } = run;

/** An RTM login token for `userId`, valid `expire` s from `issuedAtMs` (the emulator's ms). */
function rtmToken(userId, expire, issuedAtMs, certificate = CERTIFICATE) {
  const { AccessToken2, ServiceRtm } = tokenBuilder;
  const token = new AccessToken2(APP_ID, certificate, Math.floor(issuedAtMs / 1000), expire);
  const rtm = new ServiceRtm(userId);
  rtm.add_privilege(ServiceRtm.kPrivilegeLogin, expire);
  token.add_service(rtm);
  return token.build();
}

describe.skipIf(!app.available || absent.length > 0 || tokenBuilder === null)(run.title, () => {
  let server;
  let config; // the object the sample imports from config.json
  let consoleLog;
  let peer;
  let openPeer;
  let renewer;
  let renewerEvents;
  let stranger;
  const requests = [];

  /** The sample's token server: `/rtm/<uid>/?expiry=<s>` -> `{rtmToken}`, at the emulator's time. */
  async function tokenServer(url, init) {
    requests.push({ url: String(url), headers: init?.headers });
    const match = /\/rtm\/([^/]+)\/\?expiry=(\d+)$/.exec(String(url));
    if (!match) return { text: async () => '{}' };
    const token = rtmToken(match[1], Number(match[2]), await server.control.now());
    return { text: async () => JSON.stringify({ rtmToken: token }) };
  }

  /** What the token server answers for `uid`, as the sample's fetchToken reads it. */
  async function fetchToken(uid) {
    const reply = await tokenServer(`${TOKEN_SERVER}/rtm/${uid}/?expiry=${EXPIRY_S}`);
    return JSON.parse(await reply.text()).rtmToken;
  }

  /**
   * The page's `login` call after a click of LOGIN (the first one made by the page's
   * client: a login of this file's own clients is skipped), with queues of that client's
   * `names` events, listening from before the call (the real SDK emits CONNECTING during
   * login() itself).
   */
  async function pageLogin(names) {
    const ours = new Set([peer, openPeer, renewer, stranger]);
    const call = await unlessAppFails(run.calls.login.next((c) => !ours.has(c.client)));
    const events = Object.fromEntries(names.map((name) => [name, call.events?.[name] ?? eventQueue(call.client, name)]));
    return { call, events };
  }

  /**
   * The emulator's clock moves `seconds`. In real-SDK mode the renewer is the real SDK, whose
   * 30 s throttle of the server's notices (agora-rtm.js 2.3.0, the connection controller's
   * `initLoginReceiver`: an rxjs throttle, an interval timer) runs on the page's clock: its
   * interval timers are fake from its login on and move with the emulator's, the SDK's
   * first (docs/real-sdk.md, Limits: two clocks to keep in step).
   */
  async function advance(seconds) {
    if (REAL_SDK && vi.isFakeTimers()) vi.advanceTimersByTime(seconds * 1000);
    await server.control.advance(seconds);
  }

  beforeAll(async () => {
    server = await run.start();
    await server.control.setAppCertificate(CERTIFICATE, { appId: APP_ID });
    consoleLog = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubGlobal('fetch', tokenServer);
    run.watch(['login']);
    await fillConfig(app.dir, {
      appId: APP_ID,
      serverUrl: TOKEN_SERVER,
      proxyUrl: '',
      tokenExpiryTime: String(EXPIRY_S),
    });
    const url = pathToFileURL(join(app.dir, 'src/signaling_manager/config.json')).href;
    config = (await import(/* @vite-ignore */ url)).default;
    const indexHtml = openModulePage(app.dir, 'src/authentication_workflow/index.html');
    expect(indexHtml.scripts).toEqual(['authentication_workflow.js']);
    await indexHtml.run();
    window.dispatchEvent(new Event('load'));
    await vi.waitUntil(() => document.querySelector('#projectSelector nav.navbar'));
  });

  afterAll(async () => {
    vi.useRealTimers();
    for (const client of [peer, openPeer, renewer]) await client?.logout().catch(() => {});
    await run.stop();
  });

  it('R-TK21 R-TK22 R-TK7: a token signed with another certificate is refused at login (-10005, AP 9)', async () => {
    stranger = new RTMClient(APP_ID, '3003', { logLevel: 'none' });
    const token = rtmToken('3003', EXPIRY_S, await server.control.now(), OTHER_CERTIFICATE);
    await expect(stranger.login({ token })).rejects.toMatchObject({
      code: -10005,
      operation: 'login',
      serverCode: 9,
      reason: expect.stringContaining('detail: NO_AUTHORIZED'),
    });
  });

  it('R-TK20 R-TK22 R-TK7: LOGIN fetches a token, puts it in the RTMConfig, calls login() without it: refused as no token (-10005 DYNAMIC_ENABLED_BUT_STATIC_KEY), the link FAILED', async () => {
    document.getElementById('uid').value = UID;
    document.getElementById('login').click();
    const { call, events } = await pageLogin(['linkState']);
    expect(requests).toEqual([
      {
        url: `${TOKEN_SERVER}/rtm/${UID}/?expiry=${EXPIRY_S}`,
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      },
    ]);
    expect(config.token).toMatch(/^007/); // the fetched token, in the constructor's config
    expect(call.args).toEqual([]); // login() with no options: 2.3.0 sends no token
    const refusal = {
      name: 'RtmUnauthenticatedError',
      code: -10005,
      operation: 'login',
      serverCode: 15,
      reason:
        'Invalid token. detail: DYNAMIC_ENABLED_BUT_STATIC_KEY, The vendor enabled the dynamic key, but uses the static key.',
    };
    await expect(call.result).rejects.toMatchObject(refusal);
    await settle();
    expect(consoleLog).toHaveBeenCalledWith(expect.objectContaining(refusal)); // the page's catch
    const connecting = await events.linkState.next();
    const failed = await events.linkState.next();
    expect([connecting, failed].map((e) => [e.currentState, e.operation, e.reasonCode])).toEqual([
      ['CONNECTING', 'LOGIN', 'LOGIN'],
      ['FAILED', 'LOGIN', 'INVALID_TOKEN'],
    ]);
    // The page does not await the login: its button says LOGOUT all the same.
    await vi.waitUntil(() => document.getElementById('login').textContent === 'LOGOUT');
    expect(await server.control.onlineUsers(CHANNEL, 'MESSAGE')).toEqual([]);
  });

  it('R-L2 R-TK20: LOGOUT, then the page logs in to an app without a certificate (nothing checked) and Subscribe joins the channel', async () => {
    document.getElementById('login').click(); // LOGOUT of the failed client
    await unlessAppFails(vi.waitUntil(() => document.getElementById('login').textContent === 'LOGIN'));

    config.appId = OPEN_APP_ID;
    document.getElementById('uid').value = OPEN_UID;
    document.getElementById('login').click();
    const { call } = await pageLogin([]);
    expect(call.args).toEqual([]);
    expect(await unlessAppFails(call.result)).toEqual({ timestamp: expect.any(Number) });
    expect(requests.map((r) => r.url)).toEqual([
      `${TOKEN_SERVER}/rtm/${UID}/?expiry=${EXPIRY_S}`,
      `${TOKEN_SERVER}/rtm/${OPEN_UID}/?expiry=${EXPIRY_S}`,
    ]);

    openPeer = new RTMClient(OPEN_APP_ID, PEER, { logLevel: 'none' });
    await openPeer.login();
    document.getElementById('channelName').value = CHANNEL;
    document.getElementById('join').click();
    await unlessAppFails(
      vi.waitUntil(async () => (await server.control.userChannels(OPEN_UID, { appId: OPEN_APP_ID })).length === 1),
    );
    await openPeer.publish(CHANNEL, 'open briefing');
    await unlessAppFails(vi.waitUntil(() => log().includes(`Received message from ${PEER}: open briefing`)));
  });

  it('R-TK20: without a certificate nothing expires: past the token\'s expiry the page is still in, fetched nothing, renewed nothing', async () => {
    await server.control.advance(EXPIRY_S + 1);
    await settle();
    await openPeer.publish(CHANNEL, 'still open');
    await unlessAppFails(vi.waitUntil(() => log().includes(`Received message from ${PEER}: still open`)));
    expect(requests).toHaveLength(2);
    expect(log()).not.toContain('Token was about to expire so it was renewed...');
    document.getElementById('login').click(); // LOGOUT
    await unlessAppFails(vi.waitUntil(() => document.getElementById('login').textContent === 'LOGIN'));
  });

  it('R-TK10 R-TK13 R-TK24: a client that logs in with login({token}) hears tokenPrivilegeWillExpire ("") and token WILL_EXPIRE 30 s before expiry; a listener under the page\'s name "TokenPrivilegeWillExpire" is never called', async () => {
    // the mode's SDK: this package's client, or in real-SDK mode the real SDK (its renewal,
    // notices and lapse through sdk.renew and its login socket, D-RS11)
    if (REAL_SDK) vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    renewer = new AgoraRTM.RTM(APP_ID, RENEWER, { logLevel: 'none', logUpload: false });
    renewerEvents = Object.fromEntries(
      ['tokenPrivilegeWillExpire', 'TokenPrivilegeWillExpire', 'token', 'linkState'].map((name) => [
        name,
        eventQueue(renewer, name),
      ]),
    );
    expect(await renewer.login({ token: await fetchToken(RENEWER) })).toEqual({ timestamp: expect.any(Number) });
    await renewer.subscribe(CHANNEL);
    peer = new RTMClient(APP_ID, PEER, { logLevel: 'none' });
    await peer.login({ token: rtmToken(PEER, 3600, await server.control.now()) });

    await advance(EXPIRY_S - NOTICE_S - 1);
    await settle();
    expect(renewerEvents.tokenPrivilegeWillExpire.seen).toEqual([]);
    await advance(1);
    expect(await renewerEvents.tokenPrivilegeWillExpire.next()).toBe('');
    expect(await renewerEvents.token.next()).toEqual({
      eventType: 'WILL_EXPIRE',
      reason: 'The token is about to expire',
      affectedResources: { messageChannels: [CHANNEL] },
      // the real SDK stamps it with its own clock (Date.now() + its server offset)
      timestamp: REAL_SDK ? expect.any(Number) : await server.control.now(),
    });
    await settle();
    expect(renewerEvents.TokenPrivilegeWillExpire.seen).toEqual([]);
    expect(renewerEvents.linkState.seen.map((e) => e.currentState)).toEqual(['CONNECTING', 'CONNECTED']);
  });

  it('R-TK2 R-TK3 R-TK26 R-TK24: renewed with a fresh token from the same server, the session outlives the first token and the notice is re-armed', async () => {
    await advance(10); // 20 s before the first token's expiry
    expect(await renewer.renewToken(await fetchToken(RENEWER))).toEqual({ timestamp: 0 });
    await advance(NOTICE_S - 10 + 1); // past the first token's expiry
    await settle();
    expect(renewerEvents.linkState.seen.map((e) => e.currentState)).toEqual(['CONNECTING', 'CONNECTED']);
    const received = eventQueue(renewer, 'message');
    await peer.publish(CHANNEL, 'second briefing');
    expect(await received.next()).toMatchObject({ publisher: PEER, message: 'second briefing' });

    await advance(EXPIRY_S - NOTICE_S - (NOTICE_S - 10 + 1) - 1);
    await settle();
    expect(renewerEvents.tokenPrivilegeWillExpire.seen).toHaveLength(1);
    await advance(1); // the second token's expiry − 30 s
    expect(await renewerEvents.tokenPrivilegeWillExpire.next()).toBe('');
    expect(await renewerEvents.token.next()).toMatchObject({ eventType: 'WILL_EXPIRE' });
  });

  it('R-TK9 R-TK25: not renewed again, the session ends at the second token\'s expiry: FAILED / SERVER_REJECT / TOKEN_EXPIRED, the channel gone', async () => {
    await advance(NOTICE_S - 1);
    await settle();
    expect(renewerEvents.linkState.seen.map((e) => e.currentState)).toEqual(['CONNECTING', 'CONNECTED']);
    await advance(1);
    const failed = await renewerEvents.linkState.next((e) => e.currentState === 'FAILED');
    expect(failed).toMatchObject({
      currentState: 'FAILED',
      operation: 'SERVER_REJECT',
      reasonCode: 'TOKEN_EXPIRED',
      affectedChannels: [CHANNEL],
    });
    await settle();
    expect(renewerEvents.token.seen.map((e) => e.eventType)).toEqual(['WILL_EXPIRE', 'WILL_EXPIRE']); // none at the lapse
    expect(await server.control.userChannels(RENEWER)).toEqual([]);
    await advance(DEBOUNCE_S);
    expect(await server.control.onlineUsers(CHANNEL, 'MESSAGE')).toEqual([]);
  });
});
