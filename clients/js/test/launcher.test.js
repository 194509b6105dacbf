// startEmulator() when the Python side is not there: a missing interpreter, one without
// rtm_emulator, one without the server extra. Each error names the `python` option,
// RTM_EMULATOR_PYTHON and what to install.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator } from '../node.js';
import { REPO_ROOT } from './helpers.js';

const PYTHON = process.env.RTM_EMULATOR_PYTHON || 'python3';
let scratch;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rtm-launcher-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The advice every launcher error gives. */
function assertAdvice(message) {
  assert.match(message, /startEmulator\(\{ python: /);
  assert.match(message, /RTM_EMULATOR_PYTHON/);
  assert.match(message, /pip install -e "\.\[server\]"/);
  assert.match(message, /rtm_emulator-0\.1\.0-py3-none-any\.whl\[server\]/);
}

test('a missing interpreter (spawn ENOENT) names the python option and RTM_EMULATOR_PYTHON', async () => {
  const python = join(scratch, 'no-such-python');
  const err = await startEmulator({ python }).then(
    () => assert.fail('started'),
    (e) => e,
  );
  assert.ok(err instanceof Error);
  assert.match(err.message, /cannot run the Python interpreter ".*no-such-python" \(spawn .* ENOENT\)/);
  assertAdvice(err.message);
});

test('without the option, RTM_EMULATOR_PYTHON is the interpreter, and the error names it', async () => {
  const saved = process.env.RTM_EMULATOR_PYTHON;
  process.env.RTM_EMULATOR_PYTHON = join(scratch, 'from-the-environment');
  try {
    const err = await startEmulator().then(
      () => assert.fail('started'),
      (e) => e,
    );
    assert.match(err.message, /"[^"]*from-the-environment" \(spawn .* ENOENT\)/);
    assertAdvice(err.message);
  } finally {
    if (saved === undefined) delete process.env.RTM_EMULATOR_PYTHON;
    else process.env.RTM_EMULATOR_PYTHON = saved;
  }
});

test('an interpreter without rtm_emulator ("No module named rtm_emulator") says what to install', async () => {
  const venv = join(scratch, 'empty-venv');
  execFileSync(PYTHON, ['-m', 'venv', '--without-pip', venv]);
  const python = join(venv, 'bin', 'python');
  const err = await startEmulator({ python, cwd: scratch }).then(
    () => assert.fail('started'),
    (e) => e,
  );
  assert.match(err.message, /cannot import rtm_emulator \(.*No module named rtm_emulator\)/);
  assert.match(err.message, /empty-venv/);
  assertAdvice(err.message);
});

test('rtm_emulator without the server extra (serve exits 2) names the extra', async () => {
  // An interpreter where `import websockets` fails, as it does without the extra.
  const stub = join(scratch, 'no-websockets');
  mkdirSync(join(stub, 'websockets'), { recursive: true });
  writeFileSync(
    join(stub, 'websockets', '__init__.py'),
    'raise ModuleNotFoundError("No module named \'websockets\'", name="websockets")\n',
  );
  const env = { ...process.env, PYTHONPATH: [stub, process.env.PYTHONPATH].filter(Boolean).join(':') };
  const err = await startEmulator({ python: PYTHON, env, cwd: REPO_ROOT }).then(
    () => assert.fail('started'),
    (e) => e,
  );
  assert.match(err.message, /lacks its server extra, the websockets library/);
  assertAdvice(err.message);
});

test('another early exit keeps the server output', async () => {
  const err = await startEmulator({ args: ['--announce-max', '7'], cwd: REPO_ROOT }).then(
    () => assert.fail('started'),
    (e) => e,
  );
  assert.match(err.message, /exited \(2\) before printing its URL: .*announce_max/s);
});
