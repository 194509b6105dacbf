// A public app written for agora-rtm-sdk 2.x runs its presence flows unchanged on the
// emulator: digitallysavvy/agora-signaling-demo at f17e3b2 (upstream.js says where the
// files come from; none of them is in this repository). The app passes `token` in its
// RTMConfig (R-C3: a key the SDK 2.3.0 runtime does not read; login checks only
// `login({token})`) and registers `status`, `storage`, `topic`, `lock` and
// `TokenPriviledgeWillExpire` listeners (R-C5: any name is accepted, names the SDK never
// fires never fire).
//
// Only the environment is stubbed: the Vite env variables, the token server (`fetch`),
// jsdom's missing canvas, `crypto.subtle` if absent. The app runs as the browser runs
// it: index.html's body, its module scripts in document order, DOMContentLoaded, a click
// on its Join button, an Escape key press. A second user (`bob`, this package's client)
// joins and leaves the app's channel; the emulator's clock moves only by
// `control.advance`.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RTMClient } from '../../index.js';
import { DEBOUNCE_S, appRun, eventQueue, nextLogin, settle } from './harness.js';
import { openModulePage } from './module-page.js';
import { AgoraRTM } from './sdk-mode.js';
import { AGORA_SIGNALING_DEMO as APP } from './upstream.js';

const APP_ID = 'SignalingDemoSampleApp0000000000';
const TOKEN_SERVER = 'https://token-server.invalid/';
/** An AccessToken for APP_ID, as the app's token service returns one (R-C2). */
const TOKEN = `006${APP_ID}IACsampleTokenSignatureForTheEmulatorTest`;
const CHANNEL = 'test'; // the app's channel name

const run = appRun(APP, { appId: APP_ID });
/** The client class of the SDK the app imports (this package's, or the real SDK's). */
const SdkRTM = AgoraRTM.RTM;
const { app, calls, unlessAppFails } = run;

/** What the page shows: the user tiles' ids in page order, and whether Join is there. */
function page() {
  const container = document.getElementById('container');
  return {
    users: [...container.querySelectorAll('.user')].map((div) => div.id),
    joinButton: container.querySelector('#join-channel') !== null,
  };
}

describe.skipIf(!app.available)(run.title, () => {
  let server;
  let bob;
  let bobPresence;
  let appClient;
  let appPresence;
  let appLinkState;
  let userId;
  const tokenRequests = [];
  const appLogs = [];
  const constructed = [];

  beforeAll(async () => {
    server = await run.start();

    // The environment the app expects of its page and its build.
    vi.stubEnv('VITE_AGORA_APP_ID', APP_ID);
    vi.stubEnv('VITE_AGORA_TOKEN_SERVER_URL', TOKEN_SERVER);
    vi.stubGlobal('fetch', async (url, init) => {
      tokenRequests.push({
        url: String(url),
        method: init?.method,
        body: JSON.parse(init?.body ?? 'null'),
      });
      return new Response(JSON.stringify({ token: TOKEN }), {
        headers: { 'Content-Type': 'application/json' },
      });
    });
    // jsdom has no canvas: a 2D context that draws nothing and a fixed data URL.
    const context2d = new Proxy(
      {},
      { get: (target, key) => (key in target ? target[key] : () => {}) },
    );
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(() => context2d);
    vi.spyOn(HTMLCanvasElement.prototype, 'toDataURL').mockImplementation(
      () => 'data:image/png;base64,',
    );
    if (!globalThis.crypto?.subtle) {
      const { webcrypto } = await import('node:crypto');
      vi.stubGlobal('crypto', webcrypto);
    }
    vi.spyOn(console, 'log').mockImplementation((...args) => appLogs.push(args));

    run.watch(['login', 'subscribe', 'unsubscribe', 'addEventListener']);
    // The app reads AgoraRTM.RTM when it creates its client: record what it passes.
    AgoraRTM.RTM = class extends SdkRTM {
      constructor(...args) {
        super(...args);
        constructed.push({ args, client: this });
      }
    };

    // index.html's body, then its module scripts in document order.
    const indexHtml = openModulePage(app.dir, 'index.html');
    expect(indexHtml.scripts).toEqual(['/ui.js', '/agora-signaling.js']);
    await indexHtml.run();
  });

  afterAll(async () => {
    await bob?.logout();
    await run.stop();
    AgoraRTM.RTM = SdkRTM;
  });

  it('R-C3 R-C5: DOMContentLoaded fetches a token, creates the client with it in RTMConfig, registers its listeners (status included) and logs in', async () => {
    document.dispatchEvent(new Event('DOMContentLoaded'));
    const login = await nextLogin(run, { events: ['presence', 'linkState'] });
    appClient = login.client;
    // Observers registered after the app's own listeners: each runs once the app's has.
    ({ presence: appPresence, linkState: appLinkState } = login.events);
    expect(login.result).toEqual({ timestamp: expect.any(Number) });

    expect(tokenRequests).toHaveLength(1);
    const [request] = tokenRequests;
    expect(request).toMatchObject({
      url: `${TOKEN_SERVER}getToken`,
      method: 'POST',
      body: { tokenType: 'rtm', expire: 3600 },
    });
    userId = request.body.uid;
    expect(typeof userId).toBe('string');
    expect(constructed).toEqual([
      {
        args: [APP_ID, userId, expect.objectContaining({ token: TOKEN, useStringUserId: true })],
        client: appClient,
      },
    ]);
    expect(login.call.args).toEqual([]); // the app's token travels in RTMConfig only
    // Every listener the app registers, in its order; none threw (a throw stops the rest).
    const registered = calls.addEventListener.seen
      .filter((c) => c.client === appClient)
      .map((c) => c.args[0]);
    expect(registered.slice(0, 7)).toEqual([
      'message',
      'status',
      'presence',
      'storage',
      'topic',
      'lock',
      'TokenPriviledgeWillExpire',
    ]);
    expect(appLogs.map((args) => String(args[0]))).toContainEqual(
      expect.stringMatching(/^Signaling login success @ /),
    );
    expect(
      appLogs
        .flat()
        .map(String)
        .filter((line) => line.startsWith('Signaling Error')),
    ).toEqual([]);
    expect(page()).toEqual({ users: [], joinButton: true });
    expect(await server.control.userChannels(userId)).toEqual([]);
  });

  it('R-E1: clicking Join subscribes to "test" with presence; the SNAPSHOT shows the local user', async () => {
    document.getElementById('join-channel').click();
    const subscribe = await unlessAppFails(calls.subscribe.next((c) => c.client === appClient));
    expect(subscribe.client).toBe(appClient);
    expect(subscribe.args).toEqual([
      CHANNEL,
      { withMessage: true, withPresence: true, withMetadata: false, withLock: false },
    ]);
    await subscribe.result;
    const snapshot = await unlessAppFails(appPresence.next((e) => e.eventType === 'SNAPSHOT'));
    await settle();

    expect(snapshot).toMatchObject({
      channelName: CHANNEL,
      publisher: '',
      snapshot: [{ userId, states: {} }],
    });
    expect(page()).toEqual({ users: [userId], joinButton: false });
    expect(document.getElementById(userId).textContent).toBe(`0x${userId}`);
  });

  it('R-E1 R-E2 R-E6: another user subscribing adds its tile (REMOTE_JOIN); its unsubscribe removes it after the debounce (REMOTE_LEAVE)', async () => {
    bob = new RTMClient(APP_ID, 'bob', { logLevel: 'none' });
    bobPresence = eventQueue(bob, 'presence');
    await bob.login();
    await bob.subscribe(CHANNEL, { withPresence: true });
    const bobSnapshot = await bobPresence.next((e) => e.eventType === 'SNAPSHOT');
    expect(bobSnapshot.snapshot.map((u) => u.userId).sort()).toEqual(['bob', userId].sort());

    expect(await appPresence.next((e) => e.eventType === 'REMOTE_JOIN')).toMatchObject({
      publisher: 'bob',
    });
    expect(page()).toEqual({ users: [userId, 'bob'], joinButton: false });

    await bob.unsubscribe(CHANNEL);
    await server.control.advance(DEBOUNCE_S / 2);
    expect(page().users).toEqual([userId, 'bob']); // still listed while the debounce runs

    await server.control.advance(DEBOUNCE_S / 2);
    expect(appPresence.seen.at(-1)).toMatchObject({ eventType: 'REMOTE_LEAVE', publisher: 'bob' });
    expect(page()).toEqual({ users: [userId], joinButton: false });
  });

  it('R-E2 R-E6: Escape unsubscribes and clears the page; the other user gets REMOTE_LEAVE after the debounce', async () => {
    await bob.subscribe(CHANNEL, { withPresence: true });
    await bobPresence.next((e) => e.eventType === 'SNAPSHOT');
    await appPresence.next((e) => e.eventType === 'REMOTE_JOIN' && e.publisher === 'bob');
    expect(page().users).toEqual([userId, 'bob']);

    document.body.dispatchEvent(
      new KeyboardEvent('keydown', { code: 'Escape', key: 'Escape', bubbles: true }),
    );
    const unsubscribe = await unlessAppFails(calls.unsubscribe.next((c) => c.client === appClient));
    expect(unsubscribe).toMatchObject({ client: appClient, args: [CHANNEL] });
    expect(await unsubscribe.result).toMatchObject({ channelName: CHANNEL });
    await settle();
    expect(page()).toEqual({ users: [], joinButton: true });

    const leave = expect.objectContaining({
      eventType: 'REMOTE_LEAVE',
      channelName: CHANNEL,
      publisher: userId,
    });
    if (run.realSdk) {
      // Real-SDK mode: the SDK deletes its own document when it unsubscribes and the
      // other user hears it leave at once, without R-E6's debounce (docs/real-sdk.md, D-RS4).
      expect(await bobPresence.next((e) => e.eventType === 'REMOTE_LEAVE')).toEqual(leave);
    } else {
      const before = bobPresence.seen.length;
      await server.control.advance(DEBOUNCE_S);
      expect(bobPresence.seen.slice(before)).toEqual([leave]);
    }
    expect(await server.control.userChannels(userId)).toEqual([]);
  });

  it('R-E1: Join again after Escape gives a new SNAPSHOT with both users', async () => {
    document.getElementById('join-channel').click();
    const subscribe = await unlessAppFails(calls.subscribe.next((c) => c.client === appClient));
    await subscribe.result;
    const snapshot = await unlessAppFails(appPresence.next((e) => e.eventType === 'SNAPSHOT'));
    await settle();
    expect(snapshot.snapshot.map((u) => u.userId).sort()).toEqual(['bob', userId].sort());
    expect(new Set(page().users)).toEqual(new Set(['bob', userId]));
    expect(page().joinButton).toBe(false);
    expect(await bobPresence.next((e) => e.eventType === 'REMOTE_JOIN')).toMatchObject({
      publisher: userId,
    });
  });

  it('R-C5: the listeners on names the SDK never fires (status, ...) stay silent; presence and linkState carried the whole flow', () => {
    const logged = appLogs.map((args) => String(args[0]));
    for (const name of [
      'status',
      'storage',
      'topic',
      'lock',
      'Token Priviledge Will Expire',
      'message',
    ]) {
      expect(logged.filter((line) => line === `${name} event:`)).toEqual([]);
    }
    expect(logged.filter((line) => line === 'presence event:')).toHaveLength(
      appPresence.seen.length,
    );
    expect(appPresence.seen.map((e) => [e.eventType, e.publisher])).toEqual([
      ['SNAPSHOT', ''],
      ['REMOTE_JOIN', 'bob'],
      ['REMOTE_LEAVE', 'bob'],
      ['REMOTE_JOIN', 'bob'],
      ['SNAPSHOT', ''],
    ]);
    expect(appLinkState.seen.map((e) => [e.previousState, e.currentState, e.reasonCode])).toEqual([
      ['IDLE', 'CONNECTING', 'LOGIN'],
      ['CONNECTING', 'CONNECTED', 'LOGIN_SUCCESS'],
    ]);
  });
});
