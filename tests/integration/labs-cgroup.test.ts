// The cgroup labs on this machine's kernel (v1 controllers + the v2 half): up, check fails with a useful
// message, solve, check passes, down, and no group remains. Plus `cgroup.run` (`nslab cgroup exec`):
// argv validated, the workload in the group before it runs, stopped at its timeout, killed with the group.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../electron/shared/contract/index.js';
import { ROOT, nslab, nslabJson, tempStateDir } from '../support/cli.js';
import { markedCgroups } from '../support/cgroup.js';

const CG = '/sys/fs/cgroup';
const LABS = readdirSync(join(ROOT, 'resources/labs')).filter((f) => f.startsWith('cgroup-') && f.endsWith('.yaml')).map((f) => f.slice(0, -5));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Every directory of these labs' groups (and of this file's own), in every hierarchy. */
const ours = (): string[] =>
  readdirSync(CG).flatMap((h) => {
    try {
      return readdirSync(join(CG, h, 'nslab')).filter((d) => d.startsWith('cgroup-') || d.startsWith('itest-exec')).map((d) => join(CG, h, 'nslab', d));
    } catch {
      return [];
    }
  });
const procsOf = (name: string): number[] =>
  existsSync(`${CG}/memory/nslab/${name}`) ? readFileSync(`${CG}/memory/nslab/${name}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number) : [];
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

const state = tempStateDir();
let before: string[];

beforeAll(() => {
  before = markedCgroups();
  expect(ours()).toEqual([]);
});
afterAll(async () => {
  for (const lab of LABS) await nslab(state.dir, ['lab', 'down', lab]);
  await nslab(state.dir, ['cgroup', 'rm', '-f', 'itest-exec']);
  state.cleanup();
  expect(ours()).toEqual([]);
  expect(markedCgroups()).toEqual(before);
});

describe('shipped cgroup labs', () => {
  it('are the five of the notes', () => {
    expect(LABS.sort()).toEqual(['cgroup-cfs-quota', 'cgroup-cpu-shares', 'cgroup-cpuset', 'cgroup-memory', 'cgroup-realtime']);
  });
});

describe.each(LABS)('lab %s', (lab) => {
  it('up → check fails usefully → hint → solve → check passes → down leaves nothing', async () => {
    const up = await nslab(state.dir, ['lab', 'up', lab, '--json']);
    expect(up.code, up.stderr + up.stdout).toBe(0);
    const created = (JSON.parse(up.stdout) as { created: string[] }).created;
    expect(created.length).toBeGreaterThan(0);
    for (const c of created) expect(c).toMatch(new RegExp(`^cgroup nslab/${lab}\\.`));
    // recorded as the lab's own
    const ls = await nslabJson<{ groups: { name: string; owner: string | null; recorded: boolean }[] }>(state.dir, ['cgroup', 'ls', '--json']);
    const mine = ls.groups.filter((g) => g.name.startsWith(`${lab}.`));
    expect(mine.length).toBe(created.length);
    for (const g of mine) expect(g).toMatchObject({ recorded: true, owner: `lab:${lab}` });
    const list = await nslabJson<{ labs: { id: string; up: boolean }[] }>(state.dir, ['lab', 'list', '--json']);
    expect(list.labs.find((l) => l.id === lab)?.up).toBe(true);

    const failing = await nslab(state.dir, ['lab', 'check', lab]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/^nslab: step \d+ \([a-z0-9-]+\): .+: expected .+; observed .+ — look with: nslab cgroup show .+/m);
    // the look-here line names both versions' files
    expect(failing.stderr).toMatch(/v1 .+ ⇄ v2 /);

    const hint = await nslabJson<{ hint: { en: string; ko: string } | null; probe: unknown }>(state.dir, ['lab', 'hint', lab, '--json']);
    expect(hint.probe).not.toBeNull();
    expect(hint.hint?.en.length).toBeGreaterThan(0);
    expect(hint.hint?.ko).toMatch(/[\uac00-\ud7a3]/);

    const solve = await nslab(state.dir, ['lab', 'solve', lab, '--json']);
    expect(solve.code, solve.stderr + solve.stdout).toBe(0);
    const shell = (JSON.parse(solve.stdout) as { steps: { shell: string[] }[] }).steps.flatMap((s) => s.shell);
    expect(shell.length).toBeGreaterThan(0);

    const passing = await nslab(state.dir, ['lab', 'check', lab, '--json']);
    const result = JSON.parse(passing.stdout) as CheckResult;
    expect(result.message, JSON.stringify(result.steps.flatMap((s) => s.probes.filter((p) => !p.ok)))).toBeNull();
    expect(result.ok).toBe(true);
    expect(passing.code).toBe(0);
    // the measured figures, for the record
    const figures = result.steps.flatMap((s) => s.probes.map((p) => `${p.label}: ${p.observed}`));
    console.log(`${lab}:\n  ${figures.join('\n  ')}`);

    const down = await nslab(state.dir, ['lab', 'down', lab, '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect((JSON.parse(down.stdout) as { removed: string[] }).removed.length).toBe(created.length);
    expect(ours()).toEqual([]);
    const after = await nslabJson<{ labs: { id: string; up: boolean }[] }>(state.dir, ['lab', 'list', '--json']);
    expect(after.labs.find((l) => l.id === lab)?.up).toBe(false);
  });
});

describe('cgroup labs: lifecycle', () => {
  it('check before up says so; reset kills the running workloads and rebuilds the groups; gc sweeps a lab group', async () => {
    const notUp = await nslab(state.dir, ['lab', 'check', 'cgroup-cpu-shares', '--json']);
    expect(notUp.code).toBe(1);
    expect(JSON.parse(notUp.stdout).error.code).toBe('not-found');

    await nslabJson(state.dir, ['lab', 'up', 'cgroup-cpu-shares', '--json']);
    await nslabJson(state.dir, ['lab', 'solve', 'cgroup-cpu-shares', '--json']);
    const running = [...procsOf('cgroup-cpu-shares.high'), ...procsOf('cgroup-cpu-shares.low')];
    expect(running.length).toBeGreaterThan(0);
    await nslabJson(state.dir, ['lab', 'reset', 'cgroup-cpu-shares', '--json']);
    for (const pid of running) expect(alive(pid)).toBe(false);
    expect(procsOf('cgroup-cpu-shares.high')).toEqual([]);
    // back at the starting state: step 1 fails again
    const again = await nslabJson<CheckResult>(state.dir, ['lab', 'check', 'cgroup-cpu-shares', '--step', '1', '--json']).catch(() => null);
    expect(again).toBeNull(); // exit code 1 makes nslabJson throw
    const gc = await nslabJson<{ deleted: { name: string; owner: string }[] }>(state.dir, ['gc', '--json']);
    expect(gc.deleted.map((o) => o.name)).toEqual(expect.arrayContaining(['nslab/cgroup-cpu-shares.high', 'nslab/cgroup-cpu-shares.low']));
    expect(ours()).toEqual([]);
  });
});

describe('cgroup.run (nslab cgroup exec)', () => {
  it('starts the argv inside the group, returns at once, and stops it at its timeout', async () => {
    expect((await nslab(state.dir, ['cgroup', 'create', 'itest-exec', '--memory', '32m'])).code).toBe(0);
    const started = performance.now();
    const r = await nslabJson<{ pid: number; exit: null }>(state.dir, ['cgroup', 'exec', 'itest-exec', '--timeout', '1.5', '--json', '--', 'sleep', '30']);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.exit).toBeNull();
    expect(procsOf('itest-exec')).toContain(r.pid);
    // the program (sleep) is in the group too, under its timeout guard
    const comms = procsOf('itest-exec').map((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim());
    expect(comms).toEqual(expect.arrayContaining(['timeout', 'sleep']));
    await sleep(2800);
    expect(procsOf('itest-exec')).toEqual([]);
  });

  it('--wait reports how it ended, and OOM kills from the counter', async () => {
    const ok = await nslabJson<{ exit: { code: number; signal: string | null; timedOut: boolean }; oomKills: number }>(state.dir, ['cgroup', 'exec', 'itest-exec', '--wait', '--json', '--', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1M', 'count=4']);
    expect(ok.exit).toEqual({ code: 0, signal: null, timedOut: false });
    expect(ok.oomKills).toBe(0);
    const oom = await nslabJson<{ exit: { code: number | null; signal: string | null }; oomKills: number }>(state.dir, ['cgroup', 'exec', 'itest-exec', '--wait', '--json', '--', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1']);
    expect(oom.oomKills).toBe(1);
    expect(oom.exit.signal ?? String(oom.exit.code)).toMatch(/SIGKILL|137/);
    const slow = await nslabJson<{ exit: { timedOut: boolean } }>(state.dir, ['cgroup', 'exec', 'itest-exec', '--wait', '--timeout', '0.3', '--json', '--', 'sleep', '5']);
    expect(slow.exit.timedOut).toBe(true);
  });

  it('refuses shells, unlisted names, missing programs and unknown groups, naming the field, starting nothing', async () => {
    const cases: [string[], string, string][] = [
      [['itest-exec', '--', 'bash', '-c', 'sleep 9'], 'invalid-params', 'argv.0'],
      [['itest-exec', '--', '/bin/sh', '-c', 'sleep 9'], 'invalid-params', 'argv.0'],
      [['itest-exec', '--', '/usr/bin/env', 'sh'], 'invalid-params', 'argv.0'],
      [['itest-exec', '--', 'python3', '-c', 'pass'], 'invalid-params', 'argv.0'],
      [['itest-exec', '--', 'rm', '-rf', '/tmp/x'], 'invalid-params', 'argv.0'],
      [['itest-exec', '--', '/nonexistent/nslab-prog'], 'tool-missing', 'argv.0'],
      [['itest-exec', '--timeout', 'soon', '--', 'sleep', '1'], 'invalid-params', 'timeoutMs'],
      [['nslab-no-such-group', '--', 'sleep', '1'], 'not-found', 'name'],
      [['../etc', '--', 'sleep', '1'], 'invalid-params', 'name'],
    ];
    for (const [args, code, field] of cases) {
      const r = await nslab(state.dir, ['cgroup', 'exec', '--json', ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(JSON.parse(r.stdout).error, args.join(' ')).toMatchObject({ code, field });
    }
    expect(procsOf('itest-exec')).toEqual([]);
  });

  it('removing the group kills what runs in it', async () => {
    const r = await nslabJson<{ pid: number }>(state.dir, ['cgroup', 'exec', 'itest-exec', '--json', '--', 'yes']);
    expect(alive(r.pid)).toBe(true);
    const rm = await nslab(state.dir, ['cgroup', 'rm', 'itest-exec']);
    expect(rm.code).toBe(1); // busy without --force
    expect((await nslab(state.dir, ['cgroup', 'rm', '-f', 'itest-exec'])).code).toBe(0);
    await sleep(100);
    expect(alive(r.pid)).toBe(false);
    expect(ours()).toEqual([]);
  });
});
