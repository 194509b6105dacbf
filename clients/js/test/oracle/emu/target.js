// The emulator as a target of the case runner: the project's JS client (clients/js/index.js)
// against one `rtm-emulator serve` process, reset between cases with the control API.

import { fileURLToPath } from 'node:url';
import AgoraRTM, { closeAllConnections } from '../../../index.js';
import { startEmulator } from '../../../node.js';
import { APP_ID, FAMILY_PARAMS, MESSAGING_CALLS, invokeOn, isFamilyCall } from '../lib/runner.js';
import { buildToken } from '../lib/tokens.js';
import { setTokenBuilder } from '../lib/values.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
/** EmulatorConfig.start_time_ms (sdk/harness.js START_MS): the case clock tokens are built on. */
const START_MS = 1_735_689_600_000;
const CALL_WAIT_MS = 3000;
/** A settle also waits for the calls still pending while they keep settling: a queue of
 * calls, each sent when the one before it is answered (subscribeTopic of one topic,
 * R-M15), drains within the step, as the SDK leg's fake timers drain it. A call pending
 * longer than this with nothing else settling waits for time or the network (a login
 * while down) and is left pending. */
const QUIET_MS = 40;

const delay = (ms) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

/** Server config of a case, as control.reset's camelCase EmulatorConfig fields. */
export function serverConfig(c) {
  return {
    announceMax: c.server?.announceMax ?? 50,
    interval: c.server?.interval ?? 30,
    // Debounce is server timing the SDK cannot show (not comparable): leaves at once.
    debounce: 0,
    ...(c.server?.rateLimits === true ? { rateLimits: true } : {}),
    // Token cases (issue 17, R-TK20): the app's certificate, so that login / renew / stream
    // join check tokens. The merger connects this to the tokens family's config field.
    ...(c.server?.appCertificate ? { appCertificates: { [c.server.appCertificate.appId]: c.server.appCertificate.certificate } } : {}),
  };
}

/**
 * Whether the JS client on a never-logged-in probe has an issue-17 call: `storage.<m>` on
 * rtm.storage, `lock.<m>` on rtm.lock, `renewToken` on the client.
 */
export function hasFamilyCall(rtm, call) {
  if (call === 'renewToken') return typeof rtm.renewToken === 'function';
  const [home, method] = call.split('.');
  return typeof rtm[home]?.[method] === 'function';
}

/**
 * The messaging calls (lib/runner.js MESSAGING_CALLS) this build of the JS client has, found
 * on a client that is never logged in: `publish` and `history.getMessages` on the RTM client,
 * the topic calls on a stream channel handle.
 */
export function clientFeatures(RTMClass, url) {
  const have = new Set();
  let rtm;
  try {
    rtm = new RTMClass(APP_ID, 'oracle-feature-probe', { emulatorUrl: url });
  } catch {
    return have;
  }
  let stream = null;
  try {
    stream = rtm.createStreamChannel('oracleFeatureProbe');
  } catch {
    // no stream channels: no topic calls
  }
  for (const call of MESSAGING_CALLS) {
    if (call === 'publish' && typeof rtm.publish === 'function') have.add(call);
    else if (call === 'history.getMessages' && typeof rtm.history?.getMessages === 'function') have.add(call);
    else if (call.startsWith('stream.') && stream && typeof stream[call.slice('stream.'.length)] === 'function') have.add(call);
  }
  return have;
}

export class EmuTarget {
  name = 'emulator';

  async start() {
    this.server = await startEmulator({ cwd: REPO_ROOT, appId: APP_ID });
    this.control = this.server.control;
    this.features = clientFeatures(AgoraRTM.RTM, this.server.url);
    try {
      this.probe = new AgoraRTM.RTM(APP_ID, 'oracle-family-probe', { emulatorUrl: this.server.url });
    } catch {
      this.probe = null;
    }
    return this;
  }

  /**
   * A messaging case runs only once the client has `publish` and every messaging call the
   * case makes (until then the oracle reports it skipped, not a known gap).
   */
  missingFeatures(c) {
    if (c.family) {
      // The family's own home counts always (a case may only subscribe withMetadata / withLock).
      const home = { storage: 'storage.getChannelMetadata', lock: 'lock.getLock', token: 'renewToken' }[c.family];
      const calls = [...new Set([home, ...c.steps.map((s) => s.call).filter(isFamilyCall)])];
      return calls.filter((x) => !this.probe || !hasFamilyCall(this.probe, x));
    }
    const calls = new Set(['publish', ...c.steps.map((s) => s.call).filter((x) => MESSAGING_CALLS.includes(x))]);
    return [...calls].filter((x) => !this.features.has(x));
  }

  async stop() {
    await closeAllConnections();
    await this.server?.stop();
  }

  async beginCase(c) {
    this.clients = [];
    this.pending = new Set();
    await this.control.reset(serverConfig(c));
    // `{"$": "token"}` arguments (token cases): built on the case's clock, as on the SDK leg
    this.elapsedMs = 0;
    const cert = c.server?.appCertificate;
    setTokenBuilder((spec) => buildToken(spec, { appId: cert?.appId ?? APP_ID, certificate: cert?.certificate, startMs: START_MS, nowMs: START_MS + this.elapsedMs }));
    // sdk/fake-storage.js answers every storage request with the case's code: so does the
    // emulator, for each actor (R-ST11 fault)
    const code = c.server?.storageReplyCode;
    if (code) for (const actor of Object.values(c.actors)) await this.control.setStorageReplyCode(actor.uid, code);
    // As the SDK leg's BASE_PARAMS (every key a case may set, so that none leaks).
    const params = {
      IGNORE_DUPLICATE_USER_ID_ERR: true,
      ENABLE_API_RATE_LIMIT: false,
      HISTORY_ENABLED: true,
      EXTEND_CHANNEL_NAME: false,
      ...FAMILY_PARAMS,
      ...(c.params ?? {}),
    };
    for (const [k, v] of Object.entries(params)) AgoraRTM.setParameter?.(k, v);
  }

  newClient(actor, onEvent, kinds = ['presence', 'linkState']) {
    const config = actor.config === undefined ? {} : actor.config;
    const rtm = new AgoraRTM.RTM('appId' in actor ? actor.appId : APP_ID, actor.uid, {
      ...config,
      emulatorUrl: this.server.url,
    });
    for (const kind of kinds) rtm.addEventListener(kind, (e) => onEvent(kind, e));
    const client = { rtm, streams: new Map(), actor };
    this.clients.push(client);
    return client;
  }

  invoke(client, call, args) {
    const result = invokeOn(client.rtm, client.streams, call, args);
    if (result && typeof result.then === 'function') {
      const pending = this.pending;
      const done = result.then(
        () => pending.delete(done),
        () => pending.delete(done),
      );
      pending.add(done);
    }
    return result;
  }

  async net(client, dir, actor) {
    const opts = { appId: actor.appId ?? APP_ID };
    try {
      if (dir === 'down') await this.control.disconnect(actor.uid, opts);
      else await this.control.reconnect(actor.uid, opts);
    } catch {
      // The network of a client that is not logged in: nothing to lose or bring back (on the
      // SDK side the fake transport ignores it too).
    }
  }

  async advance(seconds) {
    this.elapsedMs += Math.round(seconds * 1000);
    await this.control.advance(seconds);
    // the replies the time settled (an acquireLock with retry granted when a lock
    // lapses, D-LK8) arrive within the step, as the SDK leg's fake timers settle them
    await this.settle();
  }

  async settle(promise) {
    if (promise) await Promise.race([promise.catch(() => {}), delay(CALL_WAIT_MS)]);
    while (this.pending.size) {
      const progressed = await Promise.race([...this.pending, delay(QUIET_MS).then(() => false)]);
      if (progressed === false) return;
    }
  }

  async endCase() {}
}
