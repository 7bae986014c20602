// The cgroup v1 backend: one hierarchy per controller. On a hybrid layout the group is also made in the v2
// hierarchy, which gives it PSI, cgroup.kill, cgroup.freeze and cgroup.events even without v2 controllers.
import { join } from 'node:path';
import { CGROUP_ROOT } from '../../shared/cgroup/names.js';
import type { HostFacts, Limits } from '../../shared/cgroup/limits.js';
import { belowUsageMessage, formatCpuList } from '../../shared/cgroup/units.js';
import type { CgroupLimits, CgroupStats } from '../../shared/contract/cgroup.js';
import { NslabError } from '../../shared/errors.js';
import { fieldOf, type CgroupBackend, type Write } from './backend.js';
import { childDirs, exists, makeDir, parseKeyed, pidsOf, readOptional, readText, removeDir, writeValue } from './cgroupfs.js';
import { KeptFiles, int, keyed, limit, type CgroupSampleReader } from './probe.js';
import type { UnifiedTree } from './unified.js';
import { cpuListFile, killEach } from './v2.js';

/** The v1 controllers nslab makes groups in. */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'freezer'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

/** v1 writes "no limit" as a page-rounded LONG_MAX; anything this large is unlimited. */
const UNLIMITED_BYTES = 2 ** 62;
/** cpuacct.stat counts USER_HZ ticks, which the kernel fixes at 100 per second for userspace. */
const NS_PER_TICK = 10_000_000;

const num = (text: string | null): number | null => {
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
};
const bytesOrMax = (text: string | null): number | 'max' | null => {
  const n = num(text);
  return n === null ? null : n >= UNLIMITED_BYTES ? 'max' : n;
};
const quotaOrMax = (text: string | null): number | 'max' | null => {
  const n = num(text);
  return n === null ? null : n < 0 ? 'max' : n;
};
const pidsMax = (text: string | null): number | 'max' | null => (text === null ? null : text.trim() === 'max' ? 'max' : num(text));

export class V1Backend implements CgroupBackend {
  readonly version: 'v1' | 'hybrid';

  /** controller → mount point (co-mounted controllers such as cpu,cpuacct share one). */
  constructor(
    readonly mounts: Partial<Record<V1Controller, string>>,
    readonly unified: UnifiedTree | null = null,
  ) {
    this.version = unified ? 'hybrid' : 'v1';
  }

  get hierarchies(): { controller: string; mount: string }[] {
    const out = Object.entries(this.mounts).map(([controller, mount]) => ({ controller, mount: mount! }));
    if (this.unified) out.push({ controller: 'unified (v2)', mount: this.unified.mount });
    return out;
  }

  private mountsUnique(): string[] {
    return [...new Set(Object.values(this.mounts))] as string[];
  }

  private dirOf(controller: V1Controller, name: string): string | null {
    const mount = this.mounts[controller];
    return mount ? join(mount, CGROUP_ROOT, name) : null;
  }

  private file(controller: V1Controller, name: string, file: string): string | null {
    const dir = this.dirOf(controller, name);
    return dir ? join(dir, file) : null;
  }

  private read(controller: V1Controller, name: string, file: string): string | null {
    const path = this.file(controller, name, file);
    return path ? readOptional(path) : null;
  }

  dirs(name: string): string[] {
    const v1 = this.mountsUnique().map((m) => join(m, CGROUP_ROOT, name));
    return this.unified ? [...v1, this.unified.dir(name)] : v1;
  }

  procsFiles(name: string): string[] {
    return this.dirs(name).map((d) => join(d, 'cgroup.procs'));
  }

  exists(name: string): boolean {
    return this.dirs(name).some(exists);
  }

  list(): string[] {
    const names = new Set<string>();
    for (const m of this.mountsUnique()) for (const n of childDirs(join(m, CGROUP_ROOT))) names.add(n);
    for (const n of this.unified?.list() ?? []) names.add(n);
    return [...names].sort();
  }

  hostFacts(): HostFacts {
    const cpuset = this.mounts.cpuset;
    const parent = cpuset && exists(join(cpuset, CGROUP_ROOT)) ? join(cpuset, CGROUP_ROOT) : cpuset;
    const cpus = (parent && cpuListFile(readOptional(join(parent, 'cpuset.effective_cpus')))) || cpuListFile(readOptional('/sys/devices/system/cpu/online')) || [0];
    const mems = (parent && cpuListFile(readOptional(join(parent, 'cpuset.effective_mems')))) || cpuListFile(readOptional('/sys/devices/system/node/online')) || [0];
    const memory = this.mounts.memory;
    const cpu = this.mounts.cpu;
    const rtRuntime = cpu ? num(readOptional(join(cpu, 'cpu.rt_runtime_us'))) : null;
    const rtPeriod = cpu ? num(readOptional(join(cpu, 'cpu.rt_period_us'))) : null;
    return {
      version: this.version,
      cpus,
      mems,
      swapAccounting: !!memory && exists(join(memory, 'memory.memsw.limit_in_bytes')),
      rt:
        rtRuntime !== null && rtPeriod !== null
          ? // The root's budget bounds ours: nslab/ is raised as needed, never beyond it.
            { periodUs: rtPeriod, runtimeUs: rtRuntime < 0 ? rtPeriod : rtRuntime }
          : { unsupported: cpu ? 'this kernel has no real-time group scheduling (built without CONFIG_RT_GROUP_SCHED): cpu.rt_runtime_us does not exist' : 'the v1 cpu controller is not mounted' },
    };
  }

  create(name: string): void {
    for (const mount of this.mountsUnique()) {
      const parent = join(mount, CGROUP_ROOT);
      if (!exists(parent)) {
        makeDir(parent);
        this.inheritCpuset(mount, parent);
      }
      makeDir(join(parent, name));
      this.inheritCpuset(parent, join(parent, name));
    }
    this.unified?.create(name);
  }

  /** A new v1 cpuset group starts with no CPUs and no memory nodes: no task could join it. */
  private inheritCpuset(from: string, to: string): void {
    if (from !== this.mounts.cpuset && !from.startsWith(`${this.mounts.cpuset}/`)) return;
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if ((readOptional(join(to, f)) ?? '').trim() === '') writeValue(join(to, f), readText(join(from, f)).trim());
    }
  }

  apply(name: string, l: Limits): Write[] {
    const writes: Write[] = [];
    const need = (controller: V1Controller, file: string): string => {
      const path = this.file(controller, name, file);
      if (!path || !exists(path)) throw new NslabError('unsupported-kernel', `${controller}/${file} is not available on this machine`, { field: 'limits' });
      return path;
    };
    const plan = (controller: V1Controller, file: string, value: string | number): void => void writes.push({ file: need(controller, file), value: String(value) });

    // memory and memory+swap: memsw may never be below memory, so the order depends on the direction.
    const memsw = l['memory-swap'];
    const memValue = l.memory === 'max' ? -1 : l.memory;
    const swapValue = memsw === 'max' ? -1 : memsw;
    const currentMemsw = bytesOrMax(this.read('memory', name, 'memory.memsw.limit_in_bytes'));
    const swapFirst = swapValue !== undefined && (memsw === 'max' || (typeof l.memory === 'number' && currentMemsw !== 'max' && currentMemsw !== null && l.memory > currentMemsw));
    if (swapFirst) plan('memory', 'memory.memsw.limit_in_bytes', swapValue!);
    if (memValue !== undefined) plan('memory', 'memory.limit_in_bytes', memValue);
    if (swapValue !== undefined && !swapFirst) plan('memory', 'memory.memsw.limit_in_bytes', swapValue);

    if (l['cpu-period'] !== undefined) plan('cpu', 'cpu.cfs_period_us', l['cpu-period']);
    if (l['cpu-quota'] !== undefined) plan('cpu', 'cpu.cfs_quota_us', l['cpu-quota'] === 'max' ? -1 : l['cpu-quota']);
    if (l['cpu-shares'] !== undefined) plan('cpu', 'cpu.shares', l['cpu-shares']);
    if (l['cpuset-cpus']) plan('cpuset', 'cpuset.cpus', formatCpuList(l['cpuset-cpus']));
    if (l['cpuset-mems']) plan('cpuset', 'cpuset.mems', formatCpuList(l['cpuset-mems']));
    if (l['pids-limit'] !== undefined) plan('pids', 'pids.max', l['pids-limit']);
    if (l['cpu-rt-period'] !== undefined || l['cpu-rt-runtime'] !== undefined) writes.push(...this.planRt(name, l, need));

    for (const { file, value } of writes) {
      try {
        writeValue(file, value, fieldOf(file));
      } catch (err) {
        throw this.explainBusy(name, file, Number(value), err);
      }
    }
    return writes;
  }

  /** A memory limit below the current usage is EBUSY in v1: say how much is in use and what would fit. */
  private explainBusy(name: string, file: string, asked: number, err: unknown): unknown {
    if (!(err instanceof NslabError && err.code === 'busy') || !/memory\.(memsw\.)?limit_in_bytes$/.test(file)) return err;
    const memsw = file.endsWith('memsw.limit_in_bytes');
    const usage = num(this.read('memory', name, memsw ? 'memory.memsw.usage_in_bytes' : 'memory.usage_in_bytes'));
    if (usage === null || asked < 0) return err;
    const field = memsw ? 'memory-swap' : 'memory';
    return new NslabError('busy', belowUsageMessage(field, asked, usage), { field: `limits.${field}`, usage, asked });
  }

  /**
   * RT bandwidth: a group's runtime/period must fit in its parent's, and a new group's runtime is 0, so
   * nslab/ is raised first to hold every nslab group's share. Then period and runtime, in the order that
   * keeps runtime ≤ period at every step.
   */
  private planRt(name: string, l: Limits, need: (c: V1Controller, f: string) => string): Write[] {
    const writes: Write[] = [];
    const cpuMount = this.mounts.cpu!;
    const parent = join(cpuMount, CGROUP_ROOT);
    const period = l['cpu-rt-period'] ?? num(this.read('cpu', name, 'cpu.rt_period_us')) ?? 1_000_000;
    const runtime = l['cpu-rt-runtime'] ?? num(this.read('cpu', name, 'cpu.rt_runtime_us')) ?? 0;
    const siblings = childDirs(parent)
      .filter((n) => n !== name)
      .map((n) => (num(readOptional(join(parent, n, 'cpu.rt_runtime_us'))) ?? 0) / (num(readOptional(join(parent, n, 'cpu.rt_period_us'))) ?? 1_000_000))
      .reduce((a, b) => a + b, 0);
    const parentPeriod = num(readOptional(join(parent, 'cpu.rt_period_us'))) ?? 1_000_000;
    const parentRuntime = num(readOptional(join(parent, 'cpu.rt_runtime_us'))) ?? 0;
    const needed = Math.ceil((siblings + runtime / period) * parentPeriod);
    if (needed > parentRuntime) writes.push({ file: join(parent, 'cpu.rt_runtime_us'), value: String(needed) });
    const currentRuntime = num(this.read('cpu', name, 'cpu.rt_runtime_us')) ?? 0;
    const periodWrite = l['cpu-rt-period'] !== undefined ? { file: need('cpu', 'cpu.rt_period_us'), value: String(period) } : null;
    const runtimeWrite = l['cpu-rt-runtime'] !== undefined ? { file: need('cpu', 'cpu.rt_runtime_us'), value: String(runtime) } : null;
    if (periodWrite && currentRuntime > period) writes.push(...[runtimeWrite, periodWrite].filter((w) => w !== null));
    else writes.push(...[periodWrite, runtimeWrite].filter((w) => w !== null));
    return writes;
  }

  readLimits(name: string): CgroupLimits {
    const out: CgroupLimits = {};
    const set = <K extends keyof CgroupLimits>(k: K, v: CgroupLimits[K] | null): void => {
      if (v !== null && v !== undefined) out[k] = v;
    };
    set('memory', bytesOrMax(this.read('memory', name, 'memory.limit_in_bytes')));
    set('memory-swap', bytesOrMax(this.read('memory', name, 'memory.memsw.limit_in_bytes')));
    set('cpu-period', num(this.read('cpu', name, 'cpu.cfs_period_us')));
    set('cpu-quota', quotaOrMax(this.read('cpu', name, 'cpu.cfs_quota_us')));
    set('cpu-shares', num(this.read('cpu', name, 'cpu.shares')));
    set('cpuset-cpus', this.read('cpuset', name, 'cpuset.cpus')?.trim() ?? null);
    set('cpuset-mems', this.read('cpuset', name, 'cpuset.mems')?.trim() ?? null);
    set('pids-limit', pidsMax(this.read('pids', name, 'pids.max')));
    set('cpu-rt-period', num(this.read('cpu', name, 'cpu.rt_period_us')));
    set('cpu-rt-runtime', num(this.read('cpu', name, 'cpu.rt_runtime_us')));
    return out;
  }

  stats(name: string): CgroupStats {
    const oom = parseKeyed(this.read('memory', name, 'memory.oom_control'));
    const cpuStat = parseKeyed(this.read('cpu', name, 'cpu.stat'));
    const acct = parseKeyed(this.read('cpuacct', name, 'cpuacct.stat'));
    const ticks = (k: string): number | null => (acct?.has(k) ? acct.get(k)! * NS_PER_TICK : null);
    return {
      memory: {
        usage: num(this.read('memory', name, 'memory.usage_in_bytes')),
        limit: bytesOrMax(this.read('memory', name, 'memory.limit_in_bytes')),
        maxUsage: num(this.read('memory', name, 'memory.max_usage_in_bytes')),
        failcnt: num(this.read('memory', name, 'memory.failcnt')),
        oomEvents: null,
        underOom: oom?.has('under_oom') ? oom.get('under_oom') === 1 : null,
        oomKills: oom?.get('oom_kill') ?? null,
      },
      cpu: {
        usageNs: num(this.read('cpuacct', name, 'cpuacct.usage')),
        userNs: ticks('user'),
        systemNs: ticks('system'),
        nrPeriods: cpuStat?.get('nr_periods') ?? null,
        nrThrottled: cpuStat?.get('nr_throttled') ?? null,
        throttledNs: cpuStat?.get('throttled_time') ?? null,
      },
      pids: { current: num(this.read('pids', name, 'pids.current')), max: pidsMax(this.read('pids', name, 'pids.max')) },
      pressure: this.unified ? this.unified.pressure(name) : { cpu: null, memory: null, io: null },
    };
  }

  sampleReader(name: string): CgroupSampleReader {
    const files = new KeptFiles();
    const usage = files.open(this.dirOf('cpuacct', name), 'cpuacct.usage');
    const cpuStat = files.open(this.dirOf('cpu', name), 'cpu.stat');
    const mem = files.open(this.dirOf('memory', name), 'memory.usage_in_bytes');
    const max = files.open(this.dirOf('memory', name), 'memory.limit_in_bytes');
    const oom = files.open(this.dirOf('memory', name), 'memory.oom_control');
    const pids = files.open(this.dirOf('pids', name), 'pids.current');
    const pidsMax = files.open(this.dirOf('pids', name), 'pids.max');
    return {
      read: () => {
        const stat = cpuStat.read();
        return {
          cpuNs: int(usage.read()),
          memory: int(mem.read()),
          memoryLimit: limit(max.read()),
          nrThrottled: keyed(stat, 'nr_throttled'),
          throttledNs: keyed(stat, 'throttled_time'),
          pids: int(pids.read()),
          pidsMax: limit(pidsMax.read()),
          oomKills: keyed(oom.read(), 'oom_kill'),
        };
      },
      close: () => files.close(),
    };
  }

  oomKills(name: string): number | null {
    return parseKeyed(this.read('memory', name, 'memory.oom_control'))?.get('oom_kill') ?? null;
  }

  procs(name: string): number[] {
    const all = new Set<number>();
    for (const dir of this.dirs(name)) for (const pid of pidsOf(readOptional(join(dir, 'cgroup.procs')))) all.add(pid);
    return [...all].sort((a, b) => a - b);
  }

  kill(name: string): number {
    const pids = this.procs(name);
    if (!this.unified?.kill(name)) killEach(pids);
    else killEach(this.procs(name)); // anything that joined only the v1 side
    return pids.length;
  }

  freeze(name: string, frozen: boolean): void {
    if (this.unified?.freeze(name, frozen)) return;
    const state = this.file('freezer', name, 'freezer.state');
    if (!state || !exists(state)) throw new NslabError('unsupported-kernel', 'neither cgroup.freeze (v2) nor the v1 freezer controller is available');
    writeValue(state, frozen ? 'FROZEN' : 'THAWED');
  }

  remove(name: string): void {
    for (const dir of this.dirs(name)) if (exists(dir)) removeDir(dir);
  }

  hasEmptyRoot(): boolean {
    const empty = (parent: string): boolean => exists(parent) && childDirs(parent).length === 0;
    return this.mountsUnique().some((m) => empty(join(m, CGROUP_ROOT))) || (this.unified?.hasEmptyParent() ?? false);
  }

  removeRootIfEmpty(): void {
    for (const mount of this.mountsUnique()) {
      const parent = join(mount, CGROUP_ROOT);
      if (exists(parent) && childDirs(parent).length === 0) removeDir(parent);
    }
    this.unified?.removeParentIfEmpty();
  }
}
