'use strict';

// rtm-emulator-client/node: start `rtm-emulator serve` from a Node test suite
// (node:test before/after hooks, Jest/Vitest globalSetup). Node only. `require` loads
// this file; node.js re-exports it for `import`.

const { spawn } = require('node:child_process');
const { EmulatorControl } = require('./index.cjs');

/** How to get a Python that can run the server, for the launcher's errors. */
const INSTALL =
  'Pass startEmulator({ python: "/path/to/python" }) or set RTM_EMULATOR_PYTHON to a Python ' +
  'that has rtm_emulator with its server extra, e.g. a venv where you ran, from a clone of ' +
  'rtm_emulator, pip install -e ".[server]" (or, from a wheel, ' +
  'pip install "dist/rtm_emulator-0.1.0-py3-none-any.whl[server]").';

/** The launcher's error for a server that exited before printing its URL. */
function exitError(python, code, signal, stderr) {
  const output = stderr.trim();
  if (/No module named '?rtm_emulator'?/.test(output)) {
    return new Error(
      `startEmulator: the Python interpreter ${JSON.stringify(python)} cannot import rtm_emulator ` +
        `(${lastLine(output)}). ${INSTALL}`,
    );
  }
  if (code === 2 && /websockets|\[server\]/.test(output)) {
    return new Error(
      `startEmulator: rtm_emulator in ${JSON.stringify(python)} lacks its server extra, the ` +
        `websockets library (${lastLine(output)}). ${INSTALL}`,
    );
  }
  return new Error(
    `startEmulator: rtm-emulator serve (${JSON.stringify(python)}) exited (${code ?? signal}) ` +
      `before printing its URL: ${output}`,
  );
}

function lastLine(text) {
  const lines = text.split('\n').filter((line) => line.trim());
  return (lines[lines.length - 1] ?? '').trim();
}

/**
 * Spawn `python3 -m rtm_emulator serve --port 0` (the interpreter from `python`, else
 * $RTM_EMULATOR_PYTHON, else `python3`), wait for the URL it prints, and return
 * `{url, control, process, stop}`.
 *
 * Rejects with an Error if the interpreter cannot be started, if it cannot import
 * rtm_emulator or lacks the server extra (each message names the `python` option,
 * RTM_EMULATOR_PYTHON and what to install), if the server exits for another reason, or
 * if it prints no URL within `timeoutMs`.
 */
function startEmulator(options = {}) {
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
      () =>
        finish(
          new Error(`startEmulator: rtm-emulator serve printed no URL in ${timeoutMs} ms: ${stderr}`),
        ),
      timeoutMs,
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line.startsWith('ws://')) finish(null, line.trim());
    });
    child.once('error', (err) => {
      const missing = err.code === 'ENOENT' || err.code === 'EACCES';
      finish(
        new Error(
          missing
            ? `startEmulator: cannot run the Python interpreter ${JSON.stringify(python)} ` +
                `(${err.message}). ${INSTALL}`
            : `startEmulator: cannot start ${JSON.stringify(python)}: ${err.message}`,
        ),
      );
    });
    // 'close', not 'exit': by then stderr has been read to its end.
    child.once('close', (code, signal) => finish(exitError(python, code, signal, stderr)));
  });
}

module.exports = { startEmulator };
