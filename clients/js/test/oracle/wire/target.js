// Real-SDK mode as a target of the case runner (see lib/runner.js): the REAL
// agora-rtm-sdk@2.3.0, loaded as the SDK leg loads it (sdk/load-sdk.cjs: virtual timers, the
// browser shim, `agora-rtc-sdk-ng` resolved to the stub, which loads in Node), with
// `useEmulator` (rtm-emulator-client/real-sdk) pointing its transport at one
// `rtm-emulator serve` and putting the product's RTC client (lib/real-sdk-rtc.cjs) on the
// RTC module the SDK captured, so that stream channels and topics run over the server's
// relay (D-RS12..D-RS17), not the stub; reset between cases with the control API (as the
// emulator leg, emu/target.js). Its outcomes are compared with the recorded real-SDK outcomes
// (real-sdk.json): where they agree, the emulator's server is what the SDK leg's fake server
// is (sdk/fake-store.js, fake-relay.js), through the real SDK.
//
// Time: the SDK's clock is virtual (fake setTimeout / setInterval / Date), the server's is
// advanced with control.advance; an advance moves both in steps of at most 1 s, the SDK's
// first, so that a server event reaches the SDK at the same time of its clock (D-RS7). Socket
// I/O needs real event-loop turns, which setImmediate (not faked) gives.

import { createRequire } from 'node:module';
import { setImmediate as realImmediate } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../../node.js';
import { closeAll, inFlight, useEmulator } from '../../../real-sdk.js';
import { APP_ID, invokeOn, isFamilyCall } from '../lib/runner.js';
import { buildToken } from '../lib/tokens.js';
import { setTokenBuilder } from '../lib/values.js';
import { serverConfig } from '../emu/target.js';
import { caseParams } from '../sdk/target.js';

const require = createRequire(import.meta.url);
const { loadSdk } = require('../sdk/load-sdk.cjs');
const { links } = require('../../../lib/real-sdk-link.cjs');

/** Node's own setTimeout, taken before loadSdk installs the fake one (node:timers/promises'
 * setTimeout is faked with it). */
const nodeSetTimeout = globalThis.setTimeout;
const realSleep = (ms) => new Promise((resolve) => nodeSetTimeout(resolve, ms));

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
/** EmulatorConfig.start_time_ms (sdk/harness.js START_MS). */
export const START_MS = 1_735_689_600_000;
/** The longest step of one advance (ms): the SDK's clock and the server's move together. */
const STEP_MS = 1000;
/** How long (real ms) a step waits for a pending call with nothing else to run (emu/target.js). */
const CALL_WAIT_MS = 3000;

/** The issue-17 families whose packets the server answers (D-RS9 storage, D-RS10 locks, D-RS11 tokens). */
export const CARRIED_FAMILIES = ['lock', 'token', 'storage'];

/**
 * Why real-SDK mode does not carry a case yet, or null: the issue-17 families whose packets
 * the server does not answer yet.
 */
export function notCarried(c) {
  if (c.family && !CARRIED_FAMILIES.includes(c.family)) return `the ${c.family} family (the server does not answer its packets yet)`;
  const other = c.steps.find((s) => isFamilyCall(s.call) && !CARRIED_FAMILIES.includes(s.call === 'renewToken' ? 'token' : s.call.split('.')[0]));
  if (other) return `an issue-17 call the server does not answer yet (${other.call})`;
  return null;
}

export class WireTarget {
  name = 'wire';

  async start() {
    const { AgoraRTM, clock } = loadSdk({ now: START_MS });
    this.AgoraRTM = AgoraRTM;
    this.clock = clock;
    process.on('warning', () => {});
    this.server = await startEmulator({ cwd: REPO_ROOT, appId: APP_ID });
    this.control = this.server.control;
    this.setup = await useEmulator(AgoraRTM, { url: this.server.url });
    if (!this.setup.rtc) throw new Error('wire leg: useEmulator found no RTC module to put its RTC client on');
    return this;
  }

  /** The runner's hook: a case real-SDK mode does not carry is reported, not run. */
  missingFeatures(c) {
    const why = notCarried(c);
    return why ? [why] : [];
  }

  async stop() {
    await closeAll();
    await this.server?.stop();
  }

  async beginCase(c) {
    const { clock, AgoraRTM } = this;
    await closeAll();
    clock.reset();
    this.t0 = clock.now;
    this.elapsedMs = 0;
    this.clients = [];
    await this.control.reset(serverConfig(c));
    const cert = c.server?.appCertificate;
    setTokenBuilder((spec) => buildToken(spec, { appId: cert?.appId ?? APP_ID, certificate: cert?.certificate, startMs: START_MS, nowMs: START_MS + this.elapsedMs }));
    // the SDK leg's fake storage server answers every request with the case's code: the
    // emulator does so for each actor (R-ST11 fault), as the emulator leg sets it
    const code = c.server?.storageReplyCode;
    if (code) for (const actor of Object.values(c.actors)) await this.control.setStorageReplyCode(actor.uid, code);
    const params = caseParams(c);
    for (const [k, v] of Object.entries(params)) AgoraRTM.setParameter(k, v);
  }

  newClient(actor, onEvent, kinds = ['presence', 'linkState']) {
    const config = actor.config === undefined ? {} : actor.config;
    const rtm = new this.AgoraRTM.RTM('appId' in actor ? actor.appId : APP_ID, actor.uid, {
      logLevel: 'none',
      logUpload: false,
      ...config,
    });
    for (const kind of kinds) rtm.addEventListener(kind, (e) => onEvent(kind, e));
    const client = { rtm, streams: new Map(), actor };
    this.clients.push(client);
    return client;
  }

  invoke(client, call, args) {
    return invokeOn(client.rtm, client.streams, call, args);
  }

  async net(client, dir, actor) {
    const opts = { appId: actor.appId ?? APP_ID };
    client.netUp = dir === 'up';
    // the server takes the RTC links down first, then the RTM link, and brings them back
    // with it (R-M12, D-RS14)
    try {
      if (dir === 'down') await this.control.disconnect(actor.uid, opts);
      else await this.control.reconnect(actor.uid, opts);
    } catch {
      // a client that is not logged in: nothing to lose or bring back
    }
    await this.settle();
  }

  async advance(seconds) {
    const { clock } = this;
    const before = this.elapsedMs;
    this.elapsedMs += Math.round(seconds * 1000);
    let at = before;
    while (at < this.elapsedMs) {
      const step = Math.min(STEP_MS, this.elapsedMs - at);
      at += step;
      await clock.tickAsync(Math.max(0, this.t0 + at - clock.now));
      await this.control.advance(step / 1000);
      await this.settle();
    }
    await this.settle();
  }

  dueWithin(ms) {
    const { clock } = this;
    for (const t of clock.timers?.values() ?? []) if (t.callAt <= clock.now + ms) return true;
    return false;
  }

  /**
   * Run the work a step started: socket round trips (real time, the SDK's clock still) and the
   * SDK's zero-delay chains (fake timers give them 1 ms each). A call still pending after
   * CALL_WAIT_MS of real time with nothing due waits for time or the network (a login while
   * down, R-L3) and is left pending.
   */
  async settle(promise) {
    const { clock } = this;
    let done = !promise;
    promise?.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    const started = performance.now();
    for (let ticks = 0; ticks < 400; ) {
      await inFlight();
      await clock.tickAsync(0);
      await realImmediate();
      const due = this.dueWithin(2);
      if (done && !due && !this.loggingIn() && !(await busy()) && (await this.synced())) break;
      // the SDK's clock stands still while a request is on the wire: the SDK leg's fake
      // server answers at once, so a case's timing (token.rate.after-a-second: 20 renewals,
      // then one a second later) must not depend on how long the round trips took
      if (due && !this.loggingIn() && !(await busy())) {
        // a timer due now (set from a socket's callback, outside a tick: fake timers give it
        // no delay) runs without moving the clock, as it would in the SDK leg's settle
        await clock.tickAsync(this.dueWithin(0) ? 0 : 1);
        ticks += 1;
      } else {
        if (performance.now() - started > CALL_WAIT_MS) break;
        await realSleep(1);
      }
    }
  }

  /**
   * Whether a session is still logging in while its network is up: inFlight() leaves a
   * login out (it may wait for the network, R-L3), but a step must not end between the
   * login socket's `hello` and its `sdk.login` answer (the SDK leg's fake server answers
   * within the step: oracle case link.transitions.login-twice-at-once).
   */
  loggingIn() {
    return this.linksWithNetwork().some((l) => l.phase === 'login');
  }

  /** The real-SDK session links of this runtime whose user's network is up. */
  linksWithNetwork() {
    const down = new Set(this.clients.filter((c) => c.netUp === false).map((c) => c.actor.uid));
    return [...links].filter((l) => !down.has(l.session?.context?.uid));
  }

  /**
   * D-RS18: an `sdk.sync` round trip on each session whose network is up, so that what the
   * server sent it before (another client's call's events) has arrived: without it a busy
   * machine could see a server event a step late. Resolves whether nothing new came in
   * meanwhile (no request of the SDK's left unanswered); a sync not answered within 500 ms
   * of real time is not waited for.
   */
  async synced() {
    const up = this.linksWithNetwork().filter((l) => l.phase === 'up' && l.transport?.open);
    const sync = (l) => Promise.race([l.transport.request('sdk.sync', {}, 'sync').catch(() => {}), realSleep(500)]);
    await Promise.all(up.map(sync));
    await realImmediate();
    return !(await busy());
  }

  async endCase() {
    await inFlight();
  }
}

/** Whether a request of a real-SDK session is still unanswered after one more turn. */
async function busy() {
  await realImmediate();
  let pending = true;
  await Promise.race([inFlight().then(() => (pending = false)), realImmediate()]);
  return pending;
}
