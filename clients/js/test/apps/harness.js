// What every app test does the same way: gets the app's files (upstream.js), starts a
// fresh emulator for the file's app id and points this package at it, fails a test at
// once when the app leaves an error unhandled, watches the SDK calls the app makes and
// the events its client gets, and cleans up after itself. Each test keeps what is its
// app's own: how the page is opened and driven, and what it asserts.

import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { closeAllConnections } from '../../index.js';
import { startEmulator } from '../../node.js';
import {
  AgoraRTM,
  REAL_SDK,
  closeRealSdkSessions,
  keepSdkOffline,
  sdkInFlight,
  setUpSdk,
} from './sdk-mode.js';
import { obtainApp } from './upstream.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The emulator's default presence debounce, in seconds (R-E6). */
export const DEBOUNCE_S = 2;

/** Items in arrival order; `next(match)` takes the next one (after those taken) that matches. */
export function queue() {
  const seen = [];
  let cursor = 0;
  let waiter = null;
  const take = () => {
    while (waiter && cursor < seen.length) {
      const item = seen[cursor++];
      if (waiter.match(item)) {
        const { resolve: done } = waiter;
        waiter = null;
        done(item);
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
      return new Promise((done) => {
        waiter = { match, resolve: done };
        take();
      });
    },
  };
}

/** One client's events of one name, from a listener added after the app's own. */
export function eventQueue(client, name) {
  const events = queue();
  client.addEventListener(name, (event) => events.push(event));
  return events;
}

/**
 * Every call of `prototype[method]` (by default a client's of the SDK the apps import:
 * this package's `RTMClient`, or the real SDK's `RTM` in real-SDK mode), as `{client,
 * args, result}`: `client` is the object called (`this`), `result` what the call
 * returned. `calls` is the queue to put them in (a new one by default: a page with its
 * own copy of the SDK adds its prototype to the queue of the others).
 */
export function watchCalls(method, prototype = AgoraRTM.RTM.prototype, calls = queue()) {
  const original = prototype[method];
  vi.spyOn(prototype, method).mockImplementation(function (...args) {
    const call = { client: this, args };
    // Event queues the call's events go to, added before the call runs: the real SDK
    // emits some of them during the call itself (login's CONNECTING).
    if (calls.eventNames) {
      call.events = Object.fromEntries(calls.eventNames.map((name) => [name, eventQueue(this, name)]));
    }
    call.result = original.apply(this, args);
    calls.push(call);
    return call.result;
  });
  return calls;
}

/** The events `nextLogin` can give, queued for every watched `login` call. */
const LOGIN_EVENTS = ['message', 'presence', 'linkState', 'storage', 'lock', 'topic'];

/**
 * Let every promise chain the apps started finish (no timer of theirs is involved). In
 * real-SDK mode, first every request the SDK's sessions sent is answered: the SDK sends
 * some writes without waiting for them (unsubscribe's GroupLeave2 and document delete).
 */
export const settle = async () => {
  await sdkInFlight();
  await new Promise((done) => setImmediate(done));
};

/**
 * One test file's run of `APP` (an app of upstream.js) against its own emulator.
 *
 * `part` names the page or sample of the repository the file runs, if it runs one of
 * several; `title` names the repository, its commit and `part`, for the file's
 * `describe`. `app` is what `obtainApp` gave (when it is not available a warning says
 * why, and the test is skipped). In `beforeAll`, `start()` listens for unhandled
 * rejections, starts `rtm-emulator serve` for `appId` and sets `RTM_EMULATOR_URL` (read
 * by rtm-emulator-client) and, in real-SDK mode, makes the setup call (`useEmulator`) on
 * the SDK the apps import, before any app code runs; it resolves to the server (also
 * `server`); `watch(methods,
 * prototype)` puts a `watchCalls` queue per method into `calls`; `setUpPage(sdk)` (real-SDK
 * mode, a page's own copy of the SDK from its script tag) watches that SDK's client
 * methods into the same queues and makes the setup call on it. `unlessAppFails(promise)`
 * is `promise`, unless the app leaves an error unhandled first: then it rejects with
 * that error at once, not at the test's timeout (the apps' handlers are async). In
 * `afterAll`, `stop()` closes every connection, stops the server, restores every mock,
 * global and env variable, and removes the app's temporary folder.
 *
 * Throws: what `obtainApp` throws (a named checkout that is not the pinned commit);
 * `start()` rejects when the emulator does not start.
 */
export function appRun(APP, { appId, part }) {
  const app = obtainApp(APP);
  if (!app.available) {
    console.warn(`skipping ${APP.name}${part ? ` (${part})` : ''}: ${app.reason}`);
  }
  let failed = new Promise(() => {});
  let onUnhandled = null;
  const clientMethods = new Set(); // the watched methods of a client (`rtm`)
  const run = {
    app,
    title: `${APP.repository} at ${APP.commit.slice(0, 7)}${part ? `, ${part}` : ''}, unchanged`,
    server: null,
    sdkSetup: null, // real-SDK mode: useEmulator's handle for the SDK the apps import
    offline: null, // real-SDK mode: the SDK's requests to Agora, kept offline (sdk-mode.js)
    realSdk: REAL_SDK,
    calls: {},
    unlessAppFails: (promise) => Promise.race([promise, failed]),
    watch(methods, prototype) {
      for (const method of methods) {
        const calls = queue();
        if (method === 'login') calls.eventNames = LOGIN_EVENTS;
        run.calls[method] = watchCalls(method, prototype, calls);
        if (prototype === undefined) clientMethods.add(method);
      }
    },
    async setUpPage(sdk) {
      // A page's own copy of the SDK (a script tag, classic-page.js): watched as the
      // module's is, into the same queues, and set up for this emulator.
      for (const method of clientMethods) watchCalls(method, sdk.RTM.prototype, run.calls[method]);
      return setUpSdk(sdk, run.server.url);
    },
    async start() {
      failed = new Promise((_, reject) => {
        onUnhandled = reject;
      });
      failed.catch(() => {}); // observed through unlessAppFails
      process.on('unhandledRejection', onUnhandled);
      run.server = await startEmulator({ cwd: REPO_ROOT, appId });
      vi.stubEnv('RTM_EMULATOR_URL', run.server.url);
      // Real-SDK mode: the app's own agora-rtm-sdk, made to talk to this emulator, and
      // its traffic to Agora's other services kept inside the test.
      run.offline = keepSdkOffline(globalThis);
      run.sdkSetup = await setUpSdk(AgoraRTM, run.server.url);
      return run.server;
    },
    async stop() {
      if (onUnhandled) process.off('unhandledRejection', onUnhandled);
      await closeAllConnections();
      await closeRealSdkSessions();
      run.sdkSetup?.restore();
      run.offline?.restore();
      await run.server?.stop();
      vi.restoreAllMocks();
      vi.unstubAllGlobals();
      vi.unstubAllEnvs();
      if (app.available) rmSync(app.dir, { recursive: true, force: true });
    },
  };
  return run;
}

/**
 * The app's next `login` call (the first of `run.calls.login` that `match` accepts), once
 * it resolved and the app's promise chains settled: `{call, client, result, events}`.
 * `events` holds an `eventQueue` per name in `events`, added to the called client just
 * before the call ran (`run.watch` of `login`): after the app's own listeners, before any
 * event of the login.
 *
 * Rejects: with the login's error, or with an error the app leaves unhandled first.
 */
export async function nextLogin(run, { match = () => true, events }) {
  const call = await run.unlessAppFails(run.calls.login.next(match));
  const queues = Object.fromEntries(
    events.map((name) => [name, call.events?.[name] ?? eventQueue(call.client, name)]),
  );
  const result = await call.result;
  await settle();
  return { call, client: call.client, result, events: queues };
}
