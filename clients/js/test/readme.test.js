// The JavaScript quick starts in README.md and clients/js/README.md run as written.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers.js';

const run = promisify(execFile);

/** The first ```js block after `heading` in `file`, run as a module inside the package. */
async function runSnippet(file, heading) {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const after = text.slice(text.indexOf(heading));
  const code = after.match(/```js\n([\s\S]*?)```/)[1];
  const path = new URL(`./.snippet-${process.pid}.mjs`, import.meta.url);
  writeFileSync(path, code);
  try {
    const { stdout } = await run(process.execPath, [path.pathname], { cwd: REPO_ROOT, timeout: 60_000 });
    return stdout.split('\n').filter(Boolean);
  } finally {
    rmSync(path, { force: true });
  }
}

test('the README quick start prints the SNAPSHOT (R-E1)', async () => {
  assert.deepEqual(await runSnippet('../../../README.md', '## JavaScript test suites'), ['SNAPSHOT ']);
});

test('the client README quick start ends with the timeout of the dropped client (R-E1, R-E3, R-T2)', async () => {
  const lines = await runSnippet('../README.md', '## Quick start');
  assert.deepEqual(lines, ['SNAPSHOT ', 'REMOTE_JOIN bob', 'REMOTE_STATE_CHANGED bob', 'REMOTE_TIMEOUT bob']);
});
