// Where the public sample apps these tests run come from, and how a test gets their
// files at run time. Nothing of the apps is kept in this repository: the upstream
// repositories carry no license that allows redistribution, so a test reads the files
// from a checkout the developer points it at, checks that they are byte for byte the
// pinned upstream commit (git blob ids), copies them into a fresh temporary folder and
// runs them from there. Without a checkout the test is skipped, and says why.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * digitallysavvy/agora-signaling-demo: vanilla JS + Vite, agora-rtm-sdk ^2.1.9; it
 * passes `token` in its RTMConfig and registers a `status` listener.
 */
export const AGORA_SIGNALING_DEMO = Object.freeze({
  name: 'agora-signaling-demo',
  repository: 'https://github.com/digitallysavvy/agora-signaling-demo',
  commit: 'f17e3b2e87c657a671cc2757e12e5ec7cc97ed9c',
  /** The variable that names a checkout: a work tree at that commit, or a git directory holding it. */
  envVar: 'AGORA_SIGNALING_DEMO_SRC',
  /** path -> git blob id at `commit` */
  files: Object.freeze({
    'index.html': 'ff175f4aa4f53948dac908fb8557316eebcac0ed',
    'agora-signaling.js': 'd9a494188fa5a6d66ef7c8ccc4dd76dec4ce84ed',
    'ui.js': '5940f5efbf9d421822a3544d54cb7a13fbb1f77c',
    'style.css': 'ebcc33b26371d592c583e86ef6c9e60304387b31',
    'package.json': '7957c408e2a02328ee60bd4010769710f592ea13',
  }),
});

/** The git blob id of `bytes` (what `git hash-object` prints). */
export function blobId(bytes) {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function isGitDir(dir) {
  try {
    execFileSync('git', ['--git-dir', dir, 'rev-parse', '--git-dir'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The bytes of every pinned file, from a work tree or from a git directory. */
function readUpstream(app, source) {
  const out = {};
  const workTree = Object.keys(app.files).every((file) => existsSync(join(source, file)));
  if (workTree) {
    for (const file of Object.keys(app.files)) out[file] = readFileSync(join(source, file));
    return out;
  }
  const gitDir = isGitDir(source) ? source : join(source, '.git');
  if (!isGitDir(gitDir)) {
    throw new Error(
      `${app.envVar}=${source}: neither a work tree with ${Object.keys(app.files).join(', ')} nor a git directory`,
    );
  }
  for (const file of Object.keys(app.files)) {
    out[file] = execFileSync('git', ['--git-dir', gitDir, 'show', `${app.commit}:${file}`], {
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  return out;
}

/**
 * `{available: true, dir, files}`: the app's pinned files, checked and copied into a new
 * temporary folder `dir`; or `{available: false, reason}` when no checkout is named.
 * A checkout that is named but holds other bytes throws: the test must not run a
 * different version of the app under the pinned commit's name.
 */
export function obtainApp(app, env = process.env) {
  const source = env[app.envVar];
  if (!source) {
    return {
      available: false,
      reason: `set ${app.envVar} to a checkout of ${app.repository} at ${app.commit} (a work tree or its git directory) to run this test`,
    };
  }
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    throw new Error(`${app.envVar}=${source}: no such directory`);
  }
  const bytes = readUpstream(app, source);
  for (const [file, expected] of Object.entries(app.files)) {
    const actual = blobId(bytes[file]);
    if (actual !== expected) {
      throw new Error(
        `${app.envVar}: ${file} is blob ${actual}, not ${expected} of ${app.repository} at ${app.commit}`,
      );
    }
  }
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `rtm-app-${app.name}-`)));
  for (const [file, data] of Object.entries(bytes)) writeFileSync(join(dir, file), data);
  return { available: true, dir, files: Object.keys(app.files) };
}
