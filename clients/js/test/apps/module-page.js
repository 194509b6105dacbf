// Shows a page of a Vite app in the test's own jsdom document, as a browser shows the
// page Vite serves: the page's title and body (its scripts taken out), then, when the
// test says so, its module scripts imported in document order. The app's import of
// `agora-rtm-sdk` resolves to this package through the Vite alias (vitest.config.js).

import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Puts the title and the body of `page` (a path inside `dir`) into `document`, without
 * the page's scripts. `scripts` are the `src` of its module scripts as the page writes
 * them; `run()` imports them in that order, each resolved as Vite resolves it (a
 * `/`-rooted src from `dir`, any other from the page's folder).
 *
 * Throws: `run()` rejects when a script is outside `dir`, or with what a script throws.
 */
export function openModulePage(dir, page) {
  const html = new DOMParser().parseFromString(readFileSync(join(dir, page), 'utf8'), 'text/html');
  document.title = html.title;
  const scripts = [...html.querySelectorAll('script[type="module"]')].map((s) =>
    s.getAttribute('src'),
  );
  for (const script of html.querySelectorAll('script')) script.remove();
  document.body.replaceChildren(
    ...[...html.body.childNodes].map((node) => document.importNode(node, true)),
  );
  return {
    scripts,
    async run() {
      for (const src of scripts) {
        const file = src.startsWith('/') ? join(dir, src) : join(dir, dirname(page), src);
        if (relative(dir, file).startsWith('..')) {
          throw new Error(`${page}: script ${src} is outside the app`);
        }
        await import(/* @vite-ignore */ pathToFileURL(file).href);
      }
    },
  };
}
