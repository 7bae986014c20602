// `npm run bench`: runs every tests/bench/*.bench.mjs in sequence, each in its own Node process (so one
// benchmark's helper, memory or failure cannot skew the next), each printing its own table and writing
// its JSON to tests/bench/results/. `node tests/bench/run.mjs topology pty` runs only the named ones.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const wanted = process.argv.slice(2);
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort((a, b) => (a === 'topology.bench.mjs' ? -1 : b === 'topology.bench.mjs' ? 1 : a.localeCompare(b)));
const files = wanted.length ? all.filter((f) => wanted.some((w) => f === w || f === `${w}.bench.mjs`)) : all;
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}

const outcomes = [];
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const started = performance.now();
  const startedAt = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, file)], { cwd: root, stdio: 'inherit' });
    child.on('error', (err) => (console.error(`${file}: ${err.message}`), resolve(1)));
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  outcomes.push({ file, code, s: ((performance.now() - started) / 1000).toFixed(1), startedAt });
}

// The benchmarks that report uniform measures (lib/measures.mjs) in their results JSON, all in one table.
const measures = [];
for (const o of outcomes) {
  const json = join(here, 'results', o.file.replace(/\.bench\.mjs$/, '.json'));
  // only a result this run wrote (a failed benchmark leaves last run's file)
  if (!existsSync(json) || statSync(json).mtimeMs < o.startedAt) continue;
  for (const m of JSON.parse(readFileSync(json, 'utf8')).measures ?? []) measures.push({ bench: o.file.replace(/\.bench\.mjs$/, ''), ...m });
}
if (measures.length) {
  console.log('\n=== measures ===');
  console.table(measures.map((m) => ({ bench: m.bench, measure: m.measure, nslab: m.nslab, baseline: m.baseline ?? '', ratio: m.ratio ?? '', target: m.target, met: m.met ? 'yes' : 'NO' })));
}

console.log('\n=== benchmarks ===');
for (const o of outcomes) console.log(`${o.code === 0 ? 'ok    ' : 'FAILED'} ${o.file} (${o.s} s)${o.code === 0 ? '' : ` exit ${o.code}`}`);
process.exitCode = outcomes.some((o) => o.code !== 0) ? 1 : 0;
