// `nslab exec` passes stdin/stdout/exit codes through; `nslab doctor` describes this machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../electron/shared/contract/index.js';
import { kernelState, nslab, nslabJson, tempStateDir } from '../support/cli.js';

const state = tempStateDir();
let before = '';
beforeAll(async () => {
  before = kernelState();
  await nslabJson(state.dir, ['topo', 'apply', 'resources/topologies/red-blue.yaml', '--json']);
});
afterAll(async () => {
  await nslab(state.dir, ['topo', 'destroy', 'red-blue']);
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(kernelState()).toBe(before);
});

describe('nslab exec', () => {
  it('runs inside the node: only its interfaces are visible', async () => {
    const r = await nslab(state.dir, ['exec', 'red', '--', 'ip', '-br', 'link']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/veth-red@/);
    expect(r.stdout).not.toMatch(/veth-blue|eth0/);
  });

  it('passes stdin through and the exit code back', async () => {
    const r = await nslab(state.dir, ['exec', 'blue', '--', 'sh', '-c', 'read line; echo "got $line"; exit 3'], 'hello\n');
    expect(r.stdout).toBe('got hello\n');
    expect(r.code).toBe(3);
  });

  it('reports a signal death like a shell (128+n)', async () => {
    const r = await nslab(state.dir, ['exec', 'red', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(r.code).toBe(128 + 15);
  });
});

describe('nslab run --netns', () => {
  it('runs in a fresh group inside the node: only its interfaces, and the group is gone afterwards', async () => {
    const r = await nslab(state.dir, ['run', '--netns', 'red', '--json', '--', 'ip', '-br', 'link']);
    expect(r.code).toBe(0);
    const ended = JSON.parse(r.stdout) as { netns: string; path: string; exit: { code: number } };
    expect(ended).toMatchObject({ netns: 'nslab-red', exit: { code: 0 } });
    expect(r.stderr).toMatch(/veth-red@/);
    expect(r.stderr).not.toMatch(/veth-blue/);
    expect(existsSync(`/sys/fs/cgroup/memory/${ended.path}`) || existsSync(`/sys/fs/cgroup/${ended.path}`)).toBe(false);
  });
});

describe('nslab top', () => {
  it('prints one sweep of every nslab interface with rates', async () => {
    const r = await nslab(state.dir, ['top', '--once', '--json']);
    expect(r.code).toBe(0);
    const sweep = JSON.parse(r.stdout) as { samples: { series: string; rates: Record<string, number> }[] };
    const series = sweep.samples.map((s) => s.series);
    expect(series).toEqual(expect.arrayContaining(['net:nslab-red:veth-red', 'net:nslab-blue:veth-blue']));
    for (const s of sweep.samples.filter((x) => x.series.startsWith('net:'))) expect(s.rates.rxBps).toBeGreaterThanOrEqual(0);
  });
});

describe('nslab doctor', () => {
  it('describes the machine with reasons and fixes, exit 0 when essentials are present', async () => {
    const r = await nslab(state.dir, ['doctor', '--json']);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(r.code).toBe(report.ok ? 0 : 1);
    expect(report.root).toBe(process.getuid?.() === 0);
    expect(report.kernel).toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    expect(report.tools.ip).toMatch(/^\d+\.\d+/);
    expect(report.linkKinds.veth).toBe(true);
    expect(report.linkKinds.bridge).toBe(true);
    expect(['v1', 'v2', 'hybrid']).toContain(report.cgroup.layout);
    expect(report.iptablesBackend).toMatch(/nf_tables|legacy/);
    for (const c of report.checks.filter((c) => c.status !== 'ok')) expect(c.fix, c.id).toBeTruthy();
    const ids = report.checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['root', 'mode', 'kernel', 'cgroup', 'userns', 'br_netfilter', 'iptables.backend', 'tool.conntrack', 'tool.busybox', 'tool.nsenter', 'link.ipvlan', 'link.dummy']));
    // every program the labs use is checked, with the labs that need it and the package that brings it
    const ping = report.checks.find((c) => c.id === 'tool.ping');
    expect(ping?.detail).toMatch(/netns-veth/);
    expect(ping?.status).toBe(spawnSync('sh', ['-c', 'command -v ping']).status === 0 ? 'ok' : 'warn');
    expect(report.checks.find((c) => c.id === 'tool.stress-ng')?.detail).toMatch(/cgroup-memory/);
    for (const c of report.checks.filter((c) => c.id.startsWith('tool.') && c.status !== 'ok')) expect(c.fix, c.id).toMatch(/^apt-get install \S+$/);
    // the probe namespace is gone and unrecorded
    expect((await nslabJson<{ objects: { owner: string }[] }>(state.dir, ['rpc', 'ledger.list'])).objects.filter((o) => o.owner === 'doctor')).toEqual([]);
  });

  it('prints a readable table', async () => {
    const r = await nslab(state.dir, ['doctor']);
    expect(r.stdout).toMatch(/essentials (present|missing)/);
  });
});
