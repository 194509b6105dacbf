// Agora's reference "Authentication workflow" sample logs in with a token from its token
// server, and its session outlives that token only if the token is renewed: the
// src/authentication_workflow sample of AgoraIO/signaling-sdk-samples-web at 7fc59ae
// (upstream.js says where the files come from; none of them is in this repository):
// src/authentication_workflow/index.html, authentication_workflow.js,
// signaling_manager_authentication.js, on top of src/signaling_manager/signaling_manager.js.
//
// The sample: LOGIN fetches `<proxyUrl><serverUrl>/rtm/<uid>/?expiry=<tokenExpiryTime>`
// (header `X-Requested-With`), reads `rtmToken` from the JSON reply and logs in with it
// in its RTMConfig (`new RTM(appId, uid, {token, …})`, `login()`); Subscribe joins a
// MESSAGE channel. Its renewal (`renewToken(uid)`: fetch a new token, `rtm.renewToken`,
// log "Token was about to expire so it was renewed...") is wired to a listener the SDK
// never calls: signaling_manager.js listens for "TokenPrivilegeWillExpire" (the SDK's
// event is `tokenPrivilegeWillExpire`, runtime `emit("tokenPrivilegeWillExpire"`, and
// the SDK's emitter is case-sensitive) and passes "TokenPrivilegeWillExpire " (with a
// trailing space) to a switch that expects it without. So, unchanged, the page does not
// renew: the test shows that (the SDK's notice reaches the app's client, the page fetches
// nothing, logs nothing), then does what the page's `renewToken` does, with the page's
// token server and the page's client, and shows the session outliving the first token,
// and, without a second renewal, ending at the second token's expiry (the page's LOGOUT
// still works). Its LOGIN after that is not driven: the page builds a new client for the
// same user id, which the SDK refuses for the rest of the runtime (-10023, runtime
// `IGNORE_DUPLICATE_USER_ID_ERR`; its set of user ids is never emptied), and the page
// goes on with its old client and that client's old token.
//
// Only the environment is stubbed: config.json (its README says to fill it in: `appId`,
// `serverUrl`, `proxyUrl` "" instead of its local CORS proxy, `tokenExpiryTime` "60"; set
// on the imported object, the file's bytes stay upstream's), `fetch` as the token server
// (tokens built with the official `agora-token` 2.0.6 package's AccessToken2 and
// ServiceRtm, as its RtmTokenBuilder.buildToken builds them, issued at the emulator's
// clock), and the emulator's address.
//
// Needs from the emulator (issue 17; the test is skipped, saying which, until they exist):
// an app certificate configured for the app (control `setAppCertificate(certificate,
// {appId})`), the login token checked against it (R-TK20..22),
// `rtm.renewToken` (R-TK2..4), `tokenPrivilegeWillExpire` with `""` and `token`
// WILL_EXPIRE 30 s before expiry (R-TK10, R-TK24), the session ending at expiry with a
// `linkState` FAILED / SERVER_REJECT / TOKEN_EXPIRED (R-TK9, R-TK25), and the dev
// dependency `agora-token` (package.json; `npm install`).

import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RTMClient } from '../../index.js';
import { lacking } from './emulator-features.js';
import { appRun, eventQueue, nextLogin, settle } from './harness.js';
import { openModulePage } from './module-page.js';
import { fillConfig, sampleLog as log } from './signaling-samples.js';
import { SIGNALING_SDK_SAMPLES as APP } from './upstream.js';

// Both 32 hex characters: the token builders return "" for anything else.
const APP_ID = '5a3c0e1f9b7d4c2a8e6f0b1d3c5a7e9f';
const CERTIFICATE = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const OTHER_CERTIFICATE = 'ffffeeeeddddccccbbbbaaaa99998888';
const TOKEN_SERVER = 'https://tokens.example';
const EXPIRY_S = 60; // config.json's tokenExpiryTime, as filled in
const NOTICE_S = 30; // the notice comes 30 s before expiry (R-TK24)
const CHANNEL = 'briefing';
const UID = '1001';
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
  let appClient;
  let appEvents;
  let peer;
  const requests = [];
  const issued = [];

  /** The sample's token server: `/rtm/<uid>/?expiry=<s>` -> `{rtmToken}`, at the emulator's time. */
  async function tokenServer(url, init) {
    requests.push({ url: String(url), headers: init?.headers });
    const match = /\/rtm\/([^/]+)\/\?expiry=(\d+)$/.exec(String(url));
    if (!match) return { text: async () => '{}' };
    const token = rtmToken(match[1], Number(match[2]), await server.control.now());
    issued.push(token);
    return { text: async () => JSON.stringify({ rtmToken: token }) };
  }

  beforeAll(async () => {
    server = await run.start();
    await server.control.setAppCertificate(CERTIFICATE, { appId: APP_ID });
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubGlobal('fetch', tokenServer);
    run.watch(['login']);
    await fillConfig(app.dir, {
      appId: APP_ID,
      serverUrl: TOKEN_SERVER,
      proxyUrl: '',
      tokenExpiryTime: String(EXPIRY_S),
    });
    const indexHtml = openModulePage(app.dir, 'src/authentication_workflow/index.html');
    expect(indexHtml.scripts).toEqual(['authentication_workflow.js']);
    await indexHtml.run();
    window.dispatchEvent(new Event('load'));
    await vi.waitUntil(() => document.querySelector('#projectSelector nav.navbar'));
  });

  afterAll(async () => {
    await peer?.logout().catch(() => {});
    await run.stop();
  });

  it('R-TK21 R-TK22: a token signed with another certificate is refused at login (-10005)', async () => {
    const stranger = new RTMClient(APP_ID, '3003', {
      logLevel: 'none',
      token: rtmToken('3003', EXPIRY_S, await server.control.now(), OTHER_CERTIFICATE),
    });
    await expect(stranger.login()).rejects.toMatchObject({ code: -10005, operation: 'login' });
  });

  it('R-TK20: LOGIN fetches a token from the token server and logs in with it; Subscribe joins the channel', async () => {
    document.getElementById('uid').value = UID;
    document.getElementById('login').click();
    const login = await nextLogin(run, { events: ['tokenPrivilegeWillExpire', 'token', 'linkState', 'message'] });
    appClient = login.client;
    appEvents = login.events;
    expect(login.result).toEqual({ timestamp: expect.any(Number) });
    expect(requests).toEqual([
      {
        url: `${TOKEN_SERVER}/rtm/${UID}/?expiry=${EXPIRY_S}`,
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      },
    ]);
    await unlessAppFails(vi.waitUntil(() => document.getElementById('login').textContent === 'LOGOUT'));

    peer = new RTMClient(APP_ID, PEER, {
      logLevel: 'none',
      token: rtmToken(PEER, 3600, await server.control.now()),
    });
    await peer.login();
    document.getElementById('channelName').value = CHANNEL;
    document.getElementById('join').click();
    await unlessAppFails(vi.waitUntil(async () => (await server.control.userChannels(UID)).length === 1));
    await peer.publish(CHANNEL, 'first briefing');
    await unlessAppFails(vi.waitUntil(() => log().includes(`Received message from ${PEER}: first briefing`)));
  });

  it('R-TK10 R-TK24: 30 s before expiry the SDK tells the app\'s client; the page, listening under another name, neither fetches nor renews', async () => {
    await server.control.advance(EXPIRY_S - NOTICE_S);
    const notice = await unlessAppFails(appEvents.tokenPrivilegeWillExpire.next());
    expect(notice).toBe('');
    const token = await appEvents.token.next();
    expect(token).toMatchObject({ eventType: 'WILL_EXPIRE', reason: 'The token is about to expire' });
    await settle();
    expect(requests).toHaveLength(1);
    expect(log()).not.toContain('Token was about to expire so it was renewed...');
  });

  it('R-TK2 R-TK3 R-TK26: renewed as the page\'s renewToken does it (its token server, its client), the session outlives the first token', async () => {
    const fresh = await (await tokenServer(`${TOKEN_SERVER}/rtm/${UID}/?expiry=${EXPIRY_S}`)).text();
    expect(await appClient.renewToken(JSON.parse(fresh).rtmToken)).toEqual({ timestamp: 0 });
    await server.control.advance(NOTICE_S + 1); // past the first token's expiry
    await settle();
    expect(appEvents.linkState.seen.filter((e) => e.currentState === 'FAILED')).toEqual([]);
    await peer.publish(CHANNEL, 'second briefing');
    await unlessAppFails(vi.waitUntil(() => log().includes(`Received message from ${PEER}: second briefing`)));
  });

  it('R-TK9 R-TK25: not renewed again, the session ends at the second token\'s expiry: FAILED / SERVER_REJECT / TOKEN_EXPIRED, the channel gone; the page\'s LOGOUT still works', async () => {
    await server.control.advance(EXPIRY_S);
    const failed = await unlessAppFails(appEvents.linkState.next((e) => e.currentState === 'FAILED'));
    expect(failed).toMatchObject({
      operation: 'SERVER_REJECT',
      reasonCode: 'TOKEN_EXPIRED',
      affectedChannels: [CHANNEL],
    });
    expect(await server.control.userChannels(UID)).toEqual([]);

    document.getElementById('login').click(); // LOGOUT
    await unlessAppFails(vi.waitUntil(() => document.getElementById('login').textContent === 'LOGIN'));
    expect(requests).toHaveLength(1); // the page fetched no token since its login
  });
});
