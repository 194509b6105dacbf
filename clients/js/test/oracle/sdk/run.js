// Child process: run the case table on the real SDK; write {caseId: outcome} as JSON.
//   node test/oracle/sdk/run.js CASES.json OUT.json
import { readFileSync, writeFileSync } from 'node:fs';
import { runCase } from '../lib/runner.js';
import { SdkTarget } from './target.js';

// The bundle logs through console even at logLevel "none" (setParameter, wasm banner).
for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = () => {};

const [casesPath, outPath, only] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, 'utf8')).cases;
const target = await new SdkTarget().start();
const out = {};
// An exception the bundle throws outside any call's promise (2.2.x: its report encoder on a
// non-string topic name) would end the process: it is recorded with the case instead.
let uncaught = [];
process.on('uncaughtException', (err) => uncaught.push(String(err?.stack ?? err).split('\n')[0]));
for (const c of cases) {
  if (only && !c.id.includes(only)) continue;
  uncaught = [];
  try {
    out[c.id] = await runCase(target, c);
  } catch (err) {
    out[c.id] = { harnessError: String(err?.stack ?? err) };
  }
  if (uncaught.length) out[c.id] = { ...out[c.id], uncaught };
}
writeFileSync(outPath, `${JSON.stringify(out)}\n`);
// The SDK's reporters keep timers alive; end the process explicitly.
process.exit(0);
