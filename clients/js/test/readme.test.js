// The JavaScript blocks of README.md, clients/js/README.md and docs/server.md run as
// written, found by their `<!-- sample: ID -->` markers, inside this package (so that
// `rtm-emulator-client` resolves to it by name). The Jest, Vitest and install blocks run
// in scratch projects: test/install/run.mjs.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers.js';
import { sample } from './samples.js';

const run = promisify(execFile);
const PACKAGE = new URL('..', import.meta.url).pathname;
const PYTHON = process.env.RTM_EMULATOR_PYTHON || 'python3';

/** Run `code` as a file named `name` in a scratch folder of the package; its stdout lines. */
async function runInPackage(name, code, args = []) {
  const dir = mkdtempSync(join(PACKAGE, 'test', '.sample-'));
  try {
    writeFileSync(join(dir, name), code);
    const { stdout } = await run(process.execPath, [...args, join(dir, name)], { cwd: REPO_ROOT, timeout: 60_000 });
    return stdout.split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the README quick start prints the SNAPSHOT (R-E1)', async () => {
  assert.deepEqual(await runInPackage('quick.mjs', sample('README.md', 'readme-js-quick-start')), ['SNAPSHOT ']);
});

test('the client README quick start ends with the timeout of the dropped client (R-E1, R-E3, R-T2)', async () => {
  const lines = await runInPackage('quick.mjs', sample('clients/js/README.md', 'client-quick-start'));
  assert.deepEqual(lines, ['SNAPSHOT ', 'REMOTE_JOIN bob', 'REMOTE_STATE_CHANGED bob', 'REMOTE_TIMEOUT bob']);
});

test('the client README quick start also runs on the runtime WebSocket (node --experimental-websocket)', async () => {
  // Count the global WebSocket's connections: the client must use it, not its own.
  const probe = `
    const Native = globalThis.WebSocket;
    let made = 0;
    globalThis.WebSocket = class extends Native { constructor(...a) { super(...a); made += 1; } };
    process.on('exit', () => console.log('global WebSocket connections:', made));
  `;
  const dir = mkdtempSync(join(PACKAGE, 'test', '.sample-'));
  try {
    writeFileSync(join(dir, 'probe.mjs'), probe);
    const code = `import './probe.mjs';\n${sample('clients/js/README.md', 'client-quick-start')}`;
    writeFileSync(join(dir, 'quick.mjs'), code);
    const { stdout } = await run(process.execPath, ['--experimental-websocket', '--no-warnings', join(dir, 'quick.mjs')], {
      cwd: REPO_ROOT,
      timeout: 60_000,
    });
    const lines = stdout.split('\n').filter(Boolean);
    assert.deepEqual(lines.slice(0, 4), ['SNAPSHOT ', 'REMOTE_JOIN bob', 'REMOTE_STATE_CHANGED bob', 'REMOTE_TIMEOUT bob']);
    assert.match(lines[4], /^global WebSocket connections: [1-9]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the swap-one-import blocks load the client (client README, docs/server.md)', async () => {
  const client = `${sample('clients/js/README.md', 'client-swap-import')}console.log(AgoraRTM.VERSION, typeof AgoraRTM.RTM);\n`;
  assert.deepEqual(await runInPackage('swap.mjs', client), ['2.3.0 function']);
  // docs/server.md's block names appId, userId and emulatorUrl: give them values first.
  const server = [
    "import { startEmulator } from 'rtm-emulator-client/node';",
    "const appId = '0123456789abcdef0123456789abcdef', userId = 'dana';",
    'const emu = await startEmulator(); const emulatorUrl = emu.url;',
    sample('docs/server.md', 'server-swap-import'),
    "await rtm.login(); console.log((await rtm.subscribe('room')).channelName);",
    'await rtm.logout(); await emu.stop();',
  ].join('\n');
  assert.deepEqual(await runInPackage('swap.mjs', server), ['room']);
});

test('the CommonJS block of the client README prints the SNAPSHOT', async () => {
  const body = sample('clients/js/README.md', 'client-require');
  assert.deepEqual(await runInPackage('presence.cjs', body), ['SNAPSHOT']);
});

test("docs/server.md's node:test sample passes", async () => {
  const dir = mkdtempSync(join(PACKAGE, 'test', '.sample-'));
  try {
    writeFileSync(join(dir, 'presence.test.mjs'), sample('docs/server.md', 'server-node-test'));
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // report as a top-level run (TAP on stdout)
    const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', join(dir, 'presence.test.mjs')], {
      cwd: REPO_ROOT,
      env,
      timeout: 60_000,
    });
    assert.match(stdout, /# pass 1\n# fail 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("docs/server.md's serve commands print the URL first and stop on SIGTERM", async () => {
  const { stdout: scripts } = await run(PYTHON, ['-c', "import sysconfig; print(sysconfig.get_path('scripts'))"]);
  const lines = sample('docs/server.md', 'server-serve')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  assert.equal(lines.length, 2);
  for (const line of lines) {
    assert.match(line, /^rtm-emulator serve\b/);
    const child = spawn('bash', ['-c', `exec ${line}`], {
      env: { ...process.env, PATH: `${scripts.trim()}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    const url = await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.on('exit', (code) => reject(new Error(`${line} exited ${code}: ${err}`)));
    });
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    if (line.includes('--port 8765')) assert.equal(url, 'ws://127.0.0.1:8765');
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});

test("docs/real-sdk.md's Vitest test passes: the real agora-rtm-sdk against the emulator", async () => {
  // As written, in a scratch folder of the package with the config its comment names.
  const dir = mkdtempSync(join(PACKAGE, 'test', '.sample-'));
  try {
    writeFileSync(join(dir, 'presence.test.js'), sample('docs/real-sdk.md', 'real-sdk-setup'));
    writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { environment: 'jsdom', include: ['*.test.js'] } };\n");
    const vitest = join(PACKAGE, 'node_modules', 'vitest', 'vitest.mjs');
    const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
    const { stdout } = await run(process.execPath, [vitest, 'run', '--config', 'vitest.config.mjs'], { cwd: dir, env, timeout: 120_000 });
    // eslint-disable-next-line no-control-regex
    assert.match(stdout.replace(/\x1b\[[0-9;]*m/g, ''), /Tests {2}1 passed \(1\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
