// The real SDK as a target of the case runner (see lib/runner.js).

import { FakeStore } from './fake-store.js';
import { FakeLink, START_MS, loadHarness } from './harness.js';
import { APP_ID, invokeOn } from '../lib/runner.js';

/** SDK parameters every case starts from (module-global in the SDK, so set per case). */
const BASE_PARAMS = {
  IGNORE_DUPLICATE_USER_ID_ERR: true,
  ENABLE_API_RATE_LIMIT: false,
};

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
    this.h.store = new FakeStore();
    this.h.store.groupReplyCode = c.server?.groupReplyCode ?? 0;
    this.t0 = clock.now;
    this.elapsedMs = 0;
    const params = {
      ...BASE_PARAMS,
      PRESENCE_THRESHOLD: c.server?.announceMax ?? 50,
      PRESENCE_INTERVAL: c.server?.interval ?? 30,
      ...(c.params ?? {}),
    };
    for (const [k, v] of Object.entries(params)) AgoraRTM.setParameter(k, v);
    this.clients = [];
  }

  newClient(actor, onEvent) {
    const { AgoraRTM } = this.h;
    const config = actor.config === undefined ? {} : actor.config;
    const rtm = new AgoraRTM.RTM('appId' in actor ? actor.appId : APP_ID, actor.uid, {
      logLevel: 'none',
      logUpload: false,
      ...config,
    });
    rtm.addEventListener('presence', (e) => onEvent('presence', e));
    rtm.addEventListener('linkState', (e) => onEvent('linkState', e));
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
