/**
 * Runs every benchmark under bench/ (files named *.bench.ts), one process each so they do not
 * disturb one another. Each benchmark prints its figures and writes bench/results/<name>.json.
 * Usage: npm run bench [-- <name filter>]
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(filter ? `no benchmark matches "${filter}"` : 'no benchmarks under bench/');
  process.exit(1);
}
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(f, import.meta.url))], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
