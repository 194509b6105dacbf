// Vitest for the public sample apps (`npm run test:apps`): each app runs unchanged in
// jsdom against `rtm-emulator serve`. Its one import of `agora-rtm-sdk` resolves to
// this package, the way an app's own Vite config would switch it to the emulator;
// the app's files stay byte for byte upstream's (see upstream.js).

import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The apps read their time zone into a user id (navigator and Intl): fix it, like the
// user agent below, so every machine runs the same ids. Workers inherit it.
process.env.TZ = 'UTC';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // The package, and the temporary folders the apps' files are copied into (upstream.js).
  server: {
    fs: { allow: [fileURLToPath(new URL('../..', import.meta.url)), realpathSync(tmpdir())] },
  },
  resolve: {
    alias: [
      {
        find: /^agora-rtm-sdk$/,
        replacement: fileURLToPath(new URL('../../index.js', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['*.test.js'],
    environment: 'jsdom',
    environmentOptions: {
      jsdom: { userAgent: 'Mozilla/5.0 (rtm-emulator sample-app test) jsdom' },
    },
    // Run inside jsdom's own global (a vm context), as a page's scripts run: browsers
    // expose elements by id as globals (the demo's ui.js uses `container`), which
    // jsdom's window has but the Node global of the default pool does not.
    pool: 'vmForks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
