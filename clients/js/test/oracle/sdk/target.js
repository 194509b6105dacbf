// The real SDK as a target of the case runner (see lib/runner.js).

import { createRequire } from 'node:module';
import { FakeRelay } from './fake-relay.js';
import { FakeStores } from './fake-store.js';
import { FakeLink, START_MS, loadHarness } from './harness.js';
import { APP_ID, FAMILY_PARAMS, invokeOn } from '../lib/runner.js';
import { buildToken } from '../lib/tokens.js';
import { setTokenBuilder } from '../lib/values.js';

const require = createRequire(import.meta.url);
const FakeRTC = require('./rtc-stub.cjs');

/**
 * SDK parameters every case starts from (module-global in the SDK, so set per case; every key
 * a case's `params` may set is here, so that it does not leak into the next case).
 * HISTORY_ENABLED true is what the SDK's default console config ("history.enabled" "true")
 * gives when the parameter is unset.
 */
export const BASE_PARAMS = {
  IGNORE_DUPLICATE_USER_ID_ERR: true,
  ENABLE_API_RATE_LIMIT: false,
  HISTORY_ENABLED: true,
  EXTEND_CHANNEL_NAME: false,
};

/**
 * Issue 17's service switches, at the SDK's defaults (console "storage.enabled",
 * "lock.enabled" ... "true"), set on the SDK leg only so that a case turning one off does not
 * leak into the next (the emulator leg passes them only when a case sets them).
 */

/** The SDK parameters a case runs with, on every leg that runs the real SDK. */
export function caseParams(c) {
  return {
    ...BASE_PARAMS,
    // The SDK's limiter counts calls per second of (virtual) time; the emulator's (server
    // config rateLimits, R-C6) per second of its clock: the same when no time passes.
    ENABLE_API_RATE_LIMIT: c.server?.rateLimits === true,
    PRESENCE_THRESHOLD: c.server?.announceMax ?? 50,
    PRESENCE_INTERVAL: c.server?.interval ?? 30,
    ...FAMILY_PARAMS,
    ...(c.params ?? {}),
  };
}

export class SdkTarget {
  name = 'sdk';

  async start() {
    this.h = await loadHarness();
    return this;
  }

  async stop() {}

  async beginCase(c) {
    const { clock, AgoraRTM } = this.h;
    clock.reset(); // back to START_MS, every timer of the previous case dropped
    this.h.store = new FakeStores();
    this.h.store.groupReplyCode = c.server?.groupReplyCode ?? 0;
    this.t0 = clock.now;
    this.elapsedMs = 0;
    this.h.caseNow = () => START_MS + this.elapsedMs;
    this.h.relay = new FakeRelay(this.h.store, () => this.h.caseNow());
    this.h.resetFamilies();
    this.h.storage.replyCode = c.server?.storageReplyCode ?? null;
    // Tokens (issue 17, R-TK20): the app's certificate; a token case's login sockets are fake
    // sockets under the SDK's own receivers (harness.js); `{"$": "token"}` arguments are built
    // on the case's clock (lib/tokens.js).
    this.h.fakeSockets = c.family === 'token';
    const cert = c.server?.appCertificate;
    if (cert) this.h.tokens.setCertificate(cert.appId, cert.certificate);
    setTokenBuilder((spec) => buildToken(spec, { appId: cert?.appId ?? APP_ID, certificate: cert?.certificate, startMs: START_MS, nowMs: this.h.caseNow() }));
    FakeRTC.reset();
    FakeRTC.tokens = this.h.tokens.rtcHooks();
    const params = caseParams(c);
    // A base parameter the SDK does not know (2.2.x: IGNORE_DUPLICATE_USER_ID_ERR,
    // HISTORY_ENABLED, EXTEND_CHANNEL_NAME reject with -10014) is left out; one the case itself
    // sets is not (the case's outcome is then that refusal, as a harness error).
    for (const [k, v] of Object.entries(params)) {
      try {
        AgoraRTM.setParameter(k, v);
      } catch (err) {
        if (err?.code !== -10014 || Object.hasOwn(c.params ?? {}, k)) throw err;
      }
    }
    this.clients = [];
  }

  newClient(actor, onEvent, kinds = ['presence', 'linkState']) {
    const { AgoraRTM } = this.h;
    const config = actor.config === undefined ? {} : actor.config;
    const rtm = new AgoraRTM.RTM('appId' in actor ? actor.appId : APP_ID, actor.uid, {
      logLevel: 'none',
      logUpload: false,
      ...config,
    });
    for (const kind of kinds) rtm.addEventListener(kind, (e) => onEvent(kind, e));
    const client = { rtm, streams: new Map(), link: new FakeLink(rtm) };
    this.clients.push(client);
    return client;
  }

  invoke(client, call, args) {
    return invokeOn(client.rtm, client.streams, call, args);
  }

  async net(client, dir) {
    if (dir === 'down') client.link.down();
    else client.link.upAgain();
  }

  async advance(seconds) {
    this.elapsedMs += Math.round(seconds * 1000);
    const target = this.t0 + this.elapsedMs;
    const { clock } = this.h;
    await clock.tickAsync(Math.max(0, target - clock.now));
    await this.settle();
  }

  dueWithin(ms) {
    const { clock } = this.h;
    for (const t of clock.timers?.values() ?? []) if (t.callAt <= clock.now + ms) return true;
    return false;
  }

  /** Run the work a step started: zero-delay chains (fake timers give them 1 ms each). */
  async settle(promise) {
    const { clock } = this.h;
    let done = !promise;
    promise?.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    for (let k = 0; k < 200; k += 1) {
      await clock.tickAsync(0);
      if (done && !this.dueWithin(2)) break;
      await clock.tickAsync(1);
    }
  }

  async endCase() {
    for (const c of this.clients) c.link.stop();
  }
}

export { START_MS };
