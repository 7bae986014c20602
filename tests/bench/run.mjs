// `npm run bench`: runs every tests/bench/*.bench.mjs in sequence, each in its own Node process (so one
// benchmark's helper, memory or failure cannot skew the next), each printing its own table and writing
// its JSON to tests/bench/results/. `node tests/bench/run.mjs topology pty` runs only the named ones.
//
// The one table. A benchmark joins it by following the row protocol (tests/bench/README.md): its results
// JSON (tests/bench/results/<name>.json, written by this run) carries `measures`, an array of rows made by
// lib/measures.mjs `measure()`: { measure, nslab, baseline, ratio, target, met }. run.mjs prints every row
// at the end — a benchmark that ran but reported none gets a row saying so — and writes the table as
// Markdown to tests/bench/results/TABLE.md and, for a full run, to docs/benchmarks.md (linked from README).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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
  const bench = o.file.replace(/\.bench\.mjs$/, '');
  const json = join(here, 'results', `${bench}.json`);
  // only a result this run wrote (a failed benchmark leaves last run's file)
  const fresh = existsSync(json) && statSync(json).mtimeMs >= o.startedAt;
  const rows = fresh ? (JSON.parse(readFileSync(json, 'utf8')).measures ?? []) : [];
  for (const m of rows) measures.push({ bench, ...m });
  if (rows.length === 0) {
    const why = o.code !== 0 ? `failed (exit ${o.code})` : 'reports no measures yet (see tests/bench/README.md)';
    measures.push({ bench, measure: why, nslab: '', baseline: '', ratio: '', target: '', met: null });
  }
}
const met = (m) => (m.met === null ? '–' : m.met ? 'yes' : 'NO');
console.log('\n=== measures ===');
console.table(measures.map((m) => ({ bench: m.bench, measure: m.measure, nslab: m.nslab, baseline: m.baseline ?? '', ratio: m.ratio ?? '', target: m.target, met: met(m) })));

const cell = (v) => String(v ?? '').replace(/\|/g, '\\|');
const table = [
  `# Benchmarks`,
  '',
  `Written by \`npm run bench\` (tests/bench/run.mjs) on ${new Date().toISOString()}, ${files.length === all.length ? 'all benchmarks' : `only ${files.join(', ')}`}.`,
  'Every baseline is measured in the same run on the same machine; ratio = nslab / baseline unless the row says otherwise.',
  '',
  '| bench | measure | nslab | baseline (same run) | ratio | target | met |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...measures.map((m) => `| ${[m.bench, m.measure, m.nslab, m.baseline, m.ratio, m.target, met(m)].map(cell).join(' | ')} |`),
  '',
].join('\n');
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'TABLE.md'), table);
if (files.length === all.length) writeFileSync(join(root, 'docs', 'benchmarks.md'), table);
console.log(`\ntable: tests/bench/results/TABLE.md${files.length === all.length ? ' and docs/benchmarks.md' : ''}`);

console.log('\n=== benchmarks ===');
for (const o of outcomes) console.log(`${o.code === 0 ? 'ok    ' : 'FAILED'} ${o.file} (${o.s} s)${o.code === 0 ? '' : ` exit ${o.code}`}`);
process.exitCode = outcomes.some((o) => o.code !== 0) ? 1 : 0;
