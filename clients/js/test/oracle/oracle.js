// The oracle: one case table run through (a) the real agora-rtm-sdk@2.3.0 in Node with only
// its transport stubbed and (b) the emulator's JS client against `rtm-emulator serve`; every
// outcome compared.
//
//   node test/oracle/oracle.js                 run, check the records, print the summary
//   node test/oracle/oracle.js --update        rewrite cases.json and real-sdk.json
//   node test/oracle/oracle.js --update-gaps   rewrite known-gaps.json from this run
//   node test/oracle/oracle.js --docs          rewrite docs/fidelity.md from this run
//   node test/oracle/oracle.js --only PART     run only the cases whose id contains PART (no checks)
//   node test/oracle/oracle.js --show ID       print both outcomes of one case
//   node test/oracle/oracle.js --wire [--only PART] [--verbose]
//                                              real-SDK mode: the real SDK through useEmulator
//                                              against the emulator (wire/run.js), compared with
//                                              the recorded real-SDK outcomes; agree / disagree
//                                              counts per family (checked by wire.test.js)
//   node test/oracle/oracle.js --wire --update-gaps   rewrite wire-known-gaps.json from a full wire run
//
// Checked in beside this file: cases.json (the table, for the Python leg), real-sdk.json (the
// real SDK's outcome per case), known-gaps.json ({caseId: reason}: the disagreements the
// emulator is known to have), wire-known-gaps.json (the same for the wire leg: the cases
// real-SDK mode does not agree on or carry yet; wire.test.js fails on one not listed and on
// a listed one that agrees). The run fails when the real SDK's outcome differs from its
// record, when a case disagrees and is not listed, or is listed but agrees.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCases } from './cases.js';
import { fidelityMarkdown } from './fidelity.js';
import { canon, firstDiff, same } from './lib/values.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FILES = {
  cases: path.join(HERE, 'cases.json'),
  record: path.join(HERE, 'real-sdk.json'),
  gaps: path.join(HERE, 'known-gaps.json'),
  wireGaps: path.join(HERE, 'wire-known-gaps.json'),
  fidelity: path.resolve(HERE, '../../../../docs/fidelity.md'),
};

const readText = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};
const json = (value) => `${JSON.stringify(value, null, 1)}\n`;
/** An object of cases as JSON, one case per line (small, and diffs per case). */
const perLine = (obj) =>
  `{\n${Object.entries(obj)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(',\n')}\n}\n`;
const readJson = (file, fallback) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
};

/** The table as written to cases.json. */
export function tableJson() {
  const about = 'Oracle case table (clients/js/test/oracle/cases.js); values use the encoding of lib/values.js. Generated: do not edit.';
  return `{"about": ${JSON.stringify(about)},\n"cases": [\n${buildCases()
    .map((c) => JSON.stringify(c))
    .join(',\n')}\n]}\n`;
}

function runChild(script, casesFile, outFile, only) {
  return new Promise((resolve, reject) => {
    const args = [path.join(HERE, script), casesFile, outFile];
    if (only) args.push(only);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(readFileSync(outFile, 'utf8')));
      else reject(new Error(`${script} exited ${code}: ${stderr.slice(-4000)}`));
    });
  });
}

/** Why a case is not compared, or null. */
function notComparable(c) {
  return c.compare === false ? c.why : null;
}

const brief = (v) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

function outcomeKind(o) {
  if (!o) return 'nothing';
  if (o.ok !== undefined) return 'resolves';
  if (o.rejects) return o.rejects.exception ? `rejects ${o.rejects.exception.kind}` : `rejects ${o.rejects.errorCode}`;
  if (o.throws) return o.throws.exception ? `throws ${o.throws.exception.kind}` : `throws ${o.throws.errorCode}`;
  if (o.pending) return 'stays pending';
  return 'is skipped';
}

function callDiff(a, b) {
  const name = `${a.who}.${a.call}`;
  const oa = a.outcome;
  const ob = b.outcome;
  if (oa.ok !== undefined && ob.ok !== undefined) {
    const d = firstDiff(oa.ok, ob.ok);
    if (!d) return `${name} result key order ${brief(oa.shape)} vs ${brief(ob.shape)}`;
    return `${name} result${d.path.slice(1)} ${brief(d.sdk)} vs ${brief(d.emulator)}`;
  }
  const ea = oa.rejects ?? oa.throws;
  const eb = ob.rejects ?? ob.throws;
  if (ea && eb && !!oa.rejects === !!ob.rejects && !ea.exception && !eb.exception) {
    if (ea.errorCode !== eb.errorCode) return `${name} errorCode ${ea.errorCode} vs ${eb.errorCode}`;
    const fields = ['operation', 'name', 'reason', 'serverCode'].filter((f) => !same(canon(ea[f]), canon(eb[f])));
    return `${name} ${ea.errorCode} ${fields.map((f) => (f === 'reason' ? 'reason text' : `${f} ${brief(ea[f])} vs ${brief(eb[f])}`)).join(', ')}`;
  }
  if (same(canon(oa), canon(ob)) && a.settledAt !== b.settledAt) return `${name} settles at step ${a.settledAt ?? a.step} vs ${b.settledAt ?? b.step}`;
  return `${name} ${outcomeKind(oa)} vs ${outcomeKind(ob)}`;
}

const evName = (e) =>
  e
    ? `${e.kind === 'message' ? `message(${e.event.channelType})` : (e.event.eventType ?? `${e.event.previousState}->${e.event.currentState}`)}@${e.step}`
    : 'none';

/** One line naming what differs between two outcomes of a case (sdk first). */
export function gapReason(c, sdk, emu) {
  if (emu?.harnessError) return `emulator run failed: ${emu.harnessError.split('\n')[0].slice(0, 140)}`;
  if (sdk?.harnessError) return `sdk run failed: ${sdk.harnessError.split('\n')[0].slice(0, 140)}`;
  const parts = [];
  const n = Math.max(sdk.calls.length, emu.calls.length);
  for (let i = 0; i < n; i += 1) {
    const a = sdk.calls[i];
    const b = emu.calls[i];
    if (!a || !b) {
      parts.push(`call lists differ in length`);
      break;
    }
    if (!same(canon(a), canon(b))) parts.push(callDiff(a, b));
  }
  for (const who of Object.keys(sdk.events)) {
    const ea = sdk.events[who] ?? [];
    const eb = emu.events[who] ?? [];
    if (same(canon(ea), canon(eb))) continue;
    let j = 0;
    while (j < ea.length && j < eb.length && same(canon(ea[j]), canon(eb[j]))) j += 1;
    const a = ea[j];
    const b = eb[j];
    let what = `${evName(a)} vs ${evName(b)}`;
    if (a && b && evName(a) === evName(b)) {
      const d = firstDiff(a.event, b.event);
      what = d ? `${evName(a)}${d.path.slice(1)} ${brief(d.sdk)} vs ${brief(d.emulator)}` : `${evName(a)} key order ${brief(a.shape)} vs ${brief(b.shape)}`;
    }
    parts.push(`${who} events (${ea.length} vs ${eb.length}) from #${j}: ${what}`);
  }
  const rank = (p) =>
    /errorCode| vs (rejects|resolves|throws|stays|is skipped|nothing)|run failed|length/.test(p)
      ? 0
      : / events /.test(p)
        ? 1
        : /reason text|operation|name /.test(p)
          ? 2
          : 3;
  parts.sort((a, b) => rank(a) - rank(b));
  const seen = new Map();
  for (const p of parts) seen.set(p, (seen.get(p) ?? 0) + 1);
  const uniq = [...seen].map(([p, k]) => (k > 1 ? `${p} (x${k})` : p));
  const shown = uniq.slice(0, 3).join('; ');
  return uniq.length > 3 ? `${shown}; +${uniq.length - 3} more` : shown;
}

/**
 * Run the oracle. Returns {cases, sdk, emu, results: {id: {status, reason}}, skipped, problems,
 * summary}. `status`: "agree" | "gap" (disagrees, listed) | "disagree" (not listed) | "fixed"
 * (listed, agrees) | "not-comparable". A messaging case the emulator's client cannot run yet
 * (no `publish`, or a messaging call it lacks: emu/target.js missingFeatures) gets no result:
 * it is in `skipped` ({id: why}), counted in the summary, and left out of docs/fidelity.md;
 * its real-SDK outcome is still recorded and checked.
 */
export async function runOracle({ only } = {}) {
  const cases = buildCases();
  const dir = mkdtempSync(path.join(tmpdir(), 'rtm-oracle-'));
  try {
    const casesFile = path.join(dir, 'cases.json');
    writeFileSync(casesFile, tableJson());
    const [sdk, emu] = await Promise.all([
      runChild('sdk/run.js', casesFile, path.join(dir, 'sdk.json'), only),
      runChild('emu/run.js', casesFile, path.join(dir, 'emu.json'), only),
    ]);
    const gaps = readJson(FILES.gaps, {});
    const results = {};
    const skipped = {};
    const problems = [];
    for (const c of cases) {
      if (!(c.id in sdk)) continue;
      const nc = notComparable(c);
      if (sdk[c.id].harnessError) problems.push(`${c.id}: the real SDK's run failed: ${sdk[c.id].harnessError.split('\n')[0]}`);
      if (emu[c.id]?.unsupported) {
        skipped[c.id] = emu[c.id].unsupported;
        continue;
      }
      if (nc) {
        results[c.id] = { status: 'not-comparable', reason: nc };
        continue;
      }
      const agree = same(canon(sdk[c.id]), canon(emu[c.id]));
      const listed = Object.hasOwn(gaps, c.id);
      const reason = agree ? '' : gapReason(c, sdk[c.id], emu[c.id]);
      if (agree && !listed) results[c.id] = { status: 'agree' };
      else if (agree && listed) results[c.id] = { status: 'fixed', reason: gaps[c.id] };
      else if (listed) results[c.id] = { status: 'gap', reason: gaps[c.id], diff: reason };
      else results[c.id] = { status: 'disagree', reason, diff: reason };
    }
    const count = (s) => Object.values(results).filter((r) => r.status === s).length;
    const n = Object.keys(results).length;
    const summary = `oracle: ${n} cases, ${count('agree')} agree, ${count('gap')} known gaps, ${count('disagree') + count('fixed')} disagreements, ${count('not-comparable')} not comparable${skippedNote(skipped)}`;
    return { cases, sdk, emu, gaps, results, skipped, problems, summary, counts: { n, agree: count('agree'), gap: count('gap'), disagree: count('disagree'), fixed: count('fixed'), nc: count('not-comparable') } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The summary's note on skipped messaging cases ("" when none). */
function skippedNote(skipped) {
  const n = Object.keys(skipped).length;
  if (!n) return '';
  const why = [...new Set(Object.values(skipped))].sort();
  return `; ${n} cases skipped on the emulator leg (${why.length === 1 ? why[0] : `${why[0]}, ...`})`;
}

/** The checks of a full run: [message] of everything wrong (empty = pass). */
export function checkRun(run) {
  const out = [...run.problems];
  if (readText(FILES.cases) !== tableJson()) out.push('cases.json is stale: run `node test/oracle/oracle.js --update`');
  const record = readJson(FILES.record, null);
  if (!record) out.push('real-sdk.json is missing: run `node test/oracle/oracle.js --update`');
  else {
    for (const c of run.cases) {
      if (!(c.id in record)) out.push(`real-sdk.json has no record of ${c.id} (--update)`);
      else if (!same(canon(record[c.id]), canon(run.sdk[c.id]))) {
        out.push(`the real SDK's outcome of ${c.id} changed (recorded vs now): ${gapReason(c, record[c.id], run.sdk[c.id])} (--update)`);
      }
    }
    for (const id of Object.keys(record)) if (!run.cases.some((c) => c.id === id)) out.push(`real-sdk.json records ${id}, which is no case (--update)`);
  }
  for (const [id, r] of Object.entries(run.results)) {
    if (r.status === 'disagree') out.push(`${id} disagrees and is not in known-gaps.json: ${r.reason}`);
    if (r.status === 'fixed') out.push(`${id} is in known-gaps.json but agrees now: remove it (--update-gaps)`);
  }
  for (const id of Object.keys(run.gaps)) if (!(id in run.results)) out.push(`known-gaps.json lists ${id}, which is no comparable case (--update-gaps)`);
  return out;
}

/** known-gaps.json for this run: every disagreement with a one-line reason (kept if listed). */
export function gapsJson(run) {
  const out = {};
  for (const [id, r] of Object.entries(run.results)) {
    if (r.status === 'gap' || r.status === 'disagree') out[id] = r.diff;
  }
  return json(out);
}

export function recordJson(run) {
  const out = {};
  for (const c of run.cases) out[c.id] = run.sdk[c.id];
  return perLine(out);
}

/** A case's family in the wire leg's report: issue 17's, messaging, stream channels, presence. */
export function wireFamily(c) {
  if (c.family) return c.family;
  if (c.messaging) return 'messaging';
  if (c.steps.some((s) => s.call === 'createStreamChannel' || (typeof s.call === 'string' && s.call.startsWith('stream.')))) return 'stream';
  return 'presence';
}

/**
 * The wire leg (real-SDK mode): run the table through wire/run.js and compare each outcome
 * with the recorded real SDK's (real-sdk.json), as the emulator leg is compared. Returns
 * {results: {id: {status, family, reason?}}, byFamily: {family: {agree, disagree, notCarried,
 * nc}}, summary}. `status`: "agree" | "disagree" | "not-carried" (wire/target.js notCarried) |
 * "not-comparable".
 */
export async function runWire({ only } = {}) {
  const cases = buildCases();
  const record = readJson(FILES.record, {});
  const dir = mkdtempSync(path.join(tmpdir(), 'rtm-oracle-wire-'));
  try {
    const casesFile = path.join(dir, 'cases.json');
    writeFileSync(casesFile, tableJson());
    const wire = await runChild('wire/run.js', casesFile, path.join(dir, 'wire.json'), only);
    const results = {};
    const byFamily = {};
    for (const c of cases) {
      if (!(c.id in wire)) continue;
      const family = wireFamily(c);
      const counts = (byFamily[family] ??= { agree: 0, disagree: 0, notCarried: 0, nc: 0 });
      const out = wire[c.id];
      if (out.unsupported) {
        results[c.id] = { status: 'not-carried', family, reason: out.unsupported.replace(/^the client lacks /, '') };
        counts.notCarried += 1;
      } else if (notComparable(c)) {
        results[c.id] = { status: 'not-comparable', family, reason: notComparable(c) };
        counts.nc += 1;
      } else if (c.id in record && same(canon(record[c.id]), canon(out))) {
        results[c.id] = { status: 'agree', family };
        counts.agree += 1;
      } else {
        const reason = c.id in record ? gapReason(c, record[c.id], out).replace(/emulator run failed/, 'wire run failed') : 'no recorded real-SDK outcome';
        results[c.id] = { status: 'disagree', family, reason };
        counts.disagree += 1;
      }
    }
    const lines = Object.entries(byFamily).map(
      ([f, k]) => `  ${f}: ${k.agree} agree, ${k.disagree} disagree, ${k.notCarried} not yet carried by real-SDK mode${k.nc ? `, ${k.nc} not comparable` : ''}`,
    );
    const total = (key) => Object.values(byFamily).reduce((n, k) => n + k[key], 0);
    const summary = `oracle --wire: ${Object.keys(results).length} cases, ${total('agree')} agree, ${total('disagree')} disagree, ${total('notCarried')} not yet carried by real-SDK mode, ${total('nc')} not comparable\n${lines.join('\n')}`;
    return { cases, wire, record, results, byFamily, summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The checks of a full wire-leg run (wire.test.js): [message] of everything wrong (empty =
 * pass). Every case that does not agree (disagrees, or is not carried yet) is listed in
 * wire-known-gaps.json with its reason, and only those: the list can only shrink.
 */
export function checkWire(wire) {
  const out = [];
  const gaps = readJson(FILES.wireGaps, {});
  for (const [id, r] of Object.entries(wire.results)) {
    const listed = id in gaps;
    if ((r.status === 'disagree' || r.status === 'not-carried') && !listed) {
      out.push(`${id} is ${r.status} in the wire leg and not in wire-known-gaps.json: ${r.reason}`);
    }
    if ((r.status === 'agree' || r.status === 'not-comparable') && listed) {
      out.push(`${id} is in wire-known-gaps.json but is ${r.status} now: remove it (--wire --update-gaps)`);
    }
  }
  for (const id of Object.keys(gaps)) if (!(id in wire.results)) out.push(`wire-known-gaps.json lists ${id}, which is no case (--wire --update-gaps)`);
  return out;
}

/** wire-known-gaps.json for a wire run: each case that does not agree, with its status and reason. */
export function wireGapsJson(wire) {
  const out = {};
  for (const [id, r] of Object.entries(wire.results)) {
    if (r.status === 'disagree' || r.status === 'not-carried') out[id] = `${r.status}: ${r.reason}`;
  }
  return Object.keys(out).length ? perLine(out) : '{}\n';
}

async function main(argv) {
  const flag = (f) => argv.includes(f);
  const value = (f) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
  const only = value('--only') ?? value('--show');
  if (flag('--wire')) {
    const wire = await runWire({ only });
    if (flag('--update-gaps')) {
      if (only) throw new Error('--wire --update-gaps needs the whole table (no --only)');
      writeFileSync(FILES.wireGaps, wireGapsJson(wire));
      console.log(`wrote ${path.relative(process.cwd(), FILES.wireGaps)}`);
    }
    if (value('--show')) {
      const id = value('--show');
      process.stdout.write(`${JSON.stringify({ sdk: wire.record[id], wire: wire.wire[id], result: wire.results[id] }, null, 1)}\n`);
      return 0;
    }
    for (const [id, r] of Object.entries(wire.results)) {
      if (r.status === 'disagree' || (flag('--verbose') && r.status !== 'agree')) console.log(`${r.status} ${id}: ${r.reason}`);
    }
    if (!flag('--verbose')) {
      const why = new Map();
      for (const r of Object.values(wire.results)) if (r.status === 'not-carried') why.set(r.reason, (why.get(r.reason) ?? 0) + 1);
      for (const [reason, n] of why) console.log(`not yet carried by real-SDK mode (${n}): ${reason}`);
    }
    console.log(wire.summary);
    return 0;
  }
  const run = await runOracle({ only });
  if (value('--show')) {
    const id = value('--show');
    process.stdout.write(`${JSON.stringify({ sdk: run.sdk[id], emulator: run.emu[id], result: run.results[id] }, null, 1)}\n`);
    return 0;
  }
  if (only) {
    for (const [id, r] of Object.entries(run.results)) if (r.status !== 'agree') console.log(`${r.status} ${id}: ${r.diff ?? r.reason}`);
    console.log(run.summary);
    return 0;
  }
  if (flag('--update')) {
    writeFileSync(FILES.cases, tableJson());
    writeFileSync(FILES.record, recordJson(run));
  }
  if (flag('--update-gaps')) {
    writeFileSync(FILES.gaps, gapsJson(run));
    run.gaps = readJson(FILES.gaps, {});
    for (const [id, r] of Object.entries(run.results)) {
      if (r.status === 'disagree' || r.status === 'gap') run.results[id] = { status: 'gap', reason: run.gaps[id], diff: r.diff };
      if (r.status === 'fixed') run.results[id] = { status: 'agree' };
    }
    const c = run.counts;
    c.gap += c.disagree;
    c.agree += c.fixed;
    c.disagree = 0;
    c.fixed = 0;
    run.summary = `oracle: ${c.n} cases, ${c.agree} agree, ${c.gap} known gaps, 0 disagreements, ${c.nc} not comparable${skippedNote(run.skipped)}`;
  }
  if (flag('--docs')) writeFileSync(FILES.fidelity, fidelityMarkdown(run));
  const problems = checkRun(run);
  if (readText(FILES.fidelity) !== fidelityMarkdown(run)) problems.push('docs/fidelity.md is stale: run `node test/oracle/oracle.js --docs`');
  for (const p of problems) console.log(`FAIL ${p}`);
  console.log(run.summary);
  return problems.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}
