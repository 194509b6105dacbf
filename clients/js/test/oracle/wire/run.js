// Child process: run the case table on the real SDK in real-SDK mode against the emulator
// (wire/target.js); write {caseId: outcome} as JSON.
//   node test/oracle/wire/run.js CASES.json OUT.json [ONLY]
import { readFileSync, writeFileSync } from 'node:fs';
import { runCase } from '../lib/runner.js';
import { WireTarget } from './target.js';

// The bundle logs through console even at logLevel "none" (setParameter, wasm banner).
for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = () => {};

const [casesPath, outPath, only] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, 'utf8')).cases;
const target = await new WireTarget().start();
const out = {};
try {
  for (const c of cases) {
    if (only && !c.id.includes(only)) continue;
    try {
      out[c.id] = await runCase(target, c);
    } catch (err) {
      out[c.id] = { harnessError: String(err?.stack ?? err) };
    }
  }
} finally {
  await target.stop().catch(() => {});
}
writeFileSync(outPath, `${JSON.stringify(out)}\n`);
// The SDK's reporters keep timers alive; end the process explicitly.
process.exit(0);
