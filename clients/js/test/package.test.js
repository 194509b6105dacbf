// What the package ships: one implementation for `import` and `require`, no runtime
// dependency, the license, and every file its entry points load.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers.js';

const run = promisify(execFile);
const PACKAGE = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
const require = createRequire(import.meta.url);

test('the package license is the repository license, MIT, and is shipped', () => {
  const mine = readFileSync(join(PACKAGE, 'LICENSE'), 'utf8');
  assert.equal(mine, readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8'));
  assert.ok(mine.startsWith('MIT License\n\nCopyright (c) 2026 the rtm_emulator contributors\n\n'));
  assert.equal(pkg.license, 'MIT');
  assert.ok(pkg.files.includes('LICENSE'));
});

test('no runtime dependencies; ws, jest and vitest are dev dependencies only', () => {
  assert.equal(pkg.dependencies, undefined);
  assert.equal(pkg.peerDependencies, undefined);
  assert.equal(pkg.optionalDependencies, undefined);
  for (const name of ['ws', 'jest', 'vitest']) assert.ok(pkg.devDependencies[name], name);
  assert.ok(pkg.engines.node);
  assert.ok(pkg.keywords.includes('agora-rtm'));
  assert.equal(pkg.repository, undefined); // there is no public repository yet
});

/** The specifiers a shipped file loads (`require`, `import`, `from`), comments left out. */
function loadedBy(file) {
  // Code only: comments name the SDK (`import AgoraRTM from 'agora-rtm-sdk'`).
  const text = readFileSync(join(PACKAGE, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(/(?:require\(|from |import\()\s*'([^']+)'/g)].map((m) => m[1]);
}

test('the shipped files load only each other and node: built-ins', () => {
  const code = pkg.files.filter((f) => /\.(c?js|d\.c?ts)$/.test(f));
  let relative = 0;
  for (const file of code) {
    for (const spec of loadedBy(file)) {
      if (spec.startsWith('node:')) continue;
      assert.ok(/^\.\.?\//.test(spec), `${file} loads ${spec}`);
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      assert.ok(pkg.files.includes(target), `${file} loads ${spec} (${target}), which is not in files`);
      relative += 1;
    }
  }
  assert.ok(relative >= code.length, 'the entry points and lib/ modules load each other');
});

test('the implementation is modules of one concern each: lib/ shipped, each under 600 lines, with a header', () => {
  const modules = readdirSync(join(PACKAGE, 'lib')).filter((f) => f.endsWith('.cjs')).map((f) => `lib/${f}`);
  assert.ok(modules.length >= 8, modules.join(', '));
  for (const file of modules) assert.ok(pkg.files.includes(file), `${file} is not in files`);
  const index = loadedBy('index.cjs');
  for (const file of [...modules, 'index.cjs', 'node.cjs', 'websocket.cjs']) {
    const text = readFileSync(join(PACKAGE, file), 'utf8');
    const lines = text.split('\n').length;
    assert.ok(lines <= 600, `${file} has ${lines} lines`);
    // 'use strict', a blank line, then a comment saying what the module owns.
    assert.match(text, /^'use strict';\n\n\/\/ \S.{20,}\n/, `${file} has no header`);
  }
  // index.cjs assembles the public object from the modules; it defines no class itself.
  assert.ok(index.length >= 8 && index.every((spec) => spec.startsWith('./lib/')), index.join(', '));
  assert.doesNotMatch(readFileSync(join(PACKAGE, 'index.cjs'), 'utf8'), /^class /m);
});

test('npm pack ships exactly the files list and package.json', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE });
  const packed = JSON.parse(stdout)[0].files.map((f) => f.path).sort();
  assert.deepEqual(packed, [...pkg.files, 'package.json'].sort());
});

test('require and import load one implementation (shared state), with the same names', async () => {
  const cjs = require('rtm-emulator-client');
  const esm = await import('rtm-emulator-client');
  assert.equal(esm.default, cjs.default);
  assert.equal(esm.RTMClient, cjs.RTMClient);
  assert.equal(cjs.RTM, cjs.RTMClient);
  assert.equal(cjs.default.RTM, cjs.RTMClient);
  const named = Object.keys(esm).filter((k) => k !== 'default').sort();
  assert.deepEqual(named, Object.keys(cjs).filter((k) => k !== 'default').sort());
  for (const name of named) assert.equal(esm[name], cjs[name], name);
  const before = esm.getParameter('EXTEND_CHANNEL_NAME');
  try {
    cjs.setParameter('EXTEND_CHANNEL_NAME', !before);
    assert.equal(esm.getParameter('EXTEND_CHANNEL_NAME'), !before);
  } finally {
    cjs.setParameter('EXTEND_CHANNEL_NAME', before);
  }
  assert.equal(require('rtm-emulator-client/node').startEmulator, (await import('rtm-emulator-client/node')).startEmulator);
});

test('the exports map: import and require conditions, with types for each', () => {
  assert.deepEqual(pkg.exports['.'], {
    import: { types: './index.d.ts', default: './index.js' },
    require: { types: './index.d.cts', default: './index.cjs' },
  });
  assert.deepEqual(pkg.exports['./node'], {
    import: { types: './node.d.ts', default: './node.js' },
    require: { types: './node.d.cts', default: './node.cjs' },
  });
  assert.equal(require.resolve('rtm-emulator-client'), join(PACKAGE, 'index.cjs'));
  assert.equal(import.meta.resolve('rtm-emulator-client'), `file://${join(PACKAGE, 'index.js')}`);
  // A bundler for the browser maps the Node-only WebSocket client away.
  assert.deepEqual(pkg.browser, { './websocket.cjs': false });
});

test('a browser bundle leaves the Node-only WebSocket client out (the browser field reaches lib/transport.cjs)', async () => {
  // esbuild comes with vitest (a dev dependency); it honours the browser field as bundlers do.
  const esbuild = require('esbuild');
  const bundle = async (platform) =>
    (await esbuild.build({ entryPoints: [join(PACKAGE, 'index.cjs')], bundle: true, platform, write: false, logLevel: 'silent' }))
      .outputFiles[0].text;
  const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // websocket.cjs's handshake constant
  assert.ok((await bundle('node')).includes(GUID));
  const browser = await bundle('browser');
  assert.ok(!browser.includes(GUID));
  assert.ok(!browser.includes('node:http'));
  assert.ok(browser.includes('RtmInvalidArgumentError'));
});
