// The cgroup driver on this machine's real hierarchies (v1 controllers, plus the v2 hierarchy of a hybrid
// layout for cgroup.procs, cpu.stat, PSI, cgroup.freeze, cgroup.kill and cgroup.events).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitsInput } from '../../electron/shared/cgroup/limits.js';
import type { ActivityEvent } from '../../electron/shared/contract/index.js';
import { onActivity } from '../../electron/helper/exec/run.js';
import { machineBackend } from '../../electron/helper/cgroup/detect.js';
import { CgroupDriver } from '../../electron/helper/cgroup/driver.js';
import { cgroupKind } from '../../electron/helper/cgroup/kinds.js';
import { gc } from '../../electron/helper/ledger/gc.js';
import { Ledger } from '../../electron/helper/ledger/journal.js';
import { markedCgroups } from '../support/cgroup.js';

const { layout, backend } = machineBackend();
const V1 = '/sys/fs/cgroup';
const read = (path: string): string => readFileSync(path, 'utf8').trim();
const parse = (l: unknown) => LimitsInput.parse(l);

let stateDir: string;
let ledger: Ledger;
let driver: CgroupDriver;
let before: string[];
const children: ChildProcess[] = [];

beforeAll(() => {
  before = markedCgroups();
  stateDir = mkdtempSync(join(tmpdir(), 'nslab-cg-'));
  ledger = new Ledger(stateDir);
  driver = new CgroupDriver(backend!, ledger);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const name of backend!.list()) if (name.startsWith('itest-')) await driver.remove(name, true).catch(() => undefined);
  ledger.close();
  rmSync(stateDir, { recursive: true, force: true });
  expect(markedCgroups()).toEqual(before);
});

const sleeper = (): ChildProcess => {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c;
};
const until = async (pred: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.runIf(layout === 'hybrid')('cgroup driver on the hybrid hierarchy', () => {
  it('creates nslab/<name> in every controller and the v2 hierarchy, writing limits in v1 words', async () => {
    const activity: ActivityEvent[] = [];
    const stop = onActivity((e) => activity.push(e));
    const info = await driver.create('itest-a', parse({ memory: '50m', cpus: 1.5, 'cpu-shares': 512, 'cpuset-cpus': '1', 'pids-limit': 64 }), 'test');
    stop();
    expect(info.dirs).toEqual(expect.arrayContaining([`${V1}/memory/nslab/itest-a`, `${V1}/cpu/nslab/itest-a`, `${V1}/unified/nslab/itest-a`]));
    expect(read(`${V1}/memory/nslab/itest-a/memory.limit_in_bytes`)).toBe('52428800');
    expect(read(`${V1}/cpu/nslab/itest-a/cpu.cfs_quota_us`)).toBe('150000');
    expect(read(`${V1}/cpu/nslab/itest-a/cpu.cfs_period_us`)).toBe('100000');
    expect(read(`${V1}/cpu/nslab/itest-a/cpu.shares`)).toBe('512');
    expect(read(`${V1}/cpuset/nslab/itest-a/cpuset.cpus`)).toBe('1');
    expect(read(`${V1}/pids/nslab/itest-a/pids.max`)).toBe('64');
    expect(activity.map((a) => a.shell[0])).toContain(`echo 52428800 > ${V1}/memory/nslab/itest-a/memory.limit_in_bytes`);
    expect(info.limits).toMatchObject({ memory: 52_428_800, 'cpu-quota': 150_000, 'cpu-period': 100_000, 'cpu-shares': 512, 'cpuset-cpus': '1', 'pids-limit': 64 });
    expect(ledger.objects((o) => o.kind === 'cgroup')).toEqual([{ kind: 'cgroup', netns: null, name: 'nslab/itest-a', owner: 'test' }]);
  });

  it('refuses bad limits before any write and leaves nothing behind', async () => {
    const cases: [unknown, string, string][] = [
      [{ 'cpuset-cpus': '0-7' }, 'invalid-params', 'limits.cpuset-cpus'],
      [{ cpus: 3 }, 'invalid-params', 'limits.cpus'],
      [{ 'cpu-rt-runtime': 999_000 }, 'invalid-params', 'limits.cpu-rt-runtime'],
    ];
    for (const [limits, code, field] of cases) {
      await expect(driver.create('itest-bad', parse(limits), 'test')).rejects.toMatchObject({ code, data: { field } });
      expect(backend!.exists('itest-bad')).toBe(false);
    }
    await expect(driver.set('itest-a', parse({ 'cpuset-cpus': '5' }))).rejects.toMatchObject({ code: 'invalid-params' });
    expect(read(`${V1}/cpuset/nslab/itest-a/cpuset.cpus`)).toBe('1');
    await expect(driver.create('itest-a', {}, 'test')).rejects.toMatchObject({ code: 'exists' });
  });

  it('moves a process in everywhere; reads cpu.stat/PSI from v2; freezes, kills, removes only when empty', async () => {
    const child = sleeper();
    driver.attach('itest-a', child.pid!);
    expect(read(`${V1}/unified/nslab/itest-a/cgroup.procs`)).toBe(String(child.pid));
    expect(read(`${V1}/memory/nslab/itest-a/cgroup.procs`)).toBe(String(child.pid));
    expect(read(`/proc/${child.pid}/cgroup`)).toContain('0::/nslab/itest-a');
    const detail = driver.detail('itest-a');
    expect(detail.procs).toEqual([child.pid]);
    expect(detail.stats.pids.current).toBe(1);
    expect(detail.stats.pressure.cpu?.some.avg10).toBeTypeOf('number');
    expect(detail.stats.pressure.memory).not.toBeNull();
    expect(detail.stats.memory.oomEvents).toBeNull(); // v1 has no OOM event counter: null, not 0
    expect(detail.stats.memory.oomKills).toBe(0);

    driver.freeze('itest-a', true);
    await until(() => read(`${V1}/unified/nslab/itest-a/cgroup.events`).includes('frozen 1'));
    driver.freeze('itest-a', false);
    await until(() => read(`${V1}/unified/nslab/itest-a/cgroup.events`).includes('frozen 0'));

    await expect(driver.remove('itest-a', false)).rejects.toMatchObject({ code: 'busy' });
    expect(backend!.exists('itest-a')).toBe(true);
    const exited = new Promise((r) => child.once('exit', (_c, s) => r(s)));
    expect(driver.kill('itest-a')).toBe(1);
    expect(await exited).toBe('SIGKILL');
    await until(() => read(`${V1}/unified/nslab/itest-a/cgroup.events`).includes('populated 0'));
    await driver.remove('itest-a', false);
    expect(backend!.exists('itest-a')).toBe(false);
    expect(existsSync(`${V1}/memory/nslab`)).toBe(false); // the parent goes with the last group
    expect(ledger.objects((o) => o.kind === 'cgroup')).toEqual([]);
  });

  it('sets real-time limits where the kernel allows them, raising nslab/ first', async () => {
    if (!existsSync(`${V1}/cpu/cpu.rt_runtime_us`)) {
      await expect(driver.create('itest-rt', parse({ 'cpu-rt-runtime': 10_000 }), 'test')).rejects.toMatchObject({ code: 'unsupported-kernel' });
      return;
    }
    await driver.create('itest-rt', parse({ 'cpu-rt-period': 100_000, 'cpu-rt-runtime': 10_000 }), 'test');
    expect(read(`${V1}/cpu/nslab/itest-rt/cpu.rt_runtime_us`)).toBe('10000');
    expect(read(`${V1}/cpu/nslab/itest-rt/cpu.rt_period_us`)).toBe('100000');
    expect(Number(read(`${V1}/cpu/nslab/cpu.rt_runtime_us`))).toBeGreaterThanOrEqual(100_000);
    await expect(driver.set('itest-rt', parse({ 'cpu-rt-period': 100_000, 'cpu-rt-runtime': 99_000 }))).rejects.toMatchObject({ code: 'invalid-params', data: { field: 'limits.cpu-rt-runtime' } });
    await driver.remove('itest-rt', false);
  });

  it('a v1 memory limit below what the group uses is refused with the usage and a limit that would fit', async () => {
    await driver.create('itest-busy', parse({ memory: '256m' }), 'test');
    // A shell that joins the group before it becomes stress-ng, so every worker is inside.
    const hog = spawn('sh', ['-c', 'sleep 0.3; exec stress-ng --vm 1 --vm-bytes 48M --vm-keep --timeout 30s'], { stdio: 'ignore' });
    children.push(hog);
    driver.attach('itest-busy', hog.pid!);
    const usage = (): number => Number(read(`${V1}/memory/nslab/itest-busy/memory.usage_in_bytes`));
    try {
      await until(() => usage() > 44 * 1024 * 1024, 15_000);
      // and done growing (a loaded machine may still be faulting pages in): the suggestion is compared below
      // with the usage after the refusal, so both must see the same working set
      for (let last = -1, tries = 0; tries < 40; tries++) {
        const now = usage();
        if (Math.abs(now - last) < 512 * 1024) break;
        last = now;
        await new Promise((r) => setTimeout(r, 250));
      }
      const refused = driver.set('itest-busy', parse({ memory: '32m' }));
      await expect(refused).rejects.toMatchObject({ code: 'busy', data: { field: 'limits.memory' } });
      await expect(refused).rejects.toThrow(/^memory: the group already uses \d+(\.\d)? MiB, more than 32m, .*: free memory first .* or pick ≥ \d+m$/);
      // what it suggests is above what the group uses
      const suggested = /pick ≥ (\d+)m/.exec(((await refused.catch((e: Error) => e)) as Error).message)![1]!;
      expect(Number(suggested) * 1024 * 1024).toBeGreaterThan(usage() - 2 * 1024 * 1024);
    } finally {
      await driver.remove('itest-busy', true);
    }
  });

  it('gc removes a leaked group (killing what is in it) and only reports an unrecorded one', async () => {
    await driver.create('itest-leak', parse({ 'pids-limit': 8 }), 'test');
    driver.attach('itest-leak', sleeper().pid!);
    mkdirSync(`${V1}/pids/nslab/itest-foreign`); // marked, but nslab has no record of it
    try {
      const report = await gc(ledger, [cgroupKind], false);
      expect(report.deleted.map((o) => o.name)).toEqual(['nslab/itest-leak']);
      expect(report.unknown).toEqual([{ kind: 'cgroup', netns: null, name: 'nslab/itest-foreign' }]);
      expect(backend!.exists('itest-leak')).toBe(false);
      expect(existsSync(`${V1}/pids/nslab/itest-foreign`)).toBe(true);
    } finally {
      rmdirSync(`${V1}/pids/nslab/itest-foreign`);
      rmdirSync(`${V1}/pids/nslab`);
    }
  });
});
