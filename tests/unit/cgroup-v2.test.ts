// The v2 backend against a recorded v2 tree (tests/fixtures/cgroup-v2): every limit's file and value,
// every statistic's source, and the activity lines, without needing a v2 machine.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LimitsInput, checkAgainstHost, normalizeLimits } from '../../electron/shared/cgroup/limits.js';
import type { ActivityEvent } from '../../electron/shared/contract/index.js';
import { onActivity } from '../../electron/helper/exec/run.js';
import { detectBackend } from '../../electron/helper/cgroup/detect.js';
import { V2Backend } from '../../electron/helper/cgroup/v2.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/cgroup-v2/root');
const limits = (input: unknown) => normalizeLimits(LimitsInput.parse(input));

let root: string;
let backend: V2Backend;
let activity: ActivityEvent[];
let stop: () => void;
const file = (rel: string): string => readFileSync(join(root, rel), 'utf8');

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nslab-cg2-'));
  cpSync(FIXTURE, root, { recursive: true });
  backend = new V2Backend(root);
  activity = [];
  stop = onActivity((e) => activity.push(e));
});
afterEach(() => {
  stop();
  rmSync(root, { recursive: true, force: true });
});

describe('v2 backend on a recorded tree', () => {
  it('is chosen for a pure v2 mountinfo', () => {
    const mi = `30 23 0:26 / ${root} rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`;
    const { layout, backend: b } = detectBackend(mi);
    expect(layout).toBe('v2');
    expect(b).toBeInstanceOf(V2Backend);
  });

  it('reads every statistic from its v2 file, null where v2 has none', () => {
    const s = backend.stats('demo');
    expect(s.memory).toEqual({ usage: 21_061_632, limit: 52_428_800, maxUsage: 52_424_704, failcnt: 117, oomEvents: 3, underOom: null, oomKills: 3 });
    expect(s.cpu).toEqual({ usageNs: 8_123_456_000, userNs: 7_011_220_000, systemNs: 1_112_236_000, nrPeriods: 812, nrThrottled: 97, throttledNs: 4_127_731_000 });
    expect(s.pids).toEqual({ current: 3, max: 64 });
    expect(s.pressure.cpu).toEqual({ some: { avg10: 1.23, avg60: 0.8, avg300: 0.25, total: 4_321_000 }, full: { avg10: 0.5, avg60: 0.3, avg300: 0.1, total: 2_100_000 } });
    expect(s.pressure.memory?.some.avg10).toBe(12.4);
    expect(backend.procs('demo')).toEqual([4242, 4243, 4250]);
  });

  it('reads limits back in Docker words (weight 20 ⇒ shares 501, the smallest that runc maps to 20, as 512 does)', () => {
    expect(backend.readLimits('demo')).toEqual({ memory: 52_428_800, 'memory-swap': 'max', 'cpu-quota': 150_000, 'cpu-period': 100_000, 'cpu-shares': 501, 'cpuset-cpus': '', 'cpuset-mems': '', 'pids-limit': 64 });
  });

  it('writes each limit to its v2 file with its v2 unit', () => {
    const writes = backend.apply('demo', limits({ memory: '64m', 'memory-swap': '96m', cpus: 1.5, 'cpu-shares': 1024, 'cpuset-cpus': '1-2', 'cpuset-mems': '0', 'pids-limit': 16 }));
    const d = 'nslab/demo/';
    expect(file(`${d}memory.max`)).toBe('67108864');
    expect(file(`${d}memory.swap.max`)).toBe(String(32 * 1024 * 1024)); // swap alone, like runc
    expect(file(`${d}cpu.max`)).toBe('150000 100000');
    expect(file(`${d}cpu.weight`)).toBe('39');
    expect(file(`${d}cpuset.cpus`)).toBe('1-2');
    expect(file(`${d}cpuset.mems`)).toBe('0');
    expect(file(`${d}pids.max`)).toBe('16');
    expect(writes.map((w) => w.file.slice(root.length + 1))).toEqual([`${d}memory.max`, `${d}memory.swap.max`, `${d}cpu.max`, `${d}cpu.weight`, `${d}cpuset.cpus`, `${d}cpuset.mems`, `${d}pids.max`]);
    expect(activity.map((a) => a.shell[0])).toContain(`echo '150000 100000' > ${root}/nslab/demo/cpu.max`);
    expect(activity.map((a) => a.shell[0])).toContain(`echo 67108864 > ${root}/nslab/demo/memory.max`);
  });

  it('keeps the other half of cpu.max and writes unlimited as max', () => {
    backend.apply('demo', limits({ 'cpu-period': 50_000 }));
    expect(file('nslab/demo/cpu.max')).toBe('150000 50000');
    backend.apply('demo', limits({ 'cpu-quota': -1, memory: -1, 'pids-limit': -1 }));
    expect(file('nslab/demo/cpu.max')).toBe('max 50000');
    expect(file('nslab/demo/memory.max')).toBe('max');
    expect(file('nslab/demo/pids.max')).toBe('max');
  });

  it('creates a group: delegates controllers through subtree_control, then mkdir', () => {
    backend.create('web');
    expect(file('nslab/cgroup.subtree_control')).toBe('+cpuset +cpu +io +memory +pids');
    // the root already delegates cpu io memory pids: only cpuset is added there
    expect(file('cgroup.subtree_control')).toBe('+cpuset');
    expect(backend.exists('web')).toBe(true);
    expect(activity.map((a) => a.shell[0])).toEqual([
      `echo +cpuset > ${root}/cgroup.subtree_control`,
      `echo '+cpuset +cpu +io +memory +pids' > ${root}/nslab/cgroup.subtree_control`,
      `mkdir ${root}/nslab/web`,
    ]);
    // the kernel fills a new group with its files; the fixture's fresh group stands in for that
    cpSync(join(root, 'fresh-group'), join(root, 'nslab/web'), { recursive: true });
    expect(backend.stats('web').memory).toMatchObject({ usage: 0, limit: 'max', oomKills: 0 });
    expect(backend.readLimits('web')).toMatchObject({ memory: 'max', 'cpu-quota': 'max', 'cpu-period': 100_000, 'pids-limit': 'max' });
    expect(backend.list()).toEqual(['demo', 'web']);
  });

  it('refuses real-time limits with a typed unsupported-kernel error, before any write', () => {
    const host = backend.hostFacts();
    expect(host).toMatchObject({ version: 'v2', cpus: [0, 1, 2, 3], mems: [0] });
    expect(() => checkAgainstHost(limits({ 'cpu-rt-runtime': 1000 }), host)).toThrow(expect.objectContaining({ code: 'unsupported-kernel', message: expect.stringMatching(/cgroup v2 has no real-time/) }));
    expect(() => backend.apply('demo', limits({ memory: '64m', 'cpu-rt-runtime': 1000 }))).toThrow(expect.objectContaining({ code: 'unsupported-kernel' }));
    expect(file('nslab/demo/memory.max')).toBe('52428800\n');
    expect(activity).toEqual([]);
  });

  it('refuses a limit whose controller this hierarchy lacks, before any write', () => {
    rmSync(join(root, 'nslab/demo/pids.max'));
    expect(() => backend.apply('demo', limits({ memory: '64m', 'pids-limit': 8 }))).toThrow(expect.objectContaining({ code: 'unsupported-kernel' }));
    expect(file('nslab/demo/memory.max')).toBe('52428800\n');
  });

  it('kills through cgroup.kill and freezes through cgroup.freeze', () => {
    backend.freeze('demo', true);
    expect(file('nslab/demo/cgroup.freeze')).toBe('1');
    // the fixture's pids are not real processes; cgroup.kill is what gets written
    expect(backend.kill('demo')).toBe(3);
    expect(file('nslab/demo/cgroup.kill')).toBe('1');
  });
});
