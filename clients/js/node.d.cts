// Types of rtm-emulator-client/node for `require` (node.cjs); node.d.ts re-exports them.

import type { ChildProcess } from 'node:child_process';
import type { EmulatorControl } from './index.cjs';

export interface StartEmulatorOptions {
  /** The Python interpreter; default $RTM_EMULATOR_PYTHON, else `python3`. */
  python?: string;
  /** Extra `rtm-emulator serve` flags, e.g. `['--announce-max', '8']`. */
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the URL line (ms, default 30000). */
  timeoutMs?: number;
  /** Default app id of the returned control (default: the server's default app). */
  appId?: string;
}

export interface RunningEmulator {
  /** `ws://127.0.0.1:PORT`: pass it as `emulatorUrl`. */
  url: string;
  /** A control connection to this server. */
  control: EmulatorControl;
  process: ChildProcess;
  /** Close the control connection, stop the server (SIGTERM) and wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * Spawn `python3 -m rtm_emulator serve --port 0` and wait for its URL. Rejects with an
 * Error when the interpreter cannot be run, cannot import rtm_emulator or lacks its server
 * extra (the message names the `python` option and RTM_EMULATOR_PYTHON), when the server
 * exits first, or when it prints no URL within `timeoutMs`.
 */
export function startEmulator(options?: StartEmulatorOptions): Promise<RunningEmulator>;
