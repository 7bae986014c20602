import { describe, expect, it } from 'vitest';
import { LimitsInput, checkAgainstHost, describeLimits, normalizeLimits, type HostFacts } from '../../electron/shared/cgroup/limits.js';
import { CgroupName } from '../../electron/shared/cgroup/names.js';
import { belowUsageMessage, formatBytes, formatCpuList, parseBytes, parseCpuList, parseCpus, sharesToWeight, weightToShares } from '../../electron/shared/cgroup/units.js';
import { VOCABULARY, bothNames } from '../../electron/shared/cgroup/vocabulary.js';
import { NslabError } from '../../electron/shared/errors.js';

const parse = (input: unknown) => {
  const r = LimitsInput.safeParse(input);
  return r.success ? { ok: true as const, limits: normalizeLimits(r.data) } : { ok: false as const, path: r.error.issues[0]?.path.join('.'), message: r.error.issues[0]?.message ?? '' };
};

describe('errors that teach', () => {
  it('a memory limit that is not a size names the field and Docker\'s units, not "Invalid input"', () => {
    const r = parse({ memory: 'abc' });
    expect(r).toMatchObject({ ok: false, path: 'memory' });
    expect(r.ok ? '' : r.message).toMatch(/'abc' is not a size: .*Docker's units b, k, m, g.*64m.*; or -1 or max for unlimited/);
    for (const [field, bad] of [['memory-swap', 'lots'], ['pids-limit', 'many'], ['cpu-quota', 'x']] as const) {
      const e = parse({ memory: '64m', [field]: bad });
      expect(e).toMatchObject({ ok: false, path: field });
      expect(e.ok ? '' : e.message, field).not.toMatch(/Invalid input/);
    }
    expect(parse({ memory: -1, 'pids-limit': 'max', 'cpu-quota': 'unlimited' })).toMatchObject({ ok: true });
  });
});

describe('units', () => {
  it('parses sizes in binary units like Docker', () => {
    expect(parseBytes('50m')).toEqual({ ok: true, value: 52_428_800 });
    expect(parseBytes('1g')).toEqual({ ok: true, value: 1_073_741_824 });
    expect(parseBytes('1.5G')).toEqual({ ok: true, value: 1_610_612_736 });
    expect(parseBytes('64MiB')).toEqual({ ok: true, value: 67_108_864 });
    expect(parseBytes('512k')).toEqual({ ok: true, value: 524_288 });
    expect(parseBytes('4096')).toEqual({ ok: true, value: 4096 });
    expect(parseBytes(1024)).toEqual({ ok: true, value: 1024 });
    for (const bad of ['', 'm', '-5m', '5x', '1e9', 'NaN', '5 m b']) expect(parseBytes(bad).ok, bad).toBe(false);
    expect(parseBytes(-1).ok).toBe(false);
    expect(parseBytes(1.5).ok).toBe(false);
  });
  it('parses CPUs and CPU lists', () => {
    expect(parseCpus('1.5')).toEqual({ ok: true, value: 1.5 });
    expect(parseCpus(0.5)).toEqual({ ok: true, value: 0.5 });
    for (const bad of ['0', '-1', 'abc', '', 'NaN', 'Infinity']) expect(parseCpus(bad).ok, bad).toBe(false);
    expect(parseCpus(NaN).ok).toBe(false);
    expect(parseCpuList('0-3,5')).toEqual({ ok: true, value: [0, 1, 2, 3, 5] });
    expect(parseCpuList(' 1 ')).toEqual({ ok: true, value: [1] });
    for (const bad of ['', '3-1', 'a', '1,,2', '-1', '0-99999']) expect(parseCpuList(bad).ok, bad).toBe(false);
    expect(formatCpuList([5, 0, 1, 2, 3])).toBe('0-3,5');
    expect(formatBytes(52_428_800)).toBe('50 MiB');
    expect(formatBytes(1.5 * 2 ** 20)).toBe('1.5 MiB');
    expect(formatBytes(null)).toBe('—');
  });
  it('converts shares to weight like runc (2→1, 1024→39, 262144→10000) and back', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(512)).toBe(20);
    expect(sharesToWeight(262_144)).toBe(10_000);
    for (const w of [1, 20, 39, 100, 5000, 10_000]) expect(sharesToWeight(weightToShares(w))).toBe(w);
  });
});

describe('limits in Docker words', () => {
  it('translates cpus into period/quota', () => {
    expect(parse({ cpus: 1.5 })).toEqual({ ok: true, limits: { 'cpu-period': 100_000, 'cpu-quota': 150_000 } });
    expect(parse({ cpus: '0.5', 'cpu-period': 50_000 })).toEqual({ ok: true, limits: { 'cpu-period': 50_000, 'cpu-quota': 25_000 } });
  });
  it('accepts 6m and refuses 5m with Docker’s minimum in the message', () => {
    expect(parse({ memory: '6m' })).toEqual({ ok: true, limits: { memory: 6 * 1024 * 1024 } });
    const r = parse({ memory: '5m' });
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ path: 'memory' });
    expect(!r.ok && r.message).toMatch(/minimum memory limit is 6m/);
  });
  it('accepts unlimited as -1 or max', () => {
    expect(parse({ memory: -1, 'pids-limit': 'max', 'cpu-quota': -1 })).toEqual({ ok: true, limits: { memory: 'max', 'pids-limit': 'max', 'cpu-quota': 'max' } });
  });
  it.each([
    [{ memory: 'lots' }, 'memory'],
    [{ cpus: -1 }, 'cpus'],
    [{ cpus: 'NaN' }, 'cpus'],
    [{ cpus: 0.001 }, 'cpus'],
    [{ 'cpu-quota': 999 }, 'cpu-quota'],
    [{ 'cpu-period': 500 }, 'cpu-period'],
    [{ 'cpu-period': 2_000_000 }, 'cpu-period'],
    [{ 'cpu-shares': 1 }, 'cpu-shares'],
    [{ 'cpu-shares': 1.5 }, 'cpu-shares'],
    [{ 'pids-limit': 0 }, 'pids-limit'],
    [{ 'pids-limit': -5 }, 'pids-limit'],
    [{ 'cpuset-cpus': '1-0' }, 'cpuset-cpus'],
    [{ 'cpu-rt-period': 1000, 'cpu-rt-runtime': 2000 }, 'cpu-rt-runtime'],
    [{ cpus: 1, 'cpu-quota': 50_000 }, 'cpus'],
    [{ 'memory-swap': '100m' }, 'memory-swap'],
    [{ memory: '100m', 'memory-swap': '50m' }, 'memory-swap'],
    [{ bogus: 1 }, ''],
  ])('rejects %j naming the field', (input, field) => {
    const r = parse(input);
    expect(r.ok).toBe(false);
    if (!r.ok && field) expect(r.path).toBe(field);
  });
});

describe('checks against the host', () => {
  const host: HostFacts = { version: 'v1', cpus: [0, 1], mems: [0], swapAccounting: true, rt: { periodUs: 1_000_000, runtimeUs: 950_000 } };
  const err = (fn: () => void): NslabError => {
    try {
      fn();
    } catch (e) {
      return e as NslabError;
    }
    throw new Error('did not throw');
  };
  it('accepts what the machine has', () => {
    expect(() => checkAgainstHost({ 'cpuset-cpus': [1], 'cpu-quota': 200_000, 'cpu-period': 100_000, 'cpu-rt-runtime': 900_000 }, host)).not.toThrow();
  });
  it('refuses CPUs that do not exist and more CPUs than there are', () => {
    expect(err(() => checkAgainstHost({ 'cpuset-cpus': [0, 7] }, host))).toMatchObject({ code: 'invalid-params', data: { field: 'limits.cpuset-cpus' } });
    expect(err(() => checkAgainstHost({ 'cpu-quota': 300_000, 'cpu-period': 100_000 }, host)).message).toMatch(/only 2 are available/);
  });
  it('refuses an RT runtime above the parent, and RT where the kernel has none', () => {
    expect(err(() => checkAgainstHost({ 'cpu-rt-runtime': 990_000 }, host))).toMatchObject({ code: 'invalid-params', data: { field: 'limits.cpu-rt-runtime' } });
    expect(err(() => checkAgainstHost({ 'cpu-rt-runtime': 1000 }, { ...host, version: 'v2', rt: { unsupported: 'cgroup v2 has no RT' } }))).toMatchObject({ code: 'unsupported-kernel' });
  });
  it('describes limits back in Docker words', () => {
    expect(describeLimits({ memory: 52_428_800, 'cpu-quota': 150_000, 'cpu-period': 100_000, 'cpuset-cpus': [0, 1] })).toEqual({ memory: '50 MiB', cpus: '1.5', 'cpuset-cpus': '0-1' });
  });
});

describe('names and vocabulary', () => {
  it('allows a leaf name only', () => {
    expect(CgroupName.safeParse('web-1').success).toBe(true);
    for (const bad of ['', '../x', 'a/b', '-x', '.x', 'a b', 'x'.repeat(65)]) expect(CgroupName.safeParse(bad).success, bad).toBe(false);
  });
  it('maps every limit to a v1 file and names both versions', () => {
    for (const v of VOCABULARY.filter((x) => x.kind === 'limit')) expect(v.v1, v.name).not.toBeNull();
    expect(bothNames('memory')).toBe('memory.limit_in_bytes ⇄ memory.max');
    expect(bothNames('memory.oomKills')).toBe('memory.oom_control:oom_kill ⇄ memory.events:oom_kill');
    expect(bothNames('cpu-rt-runtime')).toBe('cpu.rt_runtime_us ⇄ —');
  });
});

describe('a v1 memory limit below the usage', () => {
  it('says how much is used, what was asked, and the smallest limit that fits', () => {
    const MiB = 1024 * 1024;
    expect(belowUsageMessage('memory', 32 * MiB, 47 * MiB + 300_000)).toBe(
      'memory: the group already uses 47.3 MiB, more than 32m, and the kernel could not reclaim enough: free memory first (stop or shrink what runs in it) or pick ≥ 48m',
    );
  });
});
