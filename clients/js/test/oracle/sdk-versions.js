// The real-SDK leg on the agora-rtm-sdk version installed in node_modules, checked against
// that version's record (lib/real-sdk-versions.cjs lists the supported versions).
//
//   node test/oracle/sdk-versions.js            run the SDK leg on cases.json; print one line;
//                                              exit 1 on an unexpected difference
//   node test/oracle/sdk-versions.js --record   (not 2.3.0) rewrite real-sdk-<v>.json
//   node test/oracle/sdk-versions.js --groups   also print each difference from 2.3.0, by cause
//
// 2.3.0's record is real-sdk.json (written by `oracle.js --update`). Another version's record
// is real-sdk-<v>.json: only the cases whose outcome differs from real-sdk.json, one per line;
// the expected outcome of every other case is real-sdk.json's. A harness error is kept to its
// first line (its stack names the temporary directory the run happened in).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gapReason } from './oracle.js';
import { canon, same } from './lib/values.js';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CASES = path.join(HERE, 'cases.json');
const BASE = path.join(HERE, 'real-sdk.json');
const { SUPPORTED_SDK_VERSIONS } = require('../../lib/real-sdk-versions.cjs');
const { SDK_VERSION_NOTES } = require('./real-sdk-versions-notes.cjs');

const recordOf = (v) => path.join(HERE, `real-sdk-${v}.json`);
const perLine = (obj) =>
  `{\n${Object.entries(obj)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(',\n')}\n}\n`;

function normalise(outcome) {
  if (outcome?.harnessError) return { ...outcome, harnessError: outcome.harnessError.split('\n')[0] };
  return outcome;
}

function runLeg() {
  const dir = mkdtempSync(path.join(tmpdir(), 'rtm-sdkv-'));
  try {
    const out = path.join(dir, 'sdk.json');
    const r = spawnSync(process.execPath, [path.join(HERE, 'sdk/run.js'), CASES, out], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sdk/run.js exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const got = JSON.parse(readFileSync(out, 'utf8'));
    for (const k of Object.keys(got)) got[k] = normalise(got[k]);
    return got;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function explain(c, base, got) {
  if (got?.harnessError) return `harness error: ${got.harnessError.slice(0, 140)}`;
  if (got?.uncaught) return `uncaught: ${got.uncaught[0].slice(0, 140)}`;
  return gapReason(c, base, got);
}

function main(argv) {
  const started = Date.now();
  const version = require('agora-rtm-sdk/package.json').version;
  const cases = JSON.parse(readFileSync(CASES, 'utf8')).cases;
  const base = JSON.parse(readFileSync(BASE, 'utf8'));
  const got = runLeg();
  const delta = {};
  for (const c of cases) if (!same(canon(base[c.id]), canon(got[c.id]))) delta[c.id] = got[c.id];

  if (argv.includes('--groups')) {
    const groups = new Map();
    for (const c of cases) {
      if (!(c.id in delta)) continue;
      const fam = c.family ?? (c.messaging ? 'messaging' : 'presence');
      const why = explain(c, base[c.id], got[c.id]);
      const key = `${fam} | ${why.replace(/\d+/g, 'N').slice(0, 120)}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(`${c.id}: ${why}`);
    }
    for (const [k, v] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      console.log(`${v.length}\t${k}`);
      for (const line of v) console.log(`\t  ${line}`);
    }
  }

  if (argv.includes('--record')) {
    if (version === '2.3.0') throw new Error("2.3.0's record is real-sdk.json: run `node test/oracle/oracle.js --update`");
    writeFileSync(recordOf(version), perLine(delta));
  }

  // The expectation: real-sdk.json with this version's recorded differences.
  const recorded = version === '2.3.0' || !existsSync(recordOf(version)) ? {} : JSON.parse(readFileSync(recordOf(version), 'utf8'));
  const unexpected = [];
  for (const c of cases) {
    const want = Object.hasOwn(recorded, c.id) ? recorded[c.id] : base[c.id];
    if (!same(canon(want), canon(got[c.id]))) unexpected.push(`${c.id}: ${explain(c, want, got[c.id])}`);
  }
  for (const id of Object.keys(recorded)) if (!cases.some((c) => c.id === id)) unexpected.push(`${id}: recorded, but no case`);
  const problems = [];
  if (!SUPPORTED_SDK_VERSIONS.includes(version)) problems.push(`${version} is not in SUPPORTED_SDK_VERSIONS`);
  const note = SDK_VERSION_NOTES[version];
  const nDelta = Object.keys(delta).length;
  if (note) {
    if (note.oracle.differFrom230 !== nDelta) problems.push(`real-sdk-versions-notes.cjs says ${note.oracle.differFrom230} cases differ from 2.3.0, this run ${nDelta}`);
    const explained = new Set(note.differences.flatMap((d) => d.cases));
    const unexplained = Object.keys(delta).filter((id) => !explained.has(id));
    const stale = [...explained].filter((id) => !(id in delta));
    if (unexplained.length) problems.push(`differences from 2.3.0 no cause in real-sdk-versions-notes.cjs names: ${unexplained.slice(0, 5).join(', ')}${unexplained.length > 5 ? ', ...' : ''}`);
    if (stale.length) problems.push(`real-sdk-versions-notes.cjs names cases that no longer differ: ${stale.slice(0, 5).join(', ')}`);
  }
  for (const u of unexpected.slice(0, 20)) console.log(`  UNEXPECTED ${u}`);
  for (const p of problems) console.log(`  FAIL ${p}`);
  const ok = !unexpected.length && !problems.length;
  const secs = Math.round((Date.now() - started) / 1000);
  console.log(`agora-rtm-sdk ${version}: ${ok ? 'ok' : 'FAIL'}: ${cases.length} cases, ${cases.length - nDelta} as 2.3.0, ${nDelta} differ (${version === '2.3.0' ? 'real-sdk.json' : `real-sdk-${version}.json`}), ${unexpected.length} unexpected (${secs} s)`);
  return ok ? 0 : 1;
}

process.exit(main(process.argv.slice(2)));
