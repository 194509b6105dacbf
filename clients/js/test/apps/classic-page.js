// Runs a plain page of a public app (classic `<script src>` tags, no bundler, the SDK
// loaded from a script tag as the global `AgoraRTM`) in its own jsdom window, as a
// browser runs it: the page's HTML, then its scripts in document order, each as a
// classic script in the window's global scope (top-level `let`, `const` and `class`
// shared between scripts). The one script tag that loads the SDK instead puts this
// package there, as `AgoraRTM` or, in real-SDK mode (sdk-mode.js), runs the real bundle
// there (node_modules/agora-rtm-sdk/agora-rtm.js, 2.3.0, a UMD script that sets
// `AgoraRTM` on the window) and makes the setup call on it before the page's next script;
// everything else is the app's own bytes (upstream.js).
// Each page gets its own window, so two instances of one app run side by side, as two
// browser tabs do.

import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from 'node:util';
import { Script } from 'node:vm';
import { JSDOM, VirtualConsole } from 'jsdom';
import AgoraRTM, { RTMClient } from '../../index.js';
import { keepSdkOffline, realSdkBundle } from './sdk-mode.js';

/** The page realm's TextEncoder and TextDecoder, around Node's (a function of the two). */
const TEXT_CODECS = `(NodeEncoder, NodeDecoder) => {
  const encoder = new NodeEncoder();
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(text = '') {
      const bytes = encoder.encode(String(text));
      const out = new Uint8Array(bytes.length);
      out.set(bytes);
      return out;
    }
  }
  class TextDecoder {
    constructor(label = 'utf-8', options = {}) { this.decoder = new NodeDecoder(label, options); }
    get encoding() { return this.decoder.encoding; }
    decode(input, options) { return this.decoder.decode(input, options); }
  }
  return { TextEncoder, TextDecoder };
}`;

/** A Storage kept in memory (getItem, setItem, removeItem, clear, key, length). */
function memoryStorage() {
  const saved = new Map();
  return {
    getItem: (key) => (saved.has(String(key)) ? saved.get(String(key)) : null),
    setItem: (key, value) => void saved.set(String(key), String(value)),
    removeItem: (key) => void saved.delete(String(key)),
    clear: () => saved.clear(),
    key: (index) => [...saved.keys()][index] ?? null,
    get length() {
      return saved.size;
    },
  };
}

/**
 * Opens `page` (a path inside `dir`) in a new jsdom window and runs its scripts.
 *
 * `sdkScript` is the path (inside `dir`) of the script tag that loads the SDK; the page
 * gets this package's `AgoraRTM` there, whose `RTM` records each client the page makes
 * in `clients`. The window's `alert` records its texts in `alerts` (jsdom has no
 * dialogs); `console.log` and `console.error` go to `logs` and `errors`, with jsdom's
 * own errors (a script that throws, say), except the real SDK's own log lines, which go
 * to `sdkLogs`.
 *
 * In real-SDK mode the page gets the real bundle at `sdkScript`, its requests to Agora are
 * kept offline (`offline.blocked`), and `onSdk(AgoraRTM, window)` (the setup call) runs
 * right after the bundle, before the page's next script; `ready` is what it returned (a
 * promise). The page's `AgoraRTM.RTM` is then a subclass of the SDK's that records each
 * client the same way.
 *
 * Throws: when the page names a script that is not in `dir`.
 */
export function openClassicPage({ dir, page, sdkScript, onSdk }) {
  const file = join(dir, page);
  const logs = [];
  const errors = [];
  const sdkLogs = [];
  const alerts = [];
  const clients = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('log', (...args) => logs.push(args));
  // The real SDK's logger writes its own lines ("Ins#1 RTM:ERROR [UTC_Time: …]") to
  // console.error: they go to `sdkLogs`, apart from the page's errors.
  const sdkLine = (args) => typeof args[0] === 'string' && /^Ins#\d+ RTM:/.test(args[0]);
  virtualConsole.on('error', (...args) => (sdkLine(args) ? sdkLogs : errors).push(args));
  virtualConsole.on('jsdomError', (error) => errors.push([error]));
  const dom = new JSDOM(readFileSync(file, 'utf8'), {
    url: pathToFileURL(file).href,
    runScripts: 'outside-only',
    pretendToBeVisual: true,
    virtualConsole,
  });
  const { window } = dom;
  window.alert = (message) => alerts.push(String(message));
  const bundle = realSdkBundle();
  const offline = keepSdkOffline(window);
  let ready = Promise.resolve(null);

  class RecordingRTM extends RTMClient {
    constructor(...args) {
      super(...args);
      clients.push(this);
    }
  }
  const sdk = { ...AgoraRTM, RTM: RecordingRTM };

  const context = dom.getInternalVMContext();
  const sources = [...window.document.querySelectorAll('script[src]')].map((script) =>
    script.getAttribute('src'),
  );
  // A library the page loads from another site (a CDN) is not fetched: the tests run
  // offline, and a page is only opened here if its own scripts do not use it.
  const external = sources.filter((src) => /^[a-z][a-z0-9+.-]*:/i.test(src));
  const scripts = sources
    .filter((src) => !external.includes(src))
    .map((src) => relative(dir, resolve(dirname(file), src)).split(sep).join('/'));
  for (const script of scripts) {
    if (script === sdkScript && bundle) {
      // The real SDK reads and writes `localStorage` when it logs in; jsdom gives a file:
      // page none (an opaque origin: SecurityError), a browser gives it one.
      for (const name of ['localStorage', 'sessionStorage']) {
        Object.defineProperty(window, name, { configurable: true, value: memoryStorage() });
      }
      // jsdom's window lacks TextEncoder and TextDecoder, which a browser has and the SDK
      // uses (a message's byte length, its text): the page gets them, made in its own realm
      // (its own Uint8Array) around Node's.
      if (typeof window.TextEncoder !== 'function') {
        const make = new Script(TEXT_CODECS, { filename: 'rtm-apps:text-codecs' }).runInContext(context);
        Object.assign(window, make(NodeTextEncoder, NodeTextDecoder));
      }
      new Script(bundle.source, { filename: pathToFileURL(bundle.file).href }).runInContext(context);
      const real = window.AgoraRTM;
      ready = Promise.resolve(onSdk?.(real, window));
      ready.catch(() => {}); // observed through `ready`
      const SdkRTM = real.RTM;
      real.RTM = class extends SdkRTM {
        constructor(...args) {
          super(...args);
          clients.push(this);
        }
      };
      continue;
    }
    if (script === sdkScript) {
      window.AgoraRTM = sdk;
      continue;
    }
    if (script.startsWith('..')) throw new Error(`${page}: script ${script} is outside the app`);
    const source = readFileSync(join(dir, script), 'utf8');
    new Script(source, { filename: pathToFileURL(join(dir, script)).href }).runInContext(context);
  }

  const document = window.document;
  return {
    window,
    document,
    scripts,
    external,
    logs,
    errors,
    sdkLogs,
    alerts,
    clients,
    offline,
    ready,
    /** The lines the page logged, each call's arguments joined by spaces. */
    logLines: () => logs.map((args) => args.map(String).join(' ')),
    /** Types `value` into the input with id `id` (as a user does: value, then `input`). */
    type(id, value) {
      const input = document.getElementById(id);
      input.value = value;
      input.dispatchEvent(new window.Event('input', { bubbles: true }));
    },
    /** Clicks the element with id `id` (or the element itself). */
    click(target) {
      const element = typeof target === 'string' ? document.getElementById(target) : target;
      element.click();
    },
    /** Whether the element with id `id` is shown (no `display: none` on it or its ancestors). */
    shown(id) {
      for (let node = document.getElementById(id); node; node = node.parentElement) {
        if (window.getComputedStyle(node).display === 'none') return false;
      }
      return true;
    },
    text: (id) => document.getElementById(id).textContent,
    close: () => {
      offline.restore();
      window.close();
    },
  };
}
