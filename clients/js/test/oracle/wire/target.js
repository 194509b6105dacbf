// Real-SDK mode as a target of the case runner (see lib/runner.js): the REAL
// agora-rtm-sdk@2.3.0, loaded as the SDK leg loads it (sdk/load-sdk.cjs: virtual timers, the
// browser shim, the RTC stub), with `useEmulator` (rtm-emulator-client/real-sdk) pointing its
// transport at one `rtm-emulator serve`, reset between cases with the control API (as the
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
const FakeRTC = require('../sdk/rtc-stub.cjs');

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
 * Why real-SDK mode does not carry a case yet, or null: the issue-17 families (the server does
 * not answer their packets yet) and stream-channel topics (they travel over the SDK's RTC, the
 * oracle's stub, not the emulator).
 */
export function notCarried(c) {
  if (c.family && !CARRIED_FAMILIES.includes(c.family)) return `the ${c.family} family (the server does not answer its packets yet)`;
  const topic = c.steps.find((s) => typeof s.call === 'string' && s.call.startsWith('stream.') && /Topic|getSubscribedUserList/.test(s.call));
  if (topic) return `stream-channel topics (${topic.call}: the SDK's RTC, not the emulator)`;
  // A messaging case records topic events: a stream join's come from the RTC stub, whose
  // timing against the emulator's socket is not the SDK's.
  if (c.messaging && c.steps.some((s) => s.call === 'stream.join')) return "stream-channel topic events (the SDK's RTC, not the emulator)";
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
    FakeRTC.reset();
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
    const client = { rtm, streams: new Map(), actor, rtcDown: false };
    this.clients.push(client);
    return client;
  }

  invoke(client, call, args) {
    return invokeOn(client.rtm, client.streams, call, args);
  }

  /** R-M12: a client's RTC links (the stub's) follow its network, back with its RTM link. */
  rtc(client, dir) {
    const ctx = client.rtm._rtmImpl._context;
    if (dir === 'down') {
      client.rtcDown = true;
      FakeRTC.netDown(ctx.appId, ctx.uid);
    } else {
      client.rtcDown = false;
      FakeRTC.netUp(ctx.appId, ctx.uid);
    }
  }

  /** The RTC links of the clients whose network and RTM link are back. */
  rtcCatchUp() {
    for (const client of this.clients) {
      if (client.rtcDown && client.netUp && !['DISCONNECTED', 'SUSPENDED', 'CONNECTING'].includes(client.rtm._rtmImpl._linkState)) this.rtc(client, 'up');
    }
  }

  async net(client, dir, actor) {
    const opts = { appId: actor.appId ?? APP_ID };
    client.netUp = dir === 'up';
    // as the SDK leg's FakeLink.down: the RTC links go first, then the RTM link (R-M12)
    if (dir === 'down') this.rtc(client, 'down');
    try {
      if (dir === 'down') await this.control.disconnect(actor.uid, opts);
      else await this.control.reconnect(actor.uid, opts);
    } catch {
      // a client that is not logged in: nothing to lose or bring back
    }
    await this.settle();
    this.rtcCatchUp();
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
      this.rtcCatchUp();
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
      if (done && !due && !this.loggingIn() && !(await busy())) break;
      if (due) {
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
   * Whether a client whose network is up has a login the server has not answered yet (a
   * login's reply is not in inFlight(): while the network is down it waits, R-L3). A step
   * waits for it, as the SDK leg's login is answered within its step.
   */
  loggingIn() {
    return this.clients.some((c) => c.netUp !== false && c.rtm._rtmImpl?._rtmSession?.__rtmEmulatorLink?.phase === 'login');
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
