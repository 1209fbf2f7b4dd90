/**
 * `pnpm bench`: runs every benchmark in its own Node process (so one's memory does not colour
 * another's), prints the figures and writes them to bench-results.json at the repository root.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchResult, RESULT_PREFIX } from './result.js';

const BENCHES = [
  'segment-eval.ts',
  'segment-mongo.ts',
  'campaign-memory.ts',
  'campaign-redis.ts',
  'receipts-http.ts',
];
const only = process.argv.slice(2);
const root = fileURLToPath(new URL('..', import.meta.url));
const all: BenchResult[] = [];

for (const file of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.startsWith(o)))) {
  console.log(`\n▶ ${file}`);
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL(file, import.meta.url))],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const lines = run.stdout.split('\n');
  for (const line of lines) if (!line.startsWith(RESULT_PREFIX)) console.log(line);
  if (run.status !== 0) {
    console.error(`${file} failed with exit code ${run.status}`);
    process.exit(1);
  }
  const json = lines.find((l) => l.startsWith(RESULT_PREFIX));
  if (json === undefined) throw new Error(`${file} printed no results`);
  all.push(...(JSON.parse(json.slice(RESULT_PREFIX.length)) as BenchResult[]));
}

// Running a subset keeps the other benchmarks' last figures.
const file = new URL('bench-results.json', `file://${root}/`);
const names = new Set(all.map((r) => r.name));
const kept =
  only.length > 0 && existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]).filter((r) => !names.has(r.name))
    : [];
writeFileSync(file, `${JSON.stringify([...kept, ...all], null, 2)}\n`);
console.log('\nAll results (also in bench-results.json):');
console.table(all);
