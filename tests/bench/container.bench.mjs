// Container benchmark (issue 16), all legs in the same run:
//   nslab rpc   — container.run { rootfs busybox, net bridge:bench-ct/br0, remove } -- true through a running
//                 helper (namespaces + overlay rootfs + pivot_root + /proc + cgroup + veth), the GUI path
//   floor       — a bare `unshare --mount --uts --ipc --net --pid --fork chroot ROOTFS /bin/true`, no
//                 cgroup, no veth, no pivot_root: the least any container start can cost here
//   inspect     — process.inspect of one running container's PID 1
//   docker      — `docker run --rm IMAGE true` with --network none and bridge, against a dockerd started for
//                 the bench in its own network + mount namespace (lib/docker.mjs; busybox image by
//                 `docker import`), when dockerd is installed; otherwise the issue's figures
//   profile     — where one run's time goes: each step's own time and when it started, from the helper's
//                 activity events (every spawn and cgroup write reports one), medians over the runs
// Reported as medians and as same-run ratios: nslab / floor and docker / nslab (the issue's Docker 20.10:
// 0.85 s none / 1.06 s bridge; the target is < 100 ms, ≥ 8× faster), as lib/measures.mjs rows.
// Results: tests/bench/results/container.json.
// Environment: NSLAB_BENCH_REPS (default 15), NSLAB_BENCH_STRICT=1 (exit non-zero when a target is missed),
// NSLAB_BENCH_DOCKER=0 (skip the docker leg: use the issue's figures), NSLAB_BENCH_BEFORE=<git rev> (that
// revision's helper too, its runs interleaved with this one's: a before/after in the same run).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, sh } from './lib/proc.mjs';
import { benchHelper } from './lib/rpc.mjs';
import { ISSUE_DOCKER, dockerRunLeg } from './lib/docker.mjs';
import { buildCliFrom, checkoutAt } from './lib/before.mjs';
import { measure, printMeasures } from './lib/measures.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = join(ROOT, 'tests', 'bench', 'results');
const REPS = Number(process.env.NSLAB_BENCH_REPS ?? 15);
const STRICT = process.env.NSLAB_BENCH_STRICT === '1';
const TARGETS = { runMs: 100, overDocker: 8, inspectMs: 50 };
const BEFORE = process.env.NSLAB_BENCH_BEFORE || null;

/** A helper (this checkout's, or `cli`'s) with its own topology node `node` holding bridge br0. */
async function openBench(name, node, subnet, cli) {
  const h = await benchHelper(name, ROOT, cli ? { cli } : {});
  const topo = join(h.stateDir, 'ct.yaml');
  writeFileSync(topo, [`name: ${node}`, 'nodes:', `  - name: ${node}`, `    bridges: [{ name: br0, addresses: [${subnet}] }]`].join('\n'));
  await h.client.call('topology.apply', { yaml: readFileSync(topo, 'utf8') });
  // warm-up: builds the busybox rootfs, the skeleton and the tools once
  await h.client.call('container.run', { rootfs: 'busybox', argv: ['true'], remove: true });
  const events = [];
  h.client.on((m) => {
    if (m.method === 'activity') events.push({ recv: performance.now(), ms: m.params.ms, line: m.params.shell[0] ?? '', lines: m.params.shell.length });
  });
  await h.client.call('events.subscribe', { events: ['activity'] });
  /** One `container run --net bridge:NODE/br0 -- true`: its wall time, build time and activity timeline. */
  const runOnce = async () => {
    events.length = 0;
    const t0 = performance.now();
    const r = await h.client.call('container.run', { rootfs: 'busybox', net: { node, bridge: 'br0' }, argv: ['true'], remove: true });
    const ms = performance.now() - t0;
    if (r.exit?.code !== 0) throw new Error(`container run -- true exited ${JSON.stringify(r.exit)}`);
    const steps = events.map((e) => ({ startMs: e.recv - e.ms - t0, ms: e.ms, line: e.line, lines: e.lines }));
    return { ms, buildMs: r.startMs, steps };
  };
  const destroy = () => h.client.call('topology.destroy', { name: node });
  return { ...h, runOnce, destroy };
}

/** A step's name without this run's names and PIDs, so the same step of every run lines up. */
const stepKey = (line) =>
  line
    .replace(/\/tmp\/nslab-bench-[^/\s]+/g, '$STATE')
    .replace(/\/c[0-9a-f]{8}\b/g, '/$C')
    .replace(/\bc-c[0-9a-f]{8}\b/g, 'c-$C')
    .replace(/nslab-c[0-9a-f]{7}/g, '$PEER')
    .replace(/-t \d+/g, '-t $PID1')
    .replace(/netns \d+/g, 'netns $PID1')
    .replace(/^echo \d+ > (\S+\/cgroup\.procs)$/, 'echo $PID > $1')
    .replace(/hostname c[0-9a-f]{8}/, 'hostname $C')
    .slice(0, 110);

/** Per step (in the order of the first run): median start offset and median own time over all runs. */
function profileOf(runs) {
  const by = new Map();
  for (const run of runs) {
    const seen = new Map();
    for (const s of run.steps) {
      const base = stepKey(s.line);
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const key = n > 1 ? `${base} #${n}` : base;
      if (!by.has(key)) by.set(key, { starts: [], mss: [], lines: s.lines });
      by.get(key).starts.push(s.startMs);
      by.get(key).mss.push(s.ms);
    }
  }
  return [...by.entries()].map(([step, v]) => ({ step, lines: v.lines, startMs: +median(v.starts).toFixed(1), ms: +median(v.mss).toFixed(1) }));
}

const before = BEFORE ? checkoutAt(ROOT, BEFORE) : null;
const beforeCli = before ? await buildCliFrom(ROOT, before.dir, join(ROOT, 'out', 'bench', 'before-node')) : null;
const bench = await openBench('ct', 'bench-ct', '10.78.0.1/24', null);
const { stateDir, client, close } = bench;
const old = beforeCli ? await openBench('ctb', 'bench-ctb', '10.78.1.1/24', beforeCli) : null;

const results = {};
try {
  const runs = [];
  const builds = [];
  const profiled = [];
  const beforeRuns = [];
  const beforeBuilds = [];
  const beforeProfiled = [];
  for (let i = 0; i < REPS; i++) {
    // interleaved, the order alternating: both builds see the same machine
    for (const which of i % 2 && old ? ['before', 'now'] : ['now', 'before']) {
      if (which === 'before' && !old) continue;
      const r = await (which === 'now' ? bench : old).runOnce();
      if (which === 'now') {
        runs.push(r.ms);
        builds.push(r.buildMs);
        profiled.push(r);
      } else {
        beforeRuns.push(r.ms);
        beforeBuilds.push(r.buildMs);
        beforeProfiled.push(r);
      }
    }
  }
  results.profile = profileOf(profiled);
  if (old) {
    results.before = { rev: BEFORE, runMs: +median(beforeRuns).toFixed(1), buildMs: median(beforeBuilds), profile: profileOf(beforeProfiled) };
    await old.destroy();
  }

  const rootfs = join(stateDir, 'rootfs', 'busybox');
  const floors = [];
  for (let i = 0; i < REPS; i++) {
    const r = await sh(['unshare', '--mount', '--uts', '--ipc', '--net', '--pid', '--fork', 'chroot', rootfs, '/bin/true']);
    floors.push(r.ms);
  }

  const c = await client.call('container.run', { name: 'bench-inspect', rootfs: 'busybox', argv: ['sleep', '60'], detach: true });
  const inspects = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await client.call('process.inspect', { pid: c.pid });
    inspects.push(performance.now() - t0);
  }
  await client.call('container.remove', { name: 'bench-inspect', force: true });
  await bench.destroy();

  // docker run --rm in the same run (its own daemon, namespaces and cgroups, all removed): lib/docker.mjs
  const docker = await dockerRunLeg(join(stateDir, 'docker'), REPS);
  const dockerMeasured = docker.measured;

  results.runMs = +median(runs).toFixed(1);
  results.buildMs = median(builds);
  results.floorMs = +median(floors).toFixed(1);
  results.inspectMs = +median(inspects).toFixed(1);
  results.overFloor = +(results.runMs / results.floorMs).toFixed(1);
  results.overDockerBridge = +((docker.bridge * 1000) / results.runMs).toFixed(1);
  results.overIssueDocker = +((ISSUE_DOCKER.bridge * 1000) / results.runMs).toFixed(1);
  results.dockerMeasured = dockerMeasured;
  results.measures = [
    measure('container run --net bridge -- true (ms; baseline: bare unshare … chroot)', { nslab: results.runMs, baseline: results.floorMs, ratio: results.overFloor, on: 'nslab', target: TARGETS.runMs }),
    measure(`docker run --rm --network bridge ${dockerMeasured ? '(this run)' : '(the issue’s 1.06 s)'} ÷ container run (ms)`, { nslab: results.runMs, baseline: +(docker.bridge * 1000).toFixed(0), ratio: results.overDockerBridge, target: TARGETS.overDocker, at: 'min' }),
    measure('the issue’s docker run 1.06 s ÷ container run (ms)', { nslab: results.runMs, baseline: ISSUE_DOCKER.bridge * 1000, ratio: results.overIssueDocker, target: TARGETS.overDocker, at: 'min' }),
    measure('process.inspect of one PID (ms)', { nslab: results.inspectMs, target: TARGETS.inspectMs }),
  ];
  console.log(`container run --net bridge -- true   median ${results.runMs.toFixed(1)} ms  (${REPS} runs)`);
  console.log(`  of which building until the program starts  median ${results.buildMs.toFixed(1)} ms (the rest: the program, then removing it)`);
  console.log(`bare unshare … chroot floor            median ${results.floorMs.toFixed(1)} ms  → nslab is ${results.overFloor.toFixed(1)}× the floor`);
  console.log(`process.inspect of one PID             median ${results.inspectMs.toFixed(1)} ms`);
  console.log(`docker run --rm (${docker.version}${dockerMeasured ? ', this run' : ''}): none ${(docker.none * 1000).toFixed(0)} ms, bridge ${(docker.bridge * 1000).toFixed(0)} ms → nslab (bridge) is ${results.overDockerBridge.toFixed(1)}× faster (${results.overIssueDocker.toFixed(1)}× the issue's 1.06 s)`);
  if (results.before) console.log(`before (${BEFORE}), same run: median ${results.before.runMs} ms, building ${results.before.buildMs} ms (now ${results.runMs} ms, ${results.buildMs} ms)`);
  console.log('where a run goes (medians; start = ms after the call was sent, ms = the step itself):');
  for (const p of results.profile) console.log(`  @${String(p.startMs).padStart(6)}  ${String(p.ms).padStart(5)} ms  ${p.step}${p.lines > 1 ? ` (+${p.lines - 1} lines)` : ''}`);
  printMeasures(results.measures);
  const missed = results.measures.filter((m) => !m.met).map((m) => m.measure);
  for (const m of missed) console.log(`target missed: ${m}`);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'container.json'), JSON.stringify({ reps: REPS, ...results, docker, targets: TARGETS, missed }, null, 2));
  if (STRICT && missed.length) process.exitCode = 1;
} finally {
  await old?.close();
  await close();
  before?.dispose();
}
