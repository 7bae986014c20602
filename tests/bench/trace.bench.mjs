// Packet-walk benchmark (issue 13): 100 traces RED → router (MASQUERADE) → BLUE through a running helper.
// Each walk has 14 observer hops (RED output/postrouting, router prerouting/forward/postrouting, BLUE
// prerouting/input, and back); we count how many every walk placed ("hops joined", target ≥ 99 %) and how
// long after the probe's first packet the walk was complete (target ≤ 1 s), against the same run's bare
// `ping -c 1` round trip from RED (the floor: the walk can never be faster than the reply it waits for).
// Results: tests/bench/results/trace.json. NSLAB_BENCH_TRACES (default 100), NSLAB_BENCH_STRICT=1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printMeasures } from './lib/measures.mjs';
import { median } from './lib/proc.mjs';
import { BLUE_ADDR, RED, inNs, openTraceLab } from './lib/trace-lab.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const TRACES = Number(process.env.NSLAB_BENCH_TRACES ?? 100);
const STRICT = process.env.NSLAB_BENCH_STRICT === '1';
const EXPECTED_HOPS = 14;
const p = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const lab = await openTraceLab(ROOT);
try {
  const walks = [];
  const calls = [];
  for (let i = 0; i < TRACES; i++) {
    const t0 = performance.now();
    const w = await lab.rpc.call('trace.run', { from: 'bt-red', to: BLUE_ADDR });
    calls.push(performance.now() - t0);
    walks.push(w);
  }
  const pings = [];
  for (let i = 0; i < 20; i++) {
    const { stdout } = await inNs(RED, 'ping', '-n', '-c', '1', '-W', '1', BLUE_ADDR);
    pings.push(Number(/time=([\d.]+) ms/.exec(stdout)?.[1] ?? NaN));
  }
  const observed = walks.map((w) => w.hops.filter((h) => h.observer).length);
  const joined = observed.reduce((a, n) => a + Math.min(n, EXPECTED_HOPS), 0) / (EXPECTED_HOPS * TRACES);
  const complete = walks.map((w) => w.ms);
  const result = {
    benchmark: 'trace',
    at: new Date().toISOString(),
    traces: TRACES,
    hopsJoinedPercent: +(joined * 100).toFixed(2),
    completeWalks: observed.filter((n) => n === EXPECTED_HOPS).length,
    unjoinedEvents: walks.reduce((a, w) => a + w.unjoined, 0),
    unknownHandles: walks.flatMap((w) => w.hops.flatMap((h) => h.rules)).filter((r) => /unknown|removed since/.test(r.nft)).length,
    walkCompleteMs: { p50: median(complete), p95: p(complete, 0.95), max: Math.max(...complete) },
    traceRunMs: { p50: +median(calls).toFixed(1), p95: +p(calls, 0.95).toFixed(1) },
    pingRttMs: { p50: median(pings) },
    walkOverPing: +(median(complete) / median(pings)).toFixed(1),
    targets: { walkCompleteMs: 1000, hopsJoinedPercent: 99 },
  };
  result.measures = [
    measure('walk complete after the probe, p95 (ms)', { nslab: result.walkCompleteMs.p95, baseline: result.pingRttMs.p50, ratio: +(result.walkCompleteMs.p95 / result.pingRttMs.p50).toFixed(1), on: 'nslab', target: 1000 }),
    measure(`hops joined over ${TRACES} traces (%)`, { nslab: result.hopsJoinedPercent, baseline: 100, ratio: +(result.hopsJoinedPercent / 100).toFixed(4), on: 'nslab', target: 99, at: 'min' }),
    measure('rules named by an unknown handle', { nslab: result.unknownHandles, target: 0 }),
  ];
  result.pass = result.measures.every((m) => m.met);
  console.table({
    'walk complete after probe (ms)': result.walkCompleteMs,
    'trace.run round trip (ms)': result.traceRunMs,
    'bare ping RTT (ms)': result.pingRttMs,
  });
  console.log(
    `${TRACES} traces: ${result.hopsJoinedPercent} % of hops joined (${result.completeWalks} complete walks, ${result.unjoinedEvents} unplaced events, ${result.unknownHandles} unknown handles); walk complete p95 ${result.walkCompleteMs.p95} ms after the probe; ${result.pass ? 'PASS' : 'FAIL'} (≤ 1000 ms, ≥ 99 %)`,
  );
  printMeasures(result.measures);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'trace.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (STRICT && !result.pass) process.exitCode = 1;
} finally {
  await lab.close();
}
