// What a test needs from the emulator that the branch it runs on may not have yet
// (issue 17: storage, locks, tokens). A test names the SDK calls and control verbs its
// flow uses; `missing(needs)` lists those this package does not have, and the test is
// skipped with that list as its reason, the way a test without its app's checkout is.
// Nothing here stands in for a missing call: the flows run only on the real ones.

import { EmulatorControl, RTMClient } from '../../index.js';

const PROBE_APP_ID = 'FeatureProbeApp00000000000000000';

let probes = 0;

/** A client that never logs in (an address is needed to construct one, never used). */
function probeClient() {
  probes += 1;
  try {
    return new RTMClient(PROBE_APP_ID, `feature-probe-${probes}`, {
      logLevel: 'none',
      emulatorUrl: 'ws://127.0.0.1:9',
    });
  } catch {
    return null;
  }
}

/**
 * The entries of `needs` this package lacks. Each entry is `rtm.<method>`,
 * `rtm.storage.<method>`, `rtm.lock.<method>` (on a client, as the SDK's d.ts names
 * them) or `control.<verb>` (an `EmulatorControl` method).
 */
export function missing(needs) {
  const client = probeClient();
  return needs.filter((need) => {
    const [home, ...rest] = need.split('.');
    if (home === 'control') return typeof EmulatorControl.prototype[rest[0]] !== 'function';
    if (home !== 'rtm' || client === null) return true;
    let owner = client;
    for (const part of rest.slice(0, -1)) owner = owner?.[part];
    return typeof owner?.[rest.at(-1)] !== 'function';
  });
}

/** `missing(needs)`, warned about under `name` when it is not empty. */
export function lacking(name, needs) {
  const absent = missing(needs);
  if (absent.length > 0) {
    console.warn(`skipping ${name}: this emulator lacks ${absent.join(', ')} (issue 17)`);
  }
  return absent;
}
