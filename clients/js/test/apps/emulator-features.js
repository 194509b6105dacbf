// What a test needs from the emulator that the branch it runs on may not have yet
// (issue 17: storage, locks, tokens). A test names the SDK calls and control verbs its
// flow uses; `missing(needs)` lists those this package does not have, and the test is
// skipped with that list as its reason, the way a test without its app's checkout is.
// Nothing here stands in for a missing call: the flows run only on the real ones.

import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorControl, RTMClient } from '../../index.js';
import { REAL_SDK } from './sdk-mode.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Real-SDK mode: the packets of the real SDK (agora-rtm.js 2.3.0) a call of `rtm.storage`
 * or `rtm.lock` sends, as its bundle names them. The real SDK has every call; whether it
 * works depends on the server serving these packets (an unserved packet is never
 * answered, and the call times out: docs/real-sdk.md, Limits).
 */
const SDK_PACKETS = {
  'storage.setChannelMetadata': ['StateModify'],
  'storage.updateChannelMetadata': ['StateModify'],
  'storage.removeChannelMetadata': ['StateModify', 'StateSet'],
  'storage.getChannelMetadata': ['StateGet'],
  'storage.setUserMetadata': ['StateModify'],
  'storage.updateUserMetadata': ['StateModify'],
  'storage.removeUserMetadata': ['StateModify', 'StateSet'],
  'storage.getUserMetadata': ['StateGet'],
  'storage.subscribeUserMetadata': ['StateSubscribe'],
  'storage.unsubscribeUserMetadata': ['StateUnsubscribe'],
  'lock.setLock': ['StateLockCreate'],
  'lock.removeLock': ['StateLockDelete'],
  'lock.acquireLock': ['StateLockAcquire'],
  'lock.releaseLock': ['StateLockRelease'],
  'lock.revokeLock': ['StateLockDisable'],
  'lock.getLock': ['StateLockList'],
  renewToken: ['UserRenewToken2Req'],
};

let served = null;

/**
 * The packet names the server of this worktree serves to a real SDK (its table,
 * rtm_emulator/server/_wire.py HANDLERS, with every family's module loaded), read once
 * with the interpreter the harness starts the server with; empty if it cannot be read.
 */
function servedPackets() {
  if (served) return served;
  const python = process.env.RTM_EMULATOR_PYTHON || 'python3';
  const script =
    'import json, rtm_emulator.server\n' +
    'from rtm_emulator.server._wire import HANDLERS\n' +
    'print(json.dumps(sorted(HANDLERS)))';
  try {
    const out = execFileSync(python, ['-c', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    served = new Set(JSON.parse(out.trim().split('\n').at(-1)));
  } catch {
    served = new Set();
  }
  return served;
}

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
 * them) or `control.<verb>` (an `EmulatorControl` method). In real-SDK mode an SDK call
 * is lacking when the server does not serve a packet it sends (SDK_PACKETS).
 */
export function missing(needs) {
  const client = REAL_SDK ? null : probeClient();
  return needs.filter((need) => {
    const [home, ...rest] = need.split('.');
    if (home === 'control') return typeof EmulatorControl.prototype[rest[0]] !== 'function';
    if (REAL_SDK && home === 'rtm') {
      const packets = SDK_PACKETS[rest.join('.')] ?? [];
      return packets.some((name) => !servedPackets().has(name));
    }
    if (home !== 'rtm' || client === null) return true;
    let owner = client;
    for (const part of rest.slice(0, -1)) owner = owner?.[part];
    return typeof owner?.[rest.at(-1)] !== 'function';
  });
}

/** `missing(needs)`, warned about under `name` when it is not empty. */
export function lacking(name, needs) {
  const absent = missing(needs);
  if (absent.length > 0 && REAL_SDK) {
    const packets = [...new Set(absent.flatMap((need) => SDK_PACKETS[need.slice(4)] ?? []))];
    console.warn(
      `skipping ${name} in real-SDK mode: the server does not serve the SDK's packets ` +
        `${packets.filter((p) => !servedPackets().has(p)).join(', ')} (for ${absent.join(', ')})`,
    );
  } else if (absent.length > 0) {
    console.warn(`skipping ${name}: this emulator lacks ${absent.join(', ')} (issue 17)`);
  }
  return absent;
}
