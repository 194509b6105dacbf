// Vitest for the public sample apps in real-SDK mode (`npm run test:apps:real-sdk`,
// docs/real-sdk.md): the same test files as vitest.config.js, but the apps' import of
// `agora-rtm-sdk` is NOT aliased: it resolves to node_modules/agora-rtm-sdk (2.3.0), and a
// page that loads the SDK from a script tag gets that bundle, agora-rtm.js, there. The
// one setup call, `useEmulator` on the SDK the app got, is made by the harness right
// after the file's emulator started (harness.js, classic-page.js): before the app's code
// makes its first RTM client. Flows this mode does not carry (stream channels)
// are skipped with their reason (sdk-mode.js).

import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Read by sdk-mode.js in the workers (they inherit the environment, as TZ in vitest.config.js).
process.env.RTM_APPS_SDK = 'real';

export default defineConfig({
  ...base,
  resolve: {
    // Not a switch: the app's bare import gets agora-rtm-sdk's own entry, exactly as Node
    // resolves it from this package (node_modules/agora-rtm-sdk/agora-rtm.js, 2.3.0). It is
    // spelled out only because the app's files are copied into a temporary folder
    // (upstream.js), which has no node_modules of its own to resolve it from.
    alias: [
      {
        find: /^agora-rtm-sdk$/,
        replacement: createRequire(import.meta.url).resolve('agora-rtm-sdk'),
      },
    ],
  },
  test: { ...base.test },
});
