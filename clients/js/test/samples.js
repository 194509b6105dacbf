// The code blocks of the documentation, by id: the JavaScript twin of tests/samples.py.
// A block marked `<!-- sample: ID -->` on the line before its fence is what a test runs
// as written; tests/meta/test_samples.py checks that every block is marked and every id
// is run.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const FENCE = /^(?<marker>[^\n]*)\n```(?<lang>[\w-]*)\n(?<body>[\s\S]*?)^```$/gm;

/** The body of the block marked `<!-- sample: id -->` in `file` (relative to the repository). */
export function sample(file, id) {
  const text = '\n' + readFileSync(join(REPO, file), 'utf8');
  const hits = [...text.matchAll(FENCE)].filter((m) => m.groups.marker.trim() === `<!-- sample: ${id} -->`);
  if (hits.length !== 1) throw new Error(`${hits.length} blocks of ${file} are marked <!-- sample: ${id} -->`);
  return hits[0].groups.body;
}
