// dockernet benchmark (issue 15), all legs in the same run, through a running helper:
//   up        — dockernet.up { 2 containers, -p 8080:c1:80 }: 5 namespaces, 3 veth pairs, docker0, MACs,
//               sysctls, dockerd 20.10's 30 rules, and a docker-proxy process listening on 8080
//   plain     — topology.apply of the same namespaces and veths with no rules, sysctls or proxy: the floor
//               the Docker-specific part is measured against (same run, same machine)
//   no -p     — the same dockernet without the published port: what docker-proxy's start costs
//   down      — dockernet.down of it
//   docker    — `docker run --rm --network none|bridge IMAGE true` of one container, against a dockerd started
//               for the bench in its own network + mount namespace (lib/docker.mjs), in the same run, when
//               dockerd is installed (a dockerd that does not start fails the bench); otherwise the issue's
//               figures (Docker 20.10: 0.85 s none, 1.06 s bridge), and the row says it was not measured
// Target: up ≥ 8× faster than docker run (bridge). Results: tests/bench/results/dockernet.json (with the
// measures rows). NSLAB_BENCH_REPS (default 15: a back-to-back up pays now and then for the last down’s namespaces, which the kernel cleans up after it), NSLAB_BENCH_STRICT=1, NSLAB_BENCH_DOCKER=0 (skip the docker leg).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/proc.mjs';
import { benchHelper } from './lib/rpc.mjs';
import { dockerRunLeg } from './lib/docker.mjs';
import { measure, printMeasures } from './lib/measures.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = join(ROOT, 'tests', 'bench', 'results');
const REPS = Number(process.env.NSLAB_BENCH_REPS ?? 15);
const STRICT = process.env.NSLAB_BENCH_STRICT === '1';
const TARGETS = { overDocker: 8 };

const PLAIN = JSON.stringify({
  name: 'bench-dkplain',
  nodes: [{ name: 'bdp-out' }, { name: 'bdp-host', bridges: [{ name: 'docker0', addresses: ['172.17.0.1/16'] }] }, { name: 'bdp-c1' }, { name: 'bdp-c2' }],
  links: [
    { endpoints: [{ node: 'bdp-host', name: 'eth0', addresses: ['198.51.100.1/24'] }, { node: 'bdp-out', name: 'eth0', addresses: ['198.51.100.2/24'] }] },
    { endpoints: [{ node: 'bdp-host', name: 'vethaaaaaa1', master: 'docker0' }, { node: 'bdp-c1', name: 'eth0', addresses: ['172.17.0.2/16'] }] },
    { endpoints: [{ node: 'bdp-host', name: 'vethaaaaaa2', master: 'docker0' }, { node: 'bdp-c2', name: 'eth0', addresses: ['172.17.0.3/16'] }] },
  ],
});
const UP = { name: 'bdk', containers: ['c1', 'c2'], publish: [{ hostPort: 8080, container: 'c1', containerPort: 80 }] };

const { stateDir, client, close } = await benchHelper('dk', ROOT);
const results = {};
try {
  // warm-up: the first iptables-restore and node start pay for loading modules and files
  await client.call('dockernet.up', UP);
  await client.call('dockernet.down', { name: 'bdk' });

  const ups = [];
  const downs = [];
  const plains = [];
  const noPorts = [];
  for (let i = 0; i < REPS; i++) {
    let t0 = performance.now();
    await client.call('dockernet.up', UP);
    ups.push(performance.now() - t0);
    t0 = performance.now();
    await client.call('dockernet.down', { name: 'bdk' });
    downs.push(performance.now() - t0);
    t0 = performance.now();
    await client.call('topology.apply', { yaml: PLAIN });
    plains.push(performance.now() - t0);
    await client.call('topology.destroy', { name: 'bench-dkplain' });
    t0 = performance.now();
    await client.call('dockernet.up', { ...UP, publish: [] });
    noPorts.push(performance.now() - t0);
    await client.call('dockernet.down', { name: 'bdk' });
  }
  results.upMs = median(ups);
  results.downMs = median(downs);
  results.plainMs = median(plains);
  results.noPublishMs = median(noPorts);

  // docker run --rm in the same run (its own daemon, namespaces and cgroups, all removed): lib/docker.mjs
  const docker = await dockerRunLeg(join(stateDir, 'docker'), REPS);
  const dockerMeasured = docker.measured;
  results.overPlain = results.upMs / results.plainMs;
  results.overDockerBridge = (docker.bridge * 1000) / results.upMs;
  results.dockerMeasured = dockerMeasured;
  console.log(`dockernet up (2 containers, -p 8080:c1:80)  median ${results.upMs.toFixed(1)} ms  (${REPS} runs)`);
  console.log(`same namespaces and veths, no Docker parts  median ${results.plainMs.toFixed(1)} ms  → up is ${results.overPlain.toFixed(2)}× the plain topology`);
  console.log(`the same without -p (no docker-proxy)          median ${results.noPublishMs.toFixed(1)} ms`);
  console.log(`dockernet down                              median ${results.downMs.toFixed(1)} ms`);
  console.log(`docker run --rm (${docker.version}${dockerMeasured ? ', this run' : ''}): none ${(docker.none * 1000).toFixed(0)} ms, bridge ${(docker.bridge * 1000).toFixed(0)} ms → dockernet up is ${results.overDockerBridge.toFixed(1)}× faster`);
  const measures = [
    measure(`dockernet up (2 containers, 1 port) vs docker run (bridge) ${dockerMeasured ? `(docker ${docker.version}: this run)` : `(docker NOT measured: ${docker.why}; the issue’s 1.06 s)`}`, { nslab: Math.round(results.upMs), baseline: Math.round(docker.bridge * 1000), ratio: Number(results.overDockerBridge.toFixed(2)), target: TARGETS.overDocker, at: 'min' }),
  ];
  printMeasures(measures);
  const missed = [results.overDockerBridge < TARGETS.overDocker && `only ${results.overDockerBridge.toFixed(1)}× docker`].filter(Boolean);
  for (const m of missed) console.log(`target missed: ${m}`);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'dockernet.json'), JSON.stringify({ reps: REPS, ...results, docker, targets: TARGETS, missed, measures }, null, 2));
  if (STRICT && missed.length) process.exitCode = 1;
} finally {
  await close();
}
