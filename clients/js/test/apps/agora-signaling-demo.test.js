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

import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import AgoraRTM, { RTMClient, closeAllConnections } from '../../index.js';
import { startEmulator } from '../../node.js';
import { AGORA_SIGNALING_DEMO as APP, obtainApp } from './upstream.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const APP_ID = 'SignalingDemoSampleApp0000000000';
const TOKEN_SERVER = 'https://token-server.invalid/';
/** An AccessToken for APP_ID, as the app's token service returns one (R-C2). */
const TOKEN = `006${APP_ID}IACsampleTokenSignatureForTheEmulatorTest`;
const CHANNEL = 'test'; // the app's channel name
const DEBOUNCE_S = 2; // the emulator's default debounce (R-E6)

const app = obtainApp(APP);
if (!app.available) console.warn(`skipping ${APP.name}: ${app.reason}`);

/** Items in arrival order; `next(match)` takes the next one (after those taken) that matches. */
function queue() {
  const seen = [];
  let cursor = 0;
  let waiter = null;
  const take = () => {
    while (waiter && cursor < seen.length) {
      const item = seen[cursor++];
      if (waiter.match(item)) {
        const { resolve } = waiter;
        waiter = null;
        resolve(item);
      }
    }
  };
  return {
    seen,
    push(item) {
      seen.push(item);
      take();
    },
    next(match = () => true) {
      return new Promise((resolve) => {
        waiter = { match, resolve };
        take();
      });
    },
  };
}

/** One client's events of one name. */
function eventQueue(client, name) {
  const events = queue();
  client.addEventListener(name, (event) => events.push(event));
  return events;
}

/** Every call of `RTMClient.prototype[method]`, as `{client, args, result}` (the promise). */
function watchCalls(method) {
  const original = RTMClient.prototype[method];
  const calls = queue();
  vi.spyOn(RTMClient.prototype, method).mockImplementation(function (...args) {
    const result = original.apply(this, args);
    calls.push({ client: this, args, result });
    return result;
  });
  return calls;
}

/** Rejects with the first error the app leaves unhandled (its listeners are async). */
let appFailed;
let onUnhandled;
/** `promise`, unless the app fails first (then the test fails at once, not at its timeout). */
const unlessAppFails = (promise) => Promise.race([promise, appFailed]);

/** Let every promise chain the app started finish (no timer of the app's is involved). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** What the page shows: the user tiles' ids in page order, and whether Join is there. */
function page() {
  const container = document.getElementById('container');
  return {
    users: [...container.querySelectorAll('.user')].map((div) => div.id),
    joinButton: container.querySelector('#join-channel') !== null,
  };
}

describe.skipIf(!app.available)(`${APP.repository} at ${APP.commit.slice(0, 7)}, unchanged`, () => {
  let server;
  let bob;
  let bobPresence;
  let appClient;
  let appPresence;
  let appLinkState;
  let userId;
  const tokenRequests = [];
  const appLogs = [];
  const calls = {};
  const constructed = [];

  beforeAll(async () => {
    appFailed = new Promise((_, reject) => {
      onUnhandled = reject;
    });
    appFailed.catch(() => {}); // observed through unlessAppFails
    process.on('unhandledRejection', onUnhandled);
    server = await startEmulator({ cwd: REPO_ROOT, appId: APP_ID });

    // The environment the app expects of its page and its build.
    vi.stubEnv('VITE_AGORA_APP_ID', APP_ID);
    vi.stubEnv('VITE_AGORA_TOKEN_SERVER_URL', TOKEN_SERVER);
    vi.stubEnv('RTM_EMULATOR_URL', server.url); // read by rtm-emulator-client
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

    for (const method of ['login', 'subscribe', 'unsubscribe', 'addEventListener'])
      calls[method] = watchCalls(method);
    // The app reads AgoraRTM.RTM when it creates its client: record what it passes.
    AgoraRTM.RTM = class extends RTMClient {
      constructor(...args) {
        super(...args);
        constructed.push({ args, client: this });
      }
    };

    // index.html's body, then its module scripts in document order.
    const html = new DOMParser().parseFromString(
      readFileSync(join(app.dir, 'index.html'), 'utf8'),
      'text/html',
    );
    document.title = html.title;
    const scripts = [...html.body.querySelectorAll('script[type="module"]')].map((s) =>
      s.getAttribute('src'),
    );
    for (const script of html.body.querySelectorAll('script')) script.remove();
    document.body.replaceChildren(
      ...[...html.body.childNodes].map((node) => document.importNode(node, true)),
    );
    expect(scripts).toEqual(['/ui.js', '/agora-signaling.js']);
    for (const src of scripts)
      await import(/* @vite-ignore */ pathToFileURL(join(app.dir, src)).href);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await bob?.logout();
    await closeAllConnections();
    await server?.stop();
    AgoraRTM.RTM = RTMClient;
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    if (app.available) rmSync(app.dir, { recursive: true, force: true });
  });

  it('R-C3 R-C5: DOMContentLoaded fetches a token, creates the client with it in RTMConfig, registers its listeners (status included) and logs in', async () => {
    document.dispatchEvent(new Event('DOMContentLoaded'));
    const login = await unlessAppFails(calls.login.next());
    appClient = login.client;
    // Observers registered after the app's own listeners: each runs once the app's has.
    appPresence = eventQueue(appClient, 'presence');
    appLinkState = eventQueue(appClient, 'linkState');
    expect(await login.result).toEqual({ timestamp: expect.any(Number) });
    await settle();

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
    expect(login.args).toEqual([]); // the app's token travels in RTMConfig only
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

    const before = bobPresence.seen.length;
    await server.control.advance(DEBOUNCE_S);
    expect(bobPresence.seen.slice(before)).toEqual([
      expect.objectContaining({
        eventType: 'REMOTE_LEAVE',
        channelName: CHANNEL,
        publisher: userId,
      }),
    ]);
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
