'use strict';

// EmulatorControl, the server's control API for tests (not in the SDK): its own socket,
// and one method per control verb of the manifest.

const { sdkError } = require('./errors.cjs');
const { CONTROL_PREFIX, defineMethod, MANIFEST } = require('./surface.cjs');
const { callsInFlight, defaultUrl, Transport } = require('./transport.cjs');

/**
 * The server's control API (time, faults, inspection) for tests; not part of the SDK.
 * Every method resolves after the events it caused have reached every client, and is sent
 * after the SDK calls the clients of this JS runtime have already sent are answered (a
 * login waiting for the network excepted), so it never overtakes them. Methods
 * that name a user or channel use `options.appId`, else the control's `appId`, else
 * the server's default app (`rtm_emulator.DEFAULT_APP_ID`).
 */
class EmulatorControl {
  #transport = null;
  #opening = null;

  constructor(url = defaultUrl(), { appId } = {}) {
    if (!url) {
      throw sdkError(
        'EmulatorControl',
        'INVALID_PARAMETER',
        'no emulator URL: pass one or set RTM_EMULATOR_URL',
      );
    }
    this.url = url;
    this.appId = appId;
  }

  async #request(name, params = {}) {
    await callsInFlight(); // never overtake the calls the clients have sent already
    if (!this.#transport?.open) {
      if (!this.#opening) {
        this.#opening = Transport.open(this.url, {}, name).finally(() => {
          this.#opening = null;
        });
      }
      this.#transport = await this.#opening;
    }
    return this.#transport.request(`control.${name}`, params, name);
  }

  #app(options) {
    return options?.appId ?? this.appId;
  }

  /** A control verb of the manifest: its arguments as the row's params, then `fixed`. */
  #verb(row, args) {
    const params = {};
    row.params.forEach((param, i) => {
      const value = args[i];
      if (param.kind === 'app') params[param.wire] = this.#app(value);
      else if (param.kind === 'spread') Object.assign(params, value);
      else params[param.wire] = value;
    });
    Object.assign(params, row.fixed);
    const response = this.#request(row.wire.slice(CONTROL_PREFIX.length), params);
    return row.result === null ? response : response.then((result) => result[row.result]);
  }

  // info, now, advance, ..., checkInvariants: one method per manifest control verb.
  static {
    for (const row of MANIFEST.control) {
      defineMethod(this.prototype, row.js, row.params.length, function verb(...args) {
        return this.#verb(row, args);
      });
    }
  }

  async close() {
    await this.#transport?.close(1000, 'control closed');
    this.#transport = null;
  }
}

module.exports = { EmulatorControl };
