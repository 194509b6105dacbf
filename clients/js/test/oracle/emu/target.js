// The emulator as a target of the case runner: the project's JS client (clients/js/index.js)
// against one `rtm-emulator serve` process, reset between cases with the control API.

import { fileURLToPath } from 'node:url';
import AgoraRTM, { closeAllConnections } from '../../../index.js';
import { startEmulator } from '../../../node.js';
import { APP_ID, invokeOn } from '../lib/runner.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const CALL_WAIT_MS = 3000;

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
  };
}

export class EmuTarget {
  name = 'emulator';

  async start() {
    this.server = await startEmulator({ cwd: REPO_ROOT, appId: APP_ID });
    this.control = this.server.control;
    return this;
  }

  async stop() {
    await closeAllConnections();
    await this.server?.stop();
  }

  async beginCase(c) {
    this.clients = [];
    await this.control.reset(serverConfig(c));
    const params = {
      IGNORE_DUPLICATE_USER_ID_ERR: true,
      ENABLE_API_RATE_LIMIT: false,
      ...(c.params ?? {}),
    };
    for (const [k, v] of Object.entries(params)) AgoraRTM.setParameter?.(k, v);
  }

  newClient(actor, onEvent) {
    const config = actor.config === undefined ? {} : actor.config;
    const rtm = new AgoraRTM.RTM('appId' in actor ? actor.appId : APP_ID, actor.uid, {
      ...config,
      emulatorUrl: this.server.url,
    });
    rtm.addEventListener('presence', (e) => onEvent('presence', e));
    rtm.addEventListener('linkState', (e) => onEvent('linkState', e));
    const client = { rtm, streams: new Map(), actor };
    this.clients.push(client);
    return client;
  }

  invoke(client, call, args) {
    return invokeOn(client.rtm, client.streams, call, args);
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
    await this.control.advance(seconds);
  }

  async settle(promise) {
    if (promise) await Promise.race([promise.catch(() => {}), delay(CALL_WAIT_MS)]);
  }

  async endCase() {}
}
