// Container benchmark (issue 16), all legs in the same run:
//   nslab rpc   — container.run { rootfs busybox, net bridge:bench-ct/br0, remove } -- true through a running
//                 helper (namespaces + overlay rootfs + pivot_root + /proc + cgroup + veth), the GUI path
//   floor       — a bare `unshare --mount --uts --ipc --net --pid --fork chroot ROOTFS /bin/true`, no
//                 cgroup, no veth, no pivot_root: the least any container start can cost here
//   inspect     — process.inspect of one running container's PID 1
//   docker      — `docker run --rm IMAGE true` with --network none and bridge, against a dockerd started for
//                 the bench in its own network + mount namespace (lib/docker.mjs; busybox image by
//                 `docker import`), when dockerd is installed; otherwise the figures
// Reported as medians and as same-run ratios: nslab / floor and docker / nslab (the Docker 20.10:
// 0.85 s none / 1.06 s bridge; the target is < 100 ms, ≥ 8× faster). Results: tests/bench/results/container.json.
// Environment: NSLAB_BENCH_REPS (default 15), NSLAB_BENCH_STRICT=1 (exit non-zero when a target is missed),
// NSLAB_BENCH_DOCKER=0 (skip the docker leg: use the figures).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, sh } from './lib/proc.mjs';
import { benchHelper } from './lib/rpc.mjs';
import { IMAGE, startDocker } from './lib/docker.mjs';
import { measure, printMeasures } from './lib/measures.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = join(ROOT, 'tests', 'bench', 'results');
const REPS = Number(process.env.NSLAB_BENCH_REPS ?? 15);
const STRICT = process.env.NSLAB_BENCH_STRICT === '1';
const DOCKER = { none: 0.85, bridge: 1.06 };
const TARGETS = { runMs: 100, overDocker: 8, inspectMs: 50 };

const { stateDir, client, close } = await benchHelper('ct', ROOT);
const topo = join(stateDir, 'ct.yaml');
writeFileSync(topo, ['name: bench-ct', 'nodes:', '  - name: bench-ct', '    bridges: [{ name: br0, addresses: [10.78.0.1/24] }]'].join('\n'));

const results = {};
try {
  await client.call('topology.apply', { yaml: readFileSync(topo, 'utf8') });

  // warm-up: builds the busybox rootfs, the skeleton and the tools once
  await client.call('container.run', { rootfs: 'busybox', argv: ['true'], remove: true });

  const runs = [];
  const builds = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const r = await client.call('container.run', { rootfs: 'busybox', net: { node: 'bench-ct', bridge: 'br0' }, argv: ['true'], remove: true });
    runs.push(performance.now() - t0);
    builds.push(r.startMs);
    if (r.exit?.code !== 0) throw new Error(`container run -- true exited ${JSON.stringify(r.exit)}`);
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
  await client.call('topology.destroy', { name: 'bench-ct' });

  // docker run --rm in the same run (its own daemon, namespaces and cgroups, all removed below)
  let dockerMeasured = null;
  if (process.env.NSLAB_BENCH_DOCKER !== '0') {
    const dk = await startDocker(join(stateDir, 'docker'));
    if (dk) {
      try {
        const legs = { none: [], bridge: [] };
        for (const net of ['none', 'bridge']) await dk.docker(['run', '--rm', '--network', net, IMAGE, 'true']); // warm-up
        for (let i = 0; i < REPS; i++) {
          for (const net of ['none', 'bridge']) legs[net].push((await dk.docker(['run', '--rm', '--network', net, IMAGE, 'true'])).ms);
        }
        dockerMeasured = { version: dk.version, none: median(legs.none) / 1000, bridge: median(legs.bridge) / 1000 };
      } finally {
        await dk.stop();
      }
      const left = dk.leftovers();
      if (left.length) throw new Error(`the docker leg left cgroups behind: ${left.join(', ')}`);
    }
  }
  const docker = dockerMeasured ?? { version: '20.10 (the issue’s figures, not measured here)', ...DOCKER };

  results.runMs = median(runs);
  results.buildMs = median(builds);
  results.floorMs = median(floors);
  results.inspectMs = median(inspects);
  results.overFloor = results.runMs / results.floorMs;
  results.overDockerBridge = (docker.bridge * 1000) / results.runMs;
  results.dockerMeasured = dockerMeasured !== null;
  console.log(`container run --net bridge -- true   median ${results.runMs.toFixed(1)} ms  (${REPS} runs)`);
  console.log(`  of which building until the program starts  median ${results.buildMs.toFixed(1)} ms (the rest: the program, then removing it)`);
  console.log(`bare unshare … chroot floor            median ${results.floorMs.toFixed(1)} ms  → nslab is ${results.overFloor.toFixed(1)}× the floor`);
  console.log(`process.inspect of one PID             median ${results.inspectMs.toFixed(1)} ms`);
  console.log(`docker run --rm (${docker.version}${dockerMeasured ? ', this run' : ''}): none ${(docker.none * 1000).toFixed(0)} ms, bridge ${(docker.bridge * 1000).toFixed(0)} ms → nslab (bridge) is ${results.overDockerBridge.toFixed(1)}× faster`);
  const missed = [
    results.runMs >= TARGETS.runMs && `run ${results.runMs.toFixed(0)} ms ≥ ${TARGETS.runMs} ms`,
    results.overDockerBridge < TARGETS.overDocker && `only ${results.overDockerBridge.toFixed(1)}× docker`,
    results.inspectMs >= TARGETS.inspectMs && `inspect ${results.inspectMs.toFixed(0)} ms ≥ ${TARGETS.inspectMs} ms`,
  ].filter(Boolean);
  for (const m of missed) console.log(`target missed: ${m}`);
  const r2 = (x) => +x.toFixed(2);
  const dockerLabel = dockerMeasured ? 'this run' : 'the issue’s figure';
  const measures = [
    measure('container run --net bridge -- true, median ms (baseline: bare unshare … chroot floor)', { nslab: r2(results.runMs), baseline: r2(results.floorMs), ratio: r2(results.overFloor), on: 'nslab', target: TARGETS.runMs }),
    measure(`docker run --rm --network bridge / nslab run, × (docker: ${dockerLabel})`, { nslab: r2(results.runMs), baseline: r2(docker.bridge * 1000), ratio: r2(results.overDockerBridge), target: TARGETS.overDocker, at: 'min' }),
    measure('process.inspect of one PID, median ms', { nslab: r2(results.inspectMs), target: TARGETS.inspectMs }),
  ];
  printMeasures(measures);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'container.json'), JSON.stringify({ reps: REPS, ...results, docker, targets: TARGETS, missed, measures }, null, 2));
  if (STRICT && missed.length) process.exitCode = 1;
} finally {
  await close();
}
