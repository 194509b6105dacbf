// rtm-emulator-client/node: start `rtm-emulator serve` from a Node test suite
// (node:test before/after hooks, Jest/Vitest globalSetup). Node only.

import { spawn } from 'node:child_process';
import { EmulatorControl } from './index.js';

/**
 * Spawn `python3 -m rtm_emulator serve --port 0` (the interpreter from `python`, else
 * $RTM_EMULATOR_PYTHON, else `python3`), wait for the URL it prints, and return
 * `{url, control, process, stop}`. Rejects if the server exits or prints nothing
 * within `timeoutMs`.
 */
export function startEmulator(options = {}) {
  const {
    python = process.env.RTM_EMULATOR_PYTHON || 'python3',
    args = [],
    cwd,
    env,
    timeoutMs = 30_000,
    appId,
  } = options;
  const child = spawn(python, ['-m', 'rtm_emulator', 'serve', '--port', '0', ...args], {
    cwd,
    env: env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let done = false;
    const finish = (err, url) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
        return;
      }
      const exited = new Promise((res) => {
        if (child.exitCode !== null || child.signalCode !== null) res();
        else child.once('exit', () => res());
      });
      const control = new EmulatorControl(url, appId ? { appId } : {});
      resolve({
        url,
        control,
        process: child,
        async stop() {
          await control.close();
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    const timer = setTimeout(
      () => finish(new Error(`rtm-emulator serve printed no URL in ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line.startsWith('ws://')) finish(null, line.trim());
    });
    child.once('error', (err) => finish(new Error(`cannot start ${python}: ${err.message}`)));
    child.once('exit', (code, signal) =>
      finish(new Error(`rtm-emulator serve exited (${code ?? signal}) before printing its URL: ${stderr}`)),
    );
  });
}
