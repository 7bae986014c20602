// kill -9 of the helper at random moments (seeded; NSLAB_CRASH_SEED replays a run) spread over topology
// apply and destroy, every shipped lab's up, solve and down, a trace, a container run and a dockernet's up
// and down (two containers, one published port: its docker-proxy is a process too), each followed by
// `nslab gc`: no nslab object (nor a process of one) is left, and the decoys — an unmarked netns, bridge, veth pair, iptables rule,
// nft table and cgroup, plus one `nslab-` netns nslab never recorded — are untouched (the test removes them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedCgroups } from '../support/cgroup.js';
import { ROOT, kernelState, markedNetns, markedRootLinks, nslab, nslabJson, tempStateDir } from '../support/cli.js';
import { startHelper } from '../support/helper.js';
import { BLUE_ADDR, buildTraceLab } from '../support/trace-lab.js';

const SEED = Number(process.env.NSLAB_CRASH_SEED ?? Date.now() % 100_000);
let rng = SEED;
/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
const random = (): number => {
  rng = (rng + 0x6d2b79f5) | 0;
  let t = Math.imul(rng ^ (rng >>> 15), 1 | rng);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const tag = process.pid % 10000;
const DECOY = {
  netns: `decoy-abuse-${tag}`,
  unrecorded: `nslab-decoy-${tag}`,
  bridge: `dcybr${tag}`,
  veth: [`dcyv${tag}`, `dcyw${tag}`] as const,
  rule: ['INPUT', '-s', '192.0.2.77/32', '-m', 'comment', '--comment', `decoy-abuse-${tag}`, '-j', 'ACCEPT'],
  nft: `decoy_abuse_${tag}`,
  cgroup: join('/sys/fs/cgroup', existsSync('/sys/fs/cgroup/unified') ? 'unified' : 'memory', `decoy-abuse-${tag}`),
};
const run = (argv: string[]): string => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout ?? '';
/** The dockernet this test builds (names are at most 8 characters): its nodes are nslab-<name>-…. */
const DOCKERNET = { name: `cr${tag}`, containers: ['c1', 'c2'], publish: [{ hostPort: 8080, container: 'c1', containerPort: 80 }] };
/** Processes of this test's objects still running (a docker-proxy or a container's init kept alive). */
const processesOfOurs = (): string[] =>
  run(['ps', '-eo', 'pid=,args=']).split('\n').filter((l) => l.includes(`nslab-${DOCKERNET.name}-`) || l.includes(`crash${tag}`));

/** A process still running: its /proc entry is there and it is not a zombie (one whose new parent has not reaped it yet). */
const running = (pid: number): boolean => {
  const stat = run(['cat', `/proc/${pid}/stat`]);
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
};

/** The helper's spawner: its child running out/node/spawner.mjs. */
function spawnerOf(helperPid: number): number | null {
  const line = run(['ps', '-o', 'pid=,args=', '--ppid', String(helperPid)]).split('\n').find((l) => l.includes('spawner.mjs'));
  return line ? Number(line.trim().split(/\s+/)[0]) : null;
}

function decoysPresent(): Record<string, boolean> {
  const ns = run(['ip', 'netns', 'list']);
  const links = run(['ip', '-o', 'link', 'show']);
  return {
    netns: ns.includes(DECOY.netns),
    unrecorded: ns.includes(DECOY.unrecorded),
    bridge: links.includes(`${DECOY.bridge}:`),
    veth: links.includes(`${DECOY.veth[0]}@`) && links.includes(`${DECOY.veth[1]}@`),
    rule: run(['iptables-save', '-t', 'filter']).includes(`decoy-abuse-${tag}`),
    nft: run(['nft', 'list', 'tables']).includes(DECOY.nft),
    cgroup: existsSync(DECOY.cgroup),
  };
}
const ALL_PRESENT = { netns: true, unrecorded: true, bridge: true, veth: true, rule: true, nft: true, cgroup: true };

const filterTableEmpty = (): boolean =>
  run(['nft', 'list', 'table', 'ip', 'filter'])
    .split('\n')
    .map((l) => l.trim())
    .every((l) => l === '' || l === '}' || /^(table|chain|type) /.test(l));

const state = tempStateDir();
let before = '';
let cgroupsBefore: string[] = [];
let kills = 0;
let midway = 0;
/** iptables-nft makes `table ip filter` for the decoy rule when it is not there yet: the test removes what it made. */
let filterTableBefore = false;

beforeAll(() => {
  before = kernelState();
  cgroupsBefore = markedCgroups();
  filterTableBefore = run(['nft', 'list', 'tables']).includes('table ip filter');
  run(['ip', 'netns', 'add', DECOY.netns]);
  run(['ip', 'netns', 'add', DECOY.unrecorded]);
  run(['ip', 'link', 'add', DECOY.bridge, 'type', 'bridge']);
  run(['ip', 'link', 'add', DECOY.veth[0], 'type', 'veth', 'peer', 'name', DECOY.veth[1]]);
  run(['iptables', '-A', ...DECOY.rule]);
  run(['nft', 'add', 'table', 'inet', DECOY.nft]);
  mkdirSync(DECOY.cgroup);
  expect(decoysPresent()).toEqual(ALL_PRESENT);
  console.log(`crash seed ${SEED} (NSLAB_CRASH_SEED=${SEED} replays it)`);
});

afterAll(async () => {
  await nslab(state.dir, ['gc']);
  run(['ip', 'link', 'del', DECOY.veth[0]]);
  run(['ip', 'link', 'del', DECOY.bridge]);
  run(['ip', 'netns', 'del', DECOY.netns]);
  run(['ip', 'netns', 'del', DECOY.unrecorded]);
  run(['iptables', '-D', ...DECOY.rule]);
  if (!filterTableBefore && filterTableEmpty()) run(['nft', 'delete', 'table', 'ip', 'filter']);
  run(['nft', 'delete', 'table', 'inet', DECOY.nft]);
  if (existsSync(DECOY.cgroup)) rmdirSync(DECOY.cgroup);
  state.cleanup();
  console.log(`${kills} kills, ${midway} of them before the request had answered`);
  expect(kills).toBeGreaterThanOrEqual(20);
  expect(midway).toBeGreaterThanOrEqual(20);
  expect(kernelState()).toBe(before);
  expect(markedCgroups()).toEqual(cgroupsBefore);
});

/**
 * Sends one request, kills the helper with SIGKILL at a random moment of it (after 0–`span` activity events,
 * plus up to 150 ms), then gc: the ledger's record is enough to leave nothing behind.
 */
async function killDuring(method: string, params: unknown, span = 8, prepare?: () => Promise<void>): Promise<void> {
  // a moment after the request had already answered is no crash mid-way: try again, earlier (at most 3 times)
  for (let attempt = 0, s = span; attempt < 3; attempt++, s = Math.max(1, Math.floor(s / 2))) {
    await prepare?.();
    if (await killOnce(method, params, s)) return;
  }
}

async function killOnce(method: string, params: unknown, span: number): Promise<boolean> {
  const helper = await startHelper(state.dir);
  await helper.request('events.subscribe', { events: ['activity'] });
  const events = Math.floor(random() * span);
  helper.send(JSON.stringify({ jsonrpc: '2.0', id: 4242, method, params }) + '\n');
  let seen = 0;
  await helper.waitFor((m) => m.id === 4242 || (m.method === 'activity' && ++seen >= events), 30_000).catch(() => undefined);
  await new Promise((r) => setTimeout(r, Math.floor(random() * 20)));
  const answered = helper.messages.some((m) => m.id === 4242);
  if (!answered) midway++;
  // the helper starts its programs from a spawner (exec/spawner.ts), which must go with it
  const spawner = spawnerOf(helper.child.pid!);
  expect(spawner, 'the helper has a spawner').not.toBeNull();
  helper.child.kill('SIGKILL');
  await new Promise((r) => (helper.child.exitCode !== null || helper.child.signalCode !== null ? r(null) : helper.child.on('exit', r)));
  kills++;

  const report = await nslabJson<{ failed: unknown[]; unknown: { kind: string; name: string }[] }>(state.dir, ['gc', '--json']);
  const where = `${method} ${JSON.stringify(params)} killed after ${events} events (seed ${SEED})`;
  expect(report.failed, where).toEqual([]);
  expect(report.unknown, where).toContainEqual(expect.objectContaining({ kind: 'netns', name: DECOY.unrecorded }));
  expect(markedNetns().filter((n) => n !== DECOY.unrecorded), where).toEqual([]);
  expect(markedRootLinks(), where).toEqual([]);
  expect(run(['nft', 'list', 'tables']), where).not.toMatch(/nslab_/);
  expect(run(['iptables-save']), where).not.toMatch(/nslab:/);
  expect(markedCgroups(), where).toEqual(cgroupsBefore);
  expect(processesOfOurs(), where).toEqual([]);
  expect(running(spawner!), `${where}: the spawner ${spawner} outlived its helper`).toBe(false);
  expect(decoysPresent(), where).toEqual(ALL_PRESENT);
  return !answered;
}

/** A request run to its end by a helper that is then stopped cleanly (the state a kill interrupts next). */
async function complete(method: string, params: unknown): Promise<void> {
  const helper = await startHelper(state.dir);
  const reply = await helper.request(method, params);
  await helper.stop();
  expect(reply.error, `${method}: ${JSON.stringify(reply.error)}`).toBeUndefined();
}

const labs = readdirSync(join(ROOT, 'resources/labs')).map((f) => f.replace(/\.yaml$/, '')).sort();

describe('kill -9 anywhere, then gc', () => {
  it.each([0, 1, 2])('topology.apply #%i', () => killDuring('topology.apply', { builtin: 'red-br0-blue' }));
  // the tunnels are made in the node batches, after the root batch: a kill between them leaves half a build
  it.each([0, 1])('topology.apply vxlan-overlay #%i', () => killDuring('topology.apply', { builtin: 'vxlan-overlay' }));

  it('topology.destroy', async () => {
    await killDuring('topology.destroy', { name: 'red-br0-blue' }, 4, () => complete('topology.apply', { builtin: 'red-br0-blue' }));
  });

  it.each(labs)('lab %s: up', (id) => killDuring('lab.up', { id }));

  it.each(labs.filter((_, i) => i % 3 === 0))('lab %s: solve', async (id) => {
    await killDuring('lab.solve', { id }, 8, () => complete('lab.up', { id }));
  });

  it.each(labs.filter((_, i) => i % 4 === 1))('lab %s: down', async (id) => {
    await killDuring('lab.down', { id }, 4, () => complete('lab.up', { id }));
  });

  it('a trace', async () => {
    await killDuring('trace.run', { from: 'tr-red', to: BLUE_ADDR, proto: 'icmp', timeoutMs: 3000 }, 6, () => buildTraceLab(state.dir));
  });

  it('a container run', async () => {
    await killDuring('container.run', { name: `crash${tag}`, detach: true, argv: ['sleep', '300'] }, 10, () => complete('topology.apply', { builtin: 'red-br0-blue' }));
  });

  // up journals ~14 batched changes, down 2: the spans cover the whole of each
  it.each([0, 1])('dockernet.up #%i', () => killDuring('dockernet.up', DOCKERNET, 16));

  it('dockernet.down', async () => {
    await killDuring('dockernet.down', { name: DOCKERNET.name }, 3, () => complete('dockernet.up', DOCKERNET));
  });
});
