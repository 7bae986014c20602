// The seed's claims about limits, reproduced through `nslab run` on this machine's v1 hierarchy. CPU time
// is measured from each group's own cpuacct counters, so other load on the machine does not skew ratios.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NSLAB, ROOT, nslab, tempStateDir } from '../support/cli.js';
import { markedCgroups } from '../support/cgroup.js';

const CG = '/sys/fs/cgroup';
const read = (p: string): string => readFileSync(p, 'utf8').trim();
const usage = (name: string): number => Number(read(`${CG}/cpuacct/nslab/${name}/cpuacct.usage`));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const until = async (pred: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
};
const hasProcs = (name: string): boolean => existsSync(`${CG}/cpuacct/nslab/${name}`) && read(`${CG}/cpuacct/nslab/${name}/cgroup.procs`) !== '';

let state: ReturnType<typeof tempStateDir>;
let before: string[];
const background: ChildProcess[] = [];
/** `nslab run` in the background, for measuring while it runs. */
const runBg = (args: string[]): Promise<number> => {
  const child = spawn(process.execPath, [NSLAB, 'run', ...args], { env: { ...process.env, NSLAB_STATE_DIR: state.dir }, cwd: ROOT, stdio: 'ignore' });
  background.push(child);
  return new Promise((r) => child.on('close', (code) => r(code ?? -1)));
};

beforeAll(() => {
  before = markedCgroups();
  state = tempStateDir();
});
afterAll(async () => {
  for (const c of background) c.kill('SIGKILL');
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(markedCgroups()).toEqual(before);
});

describe('nslab run under limits (v1)', () => {
  it('memory 20m: a 64 MB allocation is OOM-killed and reported from the kernel counter, although stress-ng exits 0', async () => {
    const r = await nslab(state.dir, ['run', '--json', '--memory', '20m', '--', 'stress-ng', '--vm', '1', '--vm-bytes', '64M', '--timeout', '2s']);
    expect(r.code).toBe(0); // stress-ng respawns its OOM-killed worker and succeeds: the exit code says nothing
    const report = JSON.parse(r.stdout);
    expect(report.oomKilled).toBe(true);
    expect(report.oomKills).toBeGreaterThan(0);
    expect(report.stats.memory.limit).toBe(20 * 1024 * 1024);
    expect(report.kept).toBe(false);
    expect(existsSync(`${CG}/memory/nslab/${report.name}`)).toBe(false);
  });

  it('memory 6m is accepted, 5m refused before anything is made', async () => {
    const ok = await nslab(state.dir, ['run', '--json', '--memory', '6m', '--', 'true']);
    expect(ok.code).toBe(0);
    // the report and the refusal both say which mode answered (as root: host)
    expect(JSON.parse(ok.stdout)).toMatchObject({ exit: { code: 0, signal: null }, oomKilled: false, stats: { memory: { limit: 6 * 1024 * 1024 } }, mode: 'host' });
    const bad = await nslab(state.dir, ['run', '--json', '--memory', '5m', '--', 'true']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'invalid-params', field: 'limits.memory' }, mode: 'host' });
    expect(markedCgroups()).toEqual(before);
  });

  it('reports a signal death and the exit code like a shell', async () => {
    const r = await nslab(state.dir, ['run', '--json', '--', 'sleep', 'not-a-number']);
    expect(JSON.parse(r.stdout).exit).toEqual({ code: 1, signal: null });
    expect(r.code).toBe(1);
    const missing = await nslab(state.dir, ['run', '--json', '--', 'nslab-no-such-program']);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'tool-missing' });
  });

  it('cpu-shares 1024 vs 512 on one CPU: CPU time ratio 2.0 ± 0.3', async () => {
    const hog = ['--cpuset-cpus', '0', '--', 'stress-ng', '--cpu', '1', '--timeout', '6s'];
    const a = runBg(['--name', 'itest-sh1024', '--cpu-shares', '1024', ...hog]);
    const b = runBg(['--name', 'itest-sh512', '--cpu-shares', '512', ...hog]);
    await until(() => hasProcs('itest-sh1024') && hasProcs('itest-sh512'));
    await sleep(500); // both hogs running
    const [a0, b0] = [usage('itest-sh1024'), usage('itest-sh512')];
    await sleep(3000);
    const [a1, b1] = [usage('itest-sh1024'), usage('itest-sh512')];
    const ratio = (a1 - a0) / (b1 - b0);
    expect(ratio).toBeGreaterThan(1.7);
    expect(ratio).toBeLessThan(2.3);
    expect(await Promise.all([a, b])).toEqual([0, 0]);
  });

  it('cpus 0.5: usage 0.5 ± 0.1 CPU and nr_throttled increasing', async () => {
    const run = runBg(['--name', 'itest-quota', '--cpus', '0.5', '--', 'stress-ng', '--cpu', '2', '--timeout', '4s']);
    await until(() => hasProcs('itest-quota'));
    await sleep(300);
    const throttled = (): number => Number(/nr_throttled (\d+)/.exec(read(`${CG}/cpu/nslab/itest-quota/cpu.stat`))![1]);
    const [u0, t0, n0] = [usage('itest-quota'), performance.now(), throttled()];
    await sleep(2500);
    const [u1, t1, n1] = [usage('itest-quota'), performance.now(), throttled()];
    const cpus = (u1 - u0) / 1e6 / (t1 - t0);
    expect(cpus).toBeGreaterThan(0.4);
    expect(cpus).toBeLessThan(0.6);
    expect(n1).toBeGreaterThan(n0);
    expect(await run).toBe(0);
  });

  it('cpuset-cpus 1: the process runs only on CPU 1', async () => {
    const r = await nslab(state.dir, ['run', '--json', '--keep', '--name', 'itest-cpuset', '--cpuset-cpus', '1', '--', 'stress-ng', '--cpu', '1', '--timeout', '1s']);
    expect(r.code).toBe(0);
    const perCpu = read(`${CG}/cpuacct/nslab/itest-cpuset/cpuacct.usage_percpu`).split(/\s+/).map(Number);
    // CPU 0 sees only the launcher's own fork (charged before it steps back out), never the program
    expect(perCpu[0]).toBeLessThan(perCpu[1]! / 100);
    expect(perCpu[1]).toBeGreaterThan(0.5e9);
    const allowed = await nslab(state.dir, ['run', '--cpuset-cpus', '1', '--', 'grep', 'Cpus_allowed_list', '/proc/self/status']);
    expect(allowed.stdout).toMatch(/Cpus_allowed_list:\s+1\n/);
    expect((await nslab(state.dir, ['cgroup', 'rm', 'itest-cpuset'])).code).toBe(0);
  });

  it('pids-limit 16: a fork bomb stops at 16', async () => {
    // every process forks in a loop: 2^12 attempts without the limit
    const run = runBg(['--name', 'itest-pids', '--pids-limit', '16', '--', 'perl', '-e', 'fork for 1 .. 12; sleep 2']);
    await until(() => hasProcs('itest-pids'));
    let peak = 0;
    const end = Date.now() + 1200;
    while (Date.now() < end) {
      peak = Math.max(peak, Number(read(`${CG}/pids/nslab/itest-pids/pids.current`)));
      await sleep(10);
    }
    expect(peak).toBe(16);
    expect(Number(/max (\d+)/.exec(read(`${CG}/pids/nslab/itest-pids/pids.events`))![1])).toBeGreaterThan(0);
    await run;
  });

  it('real-time limits: applied where the kernel allows them, otherwise the typed error', async () => {
    const r = await nslab(state.dir, ['run', '--json', '--cpu-rt-runtime', '10000', '--', 'grep', '-c', '', '/proc/self/status']);
    if (existsSync(`${CG}/cpu/cpu.rt_runtime_us`)) {
      expect(r.code).toBe(0);
      const kept = await nslab(state.dir, ['cgroup', 'create', 'itest-rt', '--json', '--cpu-rt-period', '100000', '--cpu-rt-runtime', '5000']);
      expect(JSON.parse(kept.stdout).limits).toMatchObject({ 'cpu-rt-period': 100_000, 'cpu-rt-runtime': 5000 });
      expect((await nslab(state.dir, ['cgroup', 'rm', 'itest-rt'])).code).toBe(0);
    } else {
      expect(JSON.parse(r.stdout).error.code).toBe('unsupported-kernel');
    }
  });
});
