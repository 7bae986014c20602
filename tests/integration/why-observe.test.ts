// The observed path on the real kernel: one probe walked, counters and skb:kfree_skb drop reasons
// attributed to a namespace; nothing left behind (trace tables, tracefs instances, mounts, probes), also
// after kill -9 of the CLI mid-diagnosis followed by gc.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WhyAnswer } from '../../electron/shared/contract/index.js';
import { NSLAB, ROOT, kernelState, nslab, tempStateDir } from '../support/cli.js';
import { LINE, inNs } from '../support/why-lab.js';

const state = tempStateDir();
let before = '';
const BLUE = '10.95.2.2';

beforeAll(async () => {
  before = kernelState();
  const file = join(state.dir, 'why-line.yaml');
  writeFileSync(file, LINE);
  const r = await nslab(state.dir, ['topo', 'apply', file]);
  if (r.code !== 0) throw new Error(`topo apply failed: ${r.stderr}`);
});
afterAll(async () => {
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(kernelState()).toBe(before);
  expect(instancesLeft()).toEqual([]);
});

/** nslab's tracefs instances, seen through a private mount of tracefs (the host's mounts stay as they are). */
function instancesLeft(): string[] {
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount -t tracefs nodev /sys/kernel/tracing && ls /sys/kernel/tracing/instances'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((n) => n.startsWith('nslab-why-'));
}
function holders(): string[] {
  const mine = readlinkSync('/proc/self/ns/mnt');
  return readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u000020\u0000' && readlinkSync(`/proc/${p}/ns/mnt`) !== mine;
    } catch {
      return false;
    }
  });
}
const tracefsMounts = (): string[] => readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => / tracefs /.test(l));
const why = async (...args: string[]): Promise<WhyAnswer> => {
  const r = await nslab(state.dir, ['why', ...args, '--json']);
  return JSON.parse(r.stdout) as WhyAnswer;
};

it('observes the drop where forwarding is off: the probe fails, InAddrErrors moves in the router, kfree_skb says IP_INADDRERRORS there', async () => {
  const mountsBefore = tracefsMounts();
  inNs('wy-router', 'sysctl', '-qw', 'net.ipv4.ip_forward=0');
  const a = await why('--from', 'wy-red', '--to', BLUE, '--observe');
  expect(a.checks[a.first!]!.key).toBe('forwarding.off');
  expect(a.observed!.probe.ok).toBe(false);
  expect(a.observed!.counters).toEqual(expect.arrayContaining([{ netns: 'nslab-wy-router', name: 'Ip.InAddrErrors', delta: 1 }]));
  expect(a.observed!.dropWatch).toBeNull();
  expect(a.observed!.drops).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'IP_INADDRERRORS', netns: 'nslab-wy-router', confidence: 'high' })]));
  expect(a.disagreements).toEqual([]);
  expect(instancesLeft()).toEqual([]);
  expect(tracefsMounts()).toEqual(mountsBefore);
  inNs('wy-router', 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  const ok = await why('--from', 'wy-red', '--to', BLUE, '--observe');
  expect(ok.reachable).toBe(true);
  expect(ok.observed!.probe.ok).toBe(true);
  expect(ok.observed!.counters).toEqual(expect.arrayContaining([expect.objectContaining({ netns: 'nslab-wy-router', name: 'Ip.ForwDatagrams' })]));
});

it('leaves no tracefs instance, trace table or probe after kill -9 mid-diagnosis and gc', async () => {
  // the probe's SYN is dropped in the router, so the walk waits for its timeout: time to kill it
  inNs('wy-router', 'iptables', '-A', 'FORWARD', '-p', 'tcp', '--dport', '9', '-m', 'comment', '--comment', 'nslab:why-test', '-j', 'DROP');
  const cli = spawn(process.execPath, [NSLAB, 'why', '--from', 'wy-red', '--to', `${BLUE}:9`, '--observe'], { env: { ...process.env, NSLAB_STATE_DIR: state.dir }, cwd: ROOT, stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  while (instancesLeft().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(instancesLeft()).toHaveLength(1);
  cli.kill('SIGKILL');
  await new Promise((r) => cli.once('close', r));
  await new Promise((r) => setTimeout(r, 300));
  const gc = await nslab(state.dir, ['gc', '--json']);
  const report = JSON.parse(gc.stdout) as { deleted: { kind: string }[] };
  expect(report.deleted.filter((o) => o.kind === 'tracefs-instance')).toHaveLength(1);
  expect(instancesLeft()).toEqual([]);
  expect(inNs('wy-router', 'nft', 'list', 'tables').stdout).not.toMatch(/nslab_trace/);
  // no probe, and no holder of a private tracefs mount (a `sleep 20` in another mount namespace), is left
  expect(spawnSync('pgrep', ['-f', `probe.mjs tcp ${BLUE}`], { encoding: 'utf8' }).stdout.trim()).toBe('');
  expect(holders()).toEqual([]);
});
