// Runs a plain page of a public app (classic `<script src>` tags, no bundler, the SDK
// loaded from a script tag as the global `AgoraRTM`) in its own jsdom window, as a
// browser runs it: the page's HTML, then its scripts in document order, each as a
// classic script in the window's global scope (top-level `let`, `const` and `class`
// shared between scripts). The one script tag that loads the SDK instead puts this
// package there, as `AgoraRTM`; everything else is the app's own bytes (upstream.js).
// Each page gets its own window, so two instances of one app run side by side, as two
// browser tabs do.

import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { JSDOM, VirtualConsole } from 'jsdom';
import AgoraRTM, { RTMClient } from '../../index.js';

/**
 * Opens `page` (a path inside `dir`) in a new jsdom window and runs its scripts.
 *
 * `sdkScript` is the path (inside `dir`) of the script tag that loads the SDK; the page
 * gets this package's `AgoraRTM` there, whose `RTM` records each client the page makes
 * in `clients`. The window's `alert` records its texts in `alerts` (jsdom has no
 * dialogs); `console.log` and `console.error` go to `logs` and `errors`, with jsdom's
 * own errors (a script that throws, say).
 *
 * Throws: when the page names a script that is not in `dir`.
 */
export function openClassicPage({ dir, page, sdkScript }) {
  const file = join(dir, page);
  const logs = [];
  const errors = [];
  const alerts = [];
  const clients = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('log', (...args) => logs.push(args));
  virtualConsole.on('error', (...args) => errors.push(args));
  virtualConsole.on('jsdomError', (error) => errors.push([error]));
  const dom = new JSDOM(readFileSync(file, 'utf8'), {
    url: pathToFileURL(file).href,
    runScripts: 'outside-only',
    pretendToBeVisual: true,
    virtualConsole,
  });
  const { window } = dom;
  window.alert = (message) => alerts.push(String(message));

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
    alerts,
    clients,
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
    close: () => window.close(),
  };
}
