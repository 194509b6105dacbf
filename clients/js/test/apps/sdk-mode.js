// Which SDK the apps get: this package (vitest.config.js, `agora-rtm-sdk` aliased to it)
// or, in real-SDK mode (vitest.real-sdk.config.js, docs/real-sdk.md), the real
// agora-rtm-sdk 2.3.0 from node_modules with `useEmulator` on it. The test files are the
// same in both modes; what differs is here and in the harness, and where a test asserts
// something only one of the two does, the test says so next to its branch.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AgoraRTM from 'agora-rtm-sdk';
import { closeAll, inFlight, useEmulator } from '../../real-sdk.js';

/** Whether the apps run the real SDK (the real-SDK config sets RTM_APPS_SDK=real). */
export const REAL_SDK = process.env.RTM_APPS_SDK === 'real';

/** The module the apps' `import AgoraRTM from 'agora-rtm-sdk'` gets (the same object). */
export { AgoraRTM };

/** The mode's name, for titles and skip reasons. */
export const MODE = REAL_SDK ? 'real-SDK mode' : 'rtm-emulator-client';

/**
 * In real-SDK mode, the source of the real bundle (node_modules/agora-rtm-sdk/agora-rtm.js),
 * which a script-tag page gets where it loads its SDK; `null` in the other mode.
 */
export function realSdkBundle() {
  if (!REAL_SDK) return null;
  const file = createRequire(import.meta.url).resolve('agora-rtm-sdk/agora-rtm.js');
  return { file, source: readFileSync(file, 'utf8') };
}

/**
 * A `message` event as two receivers of one message can compare it. In real-SDK mode each
 * SDK stamps a message it receives with its own clock, `Date.now() + offsetTime`
 * (agora-rtm.js 2.3.0: the offset its heartbeats measure from Pong3's `serverMs`), not
 * with the packet's `ms`; under the emulator there are no heartbeats, so the stamp is the
 * receiving page's clock at arrival and differs between receivers (and from this
 * package's, which is the emulator's clock): the stamp is left out there, and must be a
 * number. Answering the SDK's heartbeat would not help with real timers (docs/real-sdk.md,
 * Limits: "Received messages' time stamps"). In the other mode the event as it is.
 */
export function receivedMessage(event) {
  if (!REAL_SDK) return event;
  if (typeof event?.timestamp !== 'number') return event;
  return { ...event, timestamp: "the receiver's own clock" };
}

/**
 * The one setup call of real-SDK mode on `sdk` (an `AgoraRTM` object: the module's, or
 * the one a script tag put on a page's window), for the emulator at `url`. Resolves to
 * useEmulator's handle; in the other mode to `null` (nothing to set up).
 */
export async function setUpSdk(sdk, url) {
  if (!REAL_SDK) return null;
  ownRealmTextEncoder();
  return useEmulator(sdk, { url });
}

/**
 * Real-SDK mode: the SDK decodes a stream channel's topic metadata with `new
 * TextEncoder().encode(...)` and protobuf, which takes only a Uint8Array of its own realm
 * ("illegal buffer" else). Vitest's jsdom context (pool vmForks) has Node's TextEncoder,
 * whose bytes are the Node realm's; a browser's are the page's. The context gets one that
 * returns its own realm's bytes (as classic-page.js gives a script-tag page), once.
 */
function ownRealmTextEncoder() {
  const Native = globalThis.TextEncoder;
  if (typeof Native !== 'function' || new Native().encode('') instanceof Uint8Array) return;
  const native = new Native();
  globalThis.TextEncoder = class TextEncoder {
    get encoding() {
      return 'utf-8';
    }

    encode(text = '') {
      const bytes = native.encode(String(text));
      const out = new Uint8Array(bytes.length);
      out.set(bytes);
      return out;
    }

    encodeInto(text, into) {
      return native.encodeInto(String(text), into);
    }
  };
}

/** Resolves once every request the real-SDK sessions sent so far is answered (at once in the other mode). */
export async function sdkInFlight() {
  if (REAL_SDK) await inFlight();
}

/** Closes every real-SDK session socket of this runtime (nothing in the other mode). */
export async function closeRealSdkSessions() {
  if (REAL_SDK) await closeAll();
}

/**
 * The prototypes of a client's parts, to watch the app's calls on: `rtm` (the client's
 * class), `presence`, `storage`, `lock`, `stream` (a stream channel's). From a client of
 * `sdk` made for the purpose, which never logs in (nor joins its stream channel).
 */
export function prototypesOf(sdk = AgoraRTM) {
  const probe = new sdk.RTM('PrototypeProbeApp000000000000000', 'prototype-probe', {
    logLevel: 'none',
    logUpload: false,
    emulatorUrl: 'ws://127.0.0.1:9', // read by this package only; never used
  });
  return {
    rtm: sdk.RTM.prototype,
    presence: probe.presence && Object.getPrototypeOf(probe.presence),
    storage: probe.storage && Object.getPrototypeOf(probe.storage),
    lock: probe.lock && Object.getPrototypeOf(probe.lock),
    stream: Object.getPrototypeOf(probe.createStreamChannel('prototype-probe')),
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Real-SDK mode: the SDK's own traffic to Agora (event reports to webcollector-rtm.agora.io
 * and rtm.statscollector.sd-rtn.com, log upload, access points) is kept inside the test,
 * as a test keeps a page offline: a request from `window` (its XMLHttpRequest and fetch)
 * to a host that is not this machine is recorded in `blocked` (`{api, url}`) and never
 * completes. The apps cannot turn it off (their RTM config is upstream's). Nothing in the
 * other mode. Returns `{blocked, restore()}`.
 */
export function keepSdkOffline(window) {
  const blocked = [];
  if (!REAL_SDK) return { blocked, restore() {} };
  const remote = (url) => {
    try {
      const { protocol, hostname } = new URL(String(url), window.location?.href);
      return /^https?:$/.test(protocol) && !LOOPBACK.has(hostname);
    } catch {
      return false;
    }
  };
  const XHR = window.XMLHttpRequest?.prototype;
  const { open, send } = XHR ?? {};
  if (XHR) {
    XHR.open = function (method, url, ...rest) {
      this.__rtmAppsUrl = url;
      return open.call(this, method, url, ...rest);
    };
    XHR.send = function (...args) {
      if (remote(this.__rtmAppsUrl)) {
        blocked.push({ api: 'XMLHttpRequest', url: String(this.__rtmAppsUrl) });
        return undefined;
      }
      return send.apply(this, args);
    };
  }
  const fetchBefore = Object.getOwnPropertyDescriptor(window, 'fetch');
  const realFetch = window.fetch;
  if (typeof realFetch === 'function') {
    window.fetch = function (input, ...rest) {
      const url = typeof input === 'string' || input instanceof URL ? input : input?.url;
      // a test's own stub of fetch (a token server) replaces this one and answers itself
      if (remote(url)) {
        blocked.push({ api: 'fetch', url: String(url) });
        return new Promise(() => {});
      }
      return realFetch.call(this, input, ...rest);
    };
  }
  return {
    blocked,
    restore() {
      if (XHR) Object.assign(XHR, { open, send });
      if (fetchBefore) Object.defineProperty(window, 'fetch', fetchBefore);
    },
  };
}
