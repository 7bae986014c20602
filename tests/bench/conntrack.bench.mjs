// Conntrack watch benchmark (issue 13): 1,000 new UDP flows per second for 10 s from RED (each from its own
// source port), watched through the helper (ct.watch → ct.event notifications on this connection) and, in
// the same run, by a bare `conntrack -E -e NEW` in the same namespace (the baseline). Reported: NEW events
// delivered to the client vs flows sent vs what the bare tool saw (lost events, target 0), the helper's
// lost-event reports, and latency from send to the client (target ≤ 200 ms) vs send to the bare tool.
// Results: tests/bench/results/conntrack.json. NSLAB_BENCH_FLOWS_PER_S (1000), NSLAB_BENCH_SECONDS (10),
// NSLAB_BENCH_STRICT=1.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, printMeasures } from './lib/measures.mjs';
import { median, sleep } from './lib/proc.mjs';
import { BLUE_ADDR, RED, inNs, openTraceLab } from './lib/trace-lab.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const RATE = Number(process.env.NSLAB_BENCH_FLOWS_PER_S ?? 1000);
const SECONDS = Number(process.env.NSLAB_BENCH_SECONDS ?? 10);
const STRICT = process.env.NSLAB_BENCH_STRICT === '1';
const BASE_PORT = 20_000;
const FLOWS = RATE * SECONDS;
const p = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

// Sends one datagram from each of FLOWS source ports, RATE per second; prints the send times (ms since the epoch).
const GENERATOR = `
const dgram = require('node:dgram');
const [dst, base, flows, rate] = process.argv.slice(1).map((v, i) => (i ? Number(v) : v));
const sent = new Array(flows);
let i = 0;
const start = Date.now();
const tick = () => {
  const due = Math.min(flows, Math.floor(((Date.now() - start) / 1000) * rate) + 1);
  for (; i < due; i++) {
    const s = dgram.createSocket('udp4');
    const port = base + i;
    const n = i;
    s.bind(port, () => s.send('x', 9, dst, () => { sent[n] = Date.now(); s.close(); }));
  }
  if (i < flows) setTimeout(tick, 2);
  else setTimeout(() => process.stdout.write(JSON.stringify(sent)), 200);
};
tick();
`;

const lab = await openTraceLab(ROOT);
try {
  // conntrack runs in a namespace once a rule asks for it
  await inNs(RED, 'iptables', '-A', 'OUTPUT', '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'nslab:bench', '-j', 'ACCEPT');
  const received = new Map(); // source port → ms since the epoch the client got the NEW event
  let lostReports = 0;
  lab.rpc.on((m) => {
    if (m.method !== 'ct.event') return;
    const e = m.params;
    if (e.kind === 'lost') lostReports = e.lost;
    else if (e.kind === 'entry' && e.type === 'NEW' && e.entry.protocol === 'udp') {
      const port = e.entry.original.sport;
      if (port >= BASE_PORT && port < BASE_PORT + FLOWS && !received.has(port)) received.set(port, Date.now());
    }
  });
  await lab.rpc.call('ct.watch', { node: 'bt-red' });

  const bare = new Map();
  const baseline = spawn('ip', ['netns', 'exec', RED, 'conntrack', '-E', '-e', 'NEW', '-p', 'udp', '-b', String(8 * 1024 * 1024)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let rest = '';
  baseline.stdout.setEncoding('utf8').on('data', (chunk) => {
    rest += chunk;
    const lines = rest.split('\n');
    rest = lines.pop();
    const now = Date.now();
    for (const line of lines) {
      const port = Number(/sport=(\d+)/.exec(line)?.[1]);
      if (port >= BASE_PORT && port < BASE_PORT + FLOWS && !bare.has(port)) bare.set(port, now);
    }
  });
  await sleep(500);

  const gen = await inNs(RED, process.execPath, '-e', GENERATOR, BLUE_ADDR, String(BASE_PORT), String(FLOWS), String(RATE));
  const sent = JSON.parse(gen.stdout);
  await sleep(1000);
  const { lost } = await lab.rpc.call('ct.unwatch', { node: 'bt-red' });
  baseline.kill('SIGTERM');

  const latency = (seen) => [...seen].map(([port, at]) => at - sent[port - BASE_PORT]).filter((ms) => Number.isFinite(ms));
  const nslabLatency = latency(received);
  const bareLatency = latency(bare);
  const result = {
    benchmark: 'conntrack',
    at: new Date().toISOString(),
    flowsPerSecond: RATE,
    seconds: SECONDS,
    flowsSent: sent.filter((t) => t !== null).length,
    newEventsDelivered: received.size,
    newEventsBareTool: bare.size,
    lostEvents: FLOWS - received.size,
    lostReportsFromHelper: Math.max(lost, lostReports),
    deliveredOverBare: +(received.size / Math.max(1, bare.size)).toFixed(4),
    latencyMs: { p50: median(nslabLatency), p95: p(nslabLatency, 0.95), max: Math.max(...nslabLatency) },
    bareLatencyMs: { p50: median(bareLatency), p95: p(bareLatency, 0.95), max: Math.max(...bareLatency) },
    targets: { latencyMs: 200, lostEvents: 0 },
  };
  result.measures = [
    measure('NEW event send → client, p95 (ms)', { nslab: result.latencyMs.p95, baseline: result.bareLatencyMs.p95, ratio: +(result.latencyMs.p95 / Math.max(0.1, result.bareLatencyMs.p95)).toFixed(1), on: 'nslab', target: 200 }),
    measure(`lost NEW events of ${result.flowsSent} flows`, { nslab: result.lostEvents, baseline: result.flowsSent - result.newEventsBareTool, target: 0 }),
  ];
  result.pass = result.measures.every((m) => m.met);
  console.table({ 'nslab ct.watch → client': result.latencyMs, 'bare conntrack -E': result.bareLatencyMs });
  console.log(
    `${result.flowsSent} flows sent (${RATE}/s × ${SECONDS} s): ${result.newEventsDelivered} NEW events delivered, ${result.newEventsBareTool} seen by bare conntrack -E, ${result.lostEvents} lost (${result.lostReportsFromHelper} ENOBUFS reports); p95 ${result.latencyMs.p95} ms send→client; ${result.pass ? 'PASS' : 'FAIL'} (≤ 200 ms, 0 lost)`,
  );
  printMeasures(result.measures);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'conntrack.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (STRICT && !result.pass) process.exitCode = 1;
} finally {
  await lab.close();
}
