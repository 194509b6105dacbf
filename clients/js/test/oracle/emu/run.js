// Child process: run the case table on the emulator; write {caseId: outcome} as JSON.
//   node test/oracle/emu/run.js CASES.json OUT.json
import { readFileSync, writeFileSync } from 'node:fs';
import { runCase } from '../lib/runner.js';
import { EmuTarget } from './target.js';

const [casesPath, outPath, only] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, 'utf8')).cases;
const target = await new EmuTarget().start();
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
  await target.stop();
}
writeFileSync(outPath, `${JSON.stringify(out)}\n`);
process.exit(0);
