// The benchmark's `docker run --rm` leg, measured in the same run as nslab: a dockerd started for the bench in
// its own network and mount namespace (dockerd-sandbox.sh), with a busybox image loaded by `docker import`
// (there is no registry), torn down afterwards: daemon stopped, namespace deleted, its cgroups removed.
import { existsSync, mkdirSync, readdirSync, rmdirSync, symlinkSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { median, sh, sleep } from './proc.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const NETNS = 'nslab-bench-dk';
export const IMAGE = 'nslab-bench-busybox';

/** A one-binary busybox root filesystem as a tarball (busybox-static), for `docker import`. */
async function busyboxTar(dir) {
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync('/usr/bin/busybox', join(root, 'bin', 'busybox'));
  for (const app of ['sh', 'true', 'sleep']) symlinkSync('busybox', join(root, 'bin', app));
  const tar = join(dir, 'busybox.tar');
  await sh(['tar', '-C', root, '-cf', tar, '.']);
  return tar;
}

/** The hierarchies that have an `nslab` group now: dockerd's --cgroup-parent makes it in every one it uses. */
const nslabParents = () => readdirSync('/sys/fs/cgroup').filter((h) => existsSync(join('/sys/fs/cgroup', h, 'nslab')));

/**
 * Every cgroup directory the bench's dockerd made, deepest first (rmdir needs them empty): all of
 * nslab/bench-docker, then the `nslab` parents that did not exist before it started (blkio, devices, …).
 */
function cgroupDirs(parentsBefore) {
  const out = [];
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const top = join('/sys/fs/cgroup', h, 'nslab', 'bench-docker');
    if (!existsSync(top)) continue;
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
      out.push(d);
    };
    walk(top);
  }
  for (const h of nslabParents()) if (!parentsBefore.includes(h)) out.push(join('/sys/fs/cgroup', h, 'nslab'));
  return out;
}

export async function startDocker(dir) {
  if (!existsSync('/usr/sbin/dockerd')) return null;
  mkdirSync(dir, { recursive: true });
  const parentsBefore = nslabParents();
  const sock = join(dir, 'docker.sock');
  await sh(['ip', 'netns', 'add', NETNS]);
  await sh(['ip', '-n', NETNS, 'link', 'set', 'lo', 'up']);
  const daemon = spawn('ip', ['netns', 'exec', NETNS, 'unshare', '--mount', '--propagation', 'private', 'sh', join(HERE, 'dockerd-sandbox.sh'), dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr.on('data', (d) => (log += d));
  const exited = new Promise((r) => daemon.on('exit', r));
  const docker = (args, opts) => sh(['docker', '-H', `unix://${sock}`, ...args], opts);
  const stop = async () => {
    await docker(['rm', '-f', ...(await docker(['ps', '-aq'], { allowFailure: true })).stdout.split('\n').filter(Boolean)], { allowFailure: true });
    daemon.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
    await sh(['ip', 'netns', 'del', NETNS], { allowFailure: true });
    for (const d of cgroupDirs(parentsBefore)) {
      try {
        rmdirSync(d);
      } catch {
        // still busy: reported by the leftover check
      }
    }
  };
  try {
    for (let i = 0; ; i++) {
      if ((await docker(['version', '--format', '{{.Server.Version}}'], { allowFailure: true })).code === 0) break;
      if (daemon.exitCode !== null || i > 300) throw new Error(`dockerd did not start: ${log.trim().slice(-2000)}`);
      await sleep(100);
    }
    await docker(['import', await busyboxTar(dir), IMAGE]);
    const version = (await docker(['version', '--format', '{{.Server.Version}}'])).stdout.trim();
    return { docker, stop, version, leftovers: () => cgroupDirs(parentsBefore) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The issue's figures (Docker 20.10 on the issue's machine), used only when docker cannot be measured here. */
export const ISSUE_DOCKER = { none: 0.85, bridge: 1.06 };

/**
 * The `docker run --rm --network none|bridge IMAGE true` leg of a benchmark (median seconds over `reps`,
 * after one warm-up each), against a throwaway dockerd, in the same run. Always measured when dockerd is
 * installed: a daemon that does not start is an error, not a silent fallback. Otherwise (not installed, or
 * NSLAB_BENCH_DOCKER=0) the issue's figures with `measured: false` and `why`, which the row must say.
 */
export async function dockerRunLeg(dir, reps) {
  const fallback = (why) => ({ measured: false, why, version: `20.10 (the issue’s figures: ${why})`, ...ISSUE_DOCKER });
  if (process.env.NSLAB_BENCH_DOCKER === '0') return fallback('NSLAB_BENCH_DOCKER=0, not measured this run');
  const dk = await startDocker(dir);
  if (!dk) return fallback('dockerd is not installed (apt-get install docker.io), not measured this run');
  let measured;
  try {
    const legs = { none: [], bridge: [] };
    for (const net of ['none', 'bridge']) await dk.docker(['run', '--rm', '--network', net, IMAGE, 'true']); // warm-up
    for (let i = 0; i < reps; i++) {
      for (const net of ['none', 'bridge']) legs[net].push((await dk.docker(['run', '--rm', '--network', net, IMAGE, 'true'])).ms);
    }
    measured = { measured: true, why: null, version: dk.version, none: median(legs.none) / 1000, bridge: median(legs.bridge) / 1000 };
  } finally {
    await dk.stop();
  }
  const left = dk.leftovers();
  if (left.length) throw new Error(`the docker leg left cgroups behind: ${left.join(', ')}`);
  return measured;
}
