// The install forms of rtm-emulator-client, checked the way a user meets them.
//
// Contract (`.ci/run` runs it): `node clients/js/test/install/run.mjs`, from anywhere,
// with RTM_EMULATOR_PYTHON set to a Python that has rtm_emulator (the built wheel) with
// its [server] extra. Exit 0 when every check passed, 1 otherwise (the failing checks'
// output is printed).
//
// In a fresh temporary directory it makes one scratch project per install form:
//   tarball  the client README's `npm pack` block (client-install-tarball)
//   path     the client README's local-path block (client-install-path): a symlink
// and, in each, runs from the docs as written (extracted by sample id): the node:test
// sample, the Vitest setup, the Jest CommonJS setup, the Jest ESM setup and the
// CommonJS `require` script. The blocks' placeholders `/path/to/rtm_emulator` and
// `/path/to/your-project` become the clone and the scratch project; each file block's
// first line (`// NAME`) names the file it is written to. Jest and Vitest (the versions
// of clients/js/package.json) are installed once per project; npm's own cache is shared.
// One line per check (`ok   tarball node:test 3.1 s`), then a summary.

import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, sample } from '../samples.js';

const ROOT = REPO.replace(/\/$/, '');
const CLIENT = join(ROOT, 'clients', 'js');
const SERVER_DOC = 'docs/server.md';
const CLIENT_DOC = 'clients/js/README.md';
const TIMEOUT_MS = 300_000;
const { devDependencies } = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8'));

const ENV = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'warn',
};
delete ENV.RTM_EMULATOR_URL;
delete ENV.NODE_OPTIONS;
delete ENV.NODE_TEST_CONTEXT;

/** Run `command` with bash in `cwd`; resolve `{code, output}` (stdout and stderr). */
function sh(command, cwd) {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', command], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${TIMEOUT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, output });
    });
    child.on('error', (err) => resolve({ code: -1, output: `${output}${err.message}` }));
  });
}

/** A doc block with its placeholders pointed at the clone and the project. */
function block(doc, id, project) {
  return sample(doc, id)
    .replaceAll('/path/to/rtm_emulator', ROOT)
    .replaceAll('/path/to/your-project', project);
}

/** Write the file blocks `ids` of `doc` into `project`, each under the name its first line gives. */
function writeFiles(doc, ids, project) {
  return ids.map((id) => {
    const body = sample(doc, id);
    const name = body.match(/^\/\/ (\S+)\n/)?.[1];
    if (!name) throw new Error(`${doc} block ${id} does not start with a "// FILE" line`);
    writeFileSync(join(project, name), body);
    return name;
  });
}

const SETUPS = [
  {
    name: 'node:test',
    files: ['server-node-test'],
    command: 'node --test',
    expect: /[#ℹ] pass 1\n[#ℹ] fail 0/, // TAP (Node 20, not a TTY) or spec
  },
  {
    name: 'vitest',
    files: ['server-vitest-config', 'server-vitest-setup', 'server-vitest-test'],
    command: 'npx vitest run',
    expect: /Tests\s+1 passed/,
  },
  {
    name: 'jest-cjs',
    files: ['server-jest-cjs-config', 'server-jest-cjs-setup', 'server-jest-cjs-teardown', 'server-jest-cjs-test'],
    command: 'npx jest',
    expect: /Tests:\s+1 passed, 1 total/,
  },
  {
    name: 'jest-esm',
    files: ['server-jest-esm-config', 'server-jest-esm-setup', 'server-jest-esm-teardown', 'server-jest-esm-test'],
    command: 'node --experimental-vm-modules node_modules/jest/bin/jest.js',
    expect: /Tests:\s+1 passed, 1 total/,
  },
  {
    name: 'require',
    files: [],
    clientFiles: ['client-require'],
    command: 'node presence.cjs',
    expect: /^SNAPSHOT\n$/,
  },
];

/** Each install form and the client README block that installs it. */
const FORMS = { tarball: 'client-install-tarball', path: 'client-install-path' };

const results = [];

async function check(form, name, fn) {
  const start = performance.now();
  let failure = null;
  try {
    failure = await fn();
  } catch (err) {
    failure = err.stack ?? String(err);
  }
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  results.push({ label: `${form} ${name}`, failure });
  console.log(`${failure ? 'FAIL' : 'ok  '} ${form} ${name} ${seconds} s`);
  if (failure) console.log(failure.trimEnd().split('\n').slice(-60).map((line) => `     ${line}`).join('\n'));
}

async function project(base, form) {
  const dir = join(base, form);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `scratch-${form}`, version: '1.0.0', private: true }, null, 2)}\n`,
  );
  let ready = true;
  await check(form, 'install', async () => {
    const install = await sh(block(CLIENT_DOC, FORMS[form], dir), dir);
    if (install.code !== 0) return install.output;
    const link = lstatSync(join(dir, 'node_modules', 'rtm-emulator-client'));
    if (form === 'path' && !link.isSymbolicLink()) return 'the local-path install is not a symlink';
    if (form === 'tarball' && link.isSymbolicLink()) return 'the tarball install is a symlink';
    if (existsSync(join(dir, 'node_modules', 'ws'))) return 'ws was installed: the client must need no runtime dependency';
    const tools = await sh(
      `npm install --save-dev --prefer-offline jest@${devDependencies.jest} vitest@${devDependencies.vitest}`,
      dir,
    );
    return tools.code === 0 ? null : tools.output;
  });
  if (results.at(-1).failure) ready = false;
  for (const setup of SETUPS) {
    if (!ready) {
      results.push({ label: `${form} ${setup.name}`, failure: 'not run: the install failed' });
      console.log(`FAIL ${form} ${setup.name} (not run: the install failed)`);
      continue;
    }
    await check(form, setup.name, async () => {
      const written = [
        ...writeFiles(SERVER_DOC, setup.files, dir),
        ...writeFiles(CLIENT_DOC, setup.clientFiles ?? [], dir),
      ];
      try {
        const run = await sh(setup.command, dir);
        if (run.code !== 0) return `\`${setup.command}\` exited ${run.code}:\n${run.output}`;
        // colours off: test runners colour their summary when CI is set, even into a pipe
        const plain = run.output.replace(/\x1b\[[0-9;]*m/g, '');
        if (!setup.expect.test(plain)) return `\`${setup.command}\` printed no ${setup.expect}:\n${run.output}`;
        return null;
      } finally {
        for (const name of written) rmSync(join(dir, name), { force: true });
      }
    });
  }
}

async function main() {
  if (!process.env.RTM_EMULATOR_PYTHON) {
    console.log('run.mjs: set RTM_EMULATOR_PYTHON to a Python that has rtm_emulator[server] installed');
    process.exit(1);
  }
  const start = performance.now();
  const base = mkdtempSync(join(tmpdir(), 'rtm-js-install-'));
  try {
    for (const form of Object.keys(FORMS)) await project(base, form);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  const failed = results.filter((r) => r.failure);
  const seconds = ((performance.now() - start) / 1000).toFixed(0);
  console.log(
    `install forms: ${results.length - failed.length} ok, ${failed.length} failed, in ${seconds} s` +
      (failed.length ? ` (failed: ${failed.map((r) => r.label).join(', ')})` : ''),
  );
  process.exit(failed.length ? 1 : 0);
}

await main();
