// The cgroup v2 backend: one hierarchy, controllers enabled through cgroup.subtree_control.
import { join } from 'node:path';
import { CGROUP_ROOT } from '../../shared/cgroup/names.js';
import type { HostFacts, Limits } from '../../shared/cgroup/limits.js';
import { formatCpuList, parseCpuList, sharesToWeight, weightToShares } from '../../shared/cgroup/units.js';
import type { CgroupLimits, CgroupStats } from '../../shared/contract/cgroup.js';
import { NslabError } from '../../shared/errors.js';
import { fieldOf, type CgroupBackend, type Write } from './backend.js';
import { exists, parseKeyed, readOptional, writeValue } from './cgroupfs.js';
import { KeptFiles, int, keyed, limit, type CgroupSampleReader } from './probe.js';
import { UnifiedTree } from './unified.js';

export const V2_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
export const V2_NO_RT =
  'cgroup v2 has no real-time bandwidth per group (cpu.rt_period_us/cpu.rt_runtime_us exist only in cgroup v1); real-time tasks are limited system-wide by /proc/sys/kernel/sched_rt_runtime_us';

const num = (text: string | null): number | null => {
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
};
const numOrMax = (text: string | null): number | 'max' | null => (text === null ? null : text.trim() === 'max' ? 'max' : num(text));
const usToNs = (v: number | undefined): number | null => (v === undefined ? null : v * 1000);

/** Reads a CPU list (`0-1`), or null when the file is missing or empty. */
export const cpuListFile = (text: string | null): number[] | null => {
  if (text === null || text.trim() === '') return null;
  const r = parseCpuList(text);
  return r.ok ? r.value : null;
};

export class V2Backend implements CgroupBackend {
  readonly version = 'v2' as const;
  readonly tree: UnifiedTree;

  constructor(readonly mount: string) {
    this.tree = new UnifiedTree(mount);
  }

  get hierarchies(): { controller: string; mount: string }[] {
    const controllers = (readOptional(join(this.mount, 'cgroup.controllers')) ?? '').split(/\s+/).filter(Boolean);
    return [{ controller: controllers.join(',') || '(none)', mount: this.mount }];
  }

  dirs(name: string): string[] {
    return [this.tree.dir(name)];
  }
  procsFiles(name: string): string[] {
    return [join(this.tree.dir(name), 'cgroup.procs')];
  }
  exists(name: string): boolean {
    return exists(this.tree.dir(name));
  }
  list(): string[] {
    return this.tree.list();
  }

  hostFacts(): HostFacts {
    const parent = exists(this.tree.parent) ? this.tree.parent : this.mount;
    const cpus = cpuListFile(readOptional(join(parent, 'cpuset.cpus.effective'))) ?? cpuListFile(readOptional('/sys/devices/system/cpu/online')) ?? [0];
    const mems = cpuListFile(readOptional(join(parent, 'cpuset.mems.effective'))) ?? cpuListFile(readOptional('/sys/devices/system/node/online')) ?? [0];
    const controllers = (readOptional(join(this.mount, 'cgroup.controllers')) ?? '').split(/\s+/);
    return { version: 'v2', cpus, mems, swapAccounting: controllers.includes('memory'), rt: { unsupported: V2_NO_RT } };
  }

  create(name: string): void {
    this.tree.create(name, V2_CONTROLLERS);
  }

  /** The writes for these limits, in order; every target file must exist before the first one is made. */
  plan(name: string, l: Limits): Write[] {
    const dir = this.tree.dir(name);
    const writes: Write[] = [];
    const w = (file: string, value: string | number): void => void writes.push({ file: join(dir, file), value: String(value) });
    if (l.memory !== undefined) w('memory.max', l.memory);
    if (l['memory-swap'] !== undefined) {
      const memory = l.memory ?? numOrMax(readOptional(join(dir, 'memory.max')));
      const swap = l['memory-swap'];
      // Docker's memory-swap is memory+swap; v2's memory.swap.max is swap alone (runc does the same).
      if (swap === 'max') w('memory.swap.max', 'max');
      else if (typeof memory !== 'number') throw new NslabError('invalid-params', 'memory-swap needs a memory limit to subtract from', { field: 'limits.memory-swap' });
      else w('memory.swap.max', swap - memory);
    }
    if (l['cpu-quota'] !== undefined || l['cpu-period'] !== undefined) {
      const [curQuota = 'max', curPeriod = '100000'] = (readOptional(join(dir, 'cpu.max')) ?? 'max 100000').trim().split(/\s+/);
      w('cpu.max', `${l['cpu-quota'] ?? curQuota} ${l['cpu-period'] ?? curPeriod}`);
    }
    if (l['cpu-shares'] !== undefined) w('cpu.weight', sharesToWeight(l['cpu-shares']));
    if (l['cpuset-cpus']) w('cpuset.cpus', formatCpuList(l['cpuset-cpus']));
    if (l['cpuset-mems']) w('cpuset.mems', formatCpuList(l['cpuset-mems']));
    if (l['pids-limit'] !== undefined) w('pids.max', l['pids-limit']);
    if (l['cpu-rt-period'] !== undefined || l['cpu-rt-runtime'] !== undefined) {
      throw new NslabError('unsupported-kernel', V2_NO_RT, { field: `limits.${l['cpu-rt-runtime'] !== undefined ? 'cpu-rt-runtime' : 'cpu-rt-period'}` });
    }
    for (const { file } of writes) {
      if (!exists(file)) {
        const controller = file.split('/').pop()!.split('.')[0]!;
        throw new NslabError('unsupported-kernel', `${file} does not exist: the ${controller} controller is not available to this v2 hierarchy (is it bound to a v1 hierarchy?)`, { field: 'limits' });
      }
    }
    return writes;
  }

  apply(name: string, limits: Limits): Write[] {
    const writes = this.plan(name, limits);
    for (const { file, value } of writes) writeValue(file, value, fieldOf(file));
    return writes;
  }

  readLimits(name: string): CgroupLimits {
    const dir = this.tree.dir(name);
    const read = (f: string) => readOptional(join(dir, f));
    const out: CgroupLimits = {};
    const memory = numOrMax(read('memory.max'));
    if (memory !== null) out.memory = memory;
    const swap = numOrMax(read('memory.swap.max'));
    if (swap !== null && memory !== null) out['memory-swap'] = swap === 'max' || memory === 'max' ? 'max' : memory + swap;
    const cpuMax = read('cpu.max');
    if (cpuMax !== null) {
      const [q, p] = cpuMax.trim().split(/\s+/);
      out['cpu-quota'] = q === 'max' ? 'max' : Number(q);
      out['cpu-period'] = Number(p);
    }
    const weight = num(read('cpu.weight'));
    if (weight !== null) out['cpu-shares'] = weightToShares(weight);
    const cpus = read('cpuset.cpus');
    if (cpus !== null) out['cpuset-cpus'] = cpus.trim();
    const mems = read('cpuset.mems');
    if (mems !== null) out['cpuset-mems'] = mems.trim();
    const pids = numOrMax(read('pids.max'));
    if (pids !== null) out['pids-limit'] = pids;
    return out;
  }

  stats(name: string): CgroupStats {
    const dir = this.tree.dir(name);
    const read = (f: string) => readOptional(join(dir, f));
    const events = parseKeyed(read('memory.events'));
    const cpu = parseKeyed(read('cpu.stat'));
    return {
      memory: {
        usage: num(read('memory.current')),
        limit: numOrMax(read('memory.max')),
        maxUsage: num(read('memory.peak')),
        failcnt: events?.get('max') ?? null,
        oomEvents: events?.get('oom') ?? null,
        underOom: null,
        oomKills: events?.get('oom_kill') ?? null,
      },
      cpu: {
        usageNs: usToNs(cpu?.get('usage_usec')),
        userNs: usToNs(cpu?.get('user_usec')),
        systemNs: usToNs(cpu?.get('system_usec')),
        nrPeriods: cpu?.get('nr_periods') ?? null,
        nrThrottled: cpu?.get('nr_throttled') ?? null,
        throttledNs: usToNs(cpu?.get('throttled_usec')),
      },
      pids: { current: num(read('pids.current')), max: numOrMax(read('pids.max')) },
      pressure: this.tree.pressure(name),
    };
  }

  sampleReader(name: string): CgroupSampleReader {
    const files = new KeptFiles();
    const dir = this.tree.dir(name);
    const [cpu, mem, max, events, pids, pidsMax] = ['cpu.stat', 'memory.current', 'memory.max', 'memory.events', 'pids.current', 'pids.max'].map((f) => files.open(dir, f));
    return {
      read: () => {
        const stat = cpu!.read();
        const usage = keyed(stat, 'usage_usec');
        const throttled = keyed(stat, 'throttled_usec');
        return {
          cpuNs: usage === null ? null : usage * 1000,
          memory: int(mem!.read()),
          memoryLimit: limit(max!.read()),
          nrThrottled: keyed(stat, 'nr_throttled'),
          throttledNs: throttled === null ? null : throttled * 1000,
          pids: int(pids!.read()),
          pidsMax: limit(pidsMax!.read()),
          oomKills: keyed(events!.read(), 'oom_kill'),
        };
      },
      close: () => files.close(),
    };
  }

  oomKills(name: string): number | null {
    return parseKeyed(readOptional(join(this.tree.dir(name), 'memory.events')))?.get('oom_kill') ?? null;
  }

  procs(name: string): number[] {
    return this.tree.procs(name);
  }
  kill(name: string): number {
    const pids = this.procs(name);
    if (!this.tree.kill(name)) killEach(pids);
    return pids.length;
  }
  freeze(name: string, frozen: boolean): void {
    if (!this.tree.freeze(name, frozen)) throw new NslabError('unsupported-kernel', 'this kernel has no cgroup.freeze (needs Linux 5.2 or later)');
  }
  remove(name: string): void {
    this.tree.remove(name);
  }
  removeRootIfEmpty(): void {
    this.tree.removeParentIfEmpty();
  }
  hasEmptyRoot(): boolean {
    return this.tree.hasEmptyParent();
  }
}

/** SIGKILL by pid, for kernels without cgroup.kill; a process that already left is not an error. */
export function killEach(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

export { CGROUP_ROOT };
