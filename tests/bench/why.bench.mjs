// Diagnoser benchmark (issue 14): `why.explain` over a 10-namespace path (a source, 8 routers in a line,
// a destination) through a running helper — the simulated answer (target < 2 s) and the observed one with
// a probe walked and drop reasons watched (target < 3 s) — against the same run's baseline: one
// `ip -n NS route get` per namespace of the path, spawned one after the other (the reads the simulation
// cannot avoid). Results: tests/bench/results/why.json. NSLAB_BENCH_WHY_RUNS (default 5), NSLAB_BENCH_STRICT=1.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, sh } from './lib/proc.mjs';
import { rpcClient, startHelper } from './lib/rpc.mjs';
import { measure, printMeasures } from './lib/measures.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const RUNS = Number(process.env.NSLAB_BENCH_WHY_RUNS ?? 5);
const STRICT = process.env.NSLAB_BENCH_STRICT === '1';
const N = 10;
const name = (i) => `bw-n${i}`;

// n0 —10.98.0.0/24— n1 —10.98.1.0/24— … — n9; every inner node forwards, routes point along the line
function topology() {
  const nodes = [];
  for (let i = 0; i < N; i++) {
    const routes = [];
    if (i > 0) routes.push(`{ to: 10.98.0.0/20, via: 10.98.${i - 1}.1 }`);
    if (i < N - 1 && i > 0) routes.unshift(`{ to: 10.98.${N - 2}.0/24, via: 10.98.${i}.2 }`);
    if (i === 0) routes.push(`{ to: default, via: 10.98.0.2 }`);
    nodes.push(`  - { name: ${name(i)}, forwarding: ${i > 0 && i < N - 1}, routes: [${routes.join(', ')}] }`);
  }
  const links = [];
  for (let i = 0; i < N - 1; i++) links.push(`  - endpoints: [{ node: ${name(i)}, name: e${i}r, addresses: [10.98.${i}.${i === 0 ? 1 : 1}/24] }, { node: ${name(i + 1)}, name: e${i + 1}l, addresses: [10.98.${i}.2/24] }]`);
  return `name: bench-why\nnodes:\n${nodes.join('\n')}\nlinks:\n${links.join('\n')}\n`;
}

const stateDir = mkdtempSync(join(tmpdir(), 'nslab-bench-why-'));
const socket = join(stateDir, 'helper.sock');
const helper = startHelper({ stateDir, socket, cwd: ROOT });
await helper.ready;
const rpc = rpcClient(socket);
await rpc.ready;
try {
  await rpc.call('topology.apply', { yaml: topology() });
  const to = `10.98.${N - 2}.2`;
  const ask = { from: name(0), to };
  const first = await rpc.call('why.explain', ask);
  if (!first.reachable) throw new Error(`the bench path is not reachable: ${first.summary.en}`);
  const sim = [];
  const obs = [];
  const base = [];
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    for (let i = 0; i < N; i++) await sh(['ip', '-n', `nslab-${name(i)}`, 'route', 'get', to]);
    base.push(performance.now() - t);
    t = performance.now();
    await rpc.call('why.explain', ask);
    sim.push(performance.now() - t);
    t = performance.now();
    const o = await rpc.call('why.explain', { ...ask, observe: true });
    obs.push(performance.now() - t);
    if (!o.observed.probe.ok) throw new Error(`the observed probe failed: ${o.observed.probe.detail}`);
  }
  const result = {
    benchmark: 'why',
    at: new Date().toISOString(),
    namespaces: N,
    runs: RUNS,
    checks: first.checks.length,
    simulatedMs: +median(sim).toFixed(0),
    observedMs: +median(obs).toFixed(0),
    baselineRouteGetsMs: +median(base).toFixed(0),
    simulatedOverBaseline: +(median(sim) / median(base)).toFixed(2),
    observedOverBaseline: +(median(obs) / median(base)).toFixed(2),
    targets: { simulatedMs: 2000, observedMs: 3000 },
  };
  result.pass = result.simulatedMs < 2000 && result.observedMs < 3000;
  console.table({ simulated: { ms: result.simulatedMs }, observed: { ms: result.observedMs }, [`baseline: ${N} route gets`]: { ms: result.baselineRouteGetsMs } });
  console.log(`why over ${N} namespaces (${result.checks} checks): simulated ${result.simulatedMs} ms (${result.simulatedOverBaseline}× ${N} route gets), observed ${result.observedMs} ms (${result.observedOverBaseline}×); ${result.pass ? 'PASS' : 'FAIL'} (< 2000 / < 3000 ms)`);
  result.measures = [
    measure(`why.explain simulated over ${N} namespaces, median ms (baseline: ${N} ip route get)`, { nslab: result.simulatedMs, baseline: result.baselineRouteGetsMs, ratio: result.simulatedOverBaseline, on: 'nslab', target: 2000 }),
    measure(`why.explain observed (probe walked), median ms (baseline: ${N} ip route get)`, { nslab: result.observedMs, baseline: result.baselineRouteGetsMs, ratio: result.observedOverBaseline, on: 'nslab', target: 3000 }),
  ];
  printMeasures(result.measures);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'why.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (STRICT && !result.pass) process.exitCode = 1;
} finally {
  await rpc.call('topology.destroy', { name: 'bench-why' }).catch((e) => console.error(`destroy: ${e.message}`));
  await rpc.call('ledger.gc', {}).catch(() => undefined);
  await rpc.close();
  await helper.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
