// The v1↔v2 vocabulary: for every limit and statistic, the Docker word, and the file and unit it maps to in
// each cgroup version. The driver writes and reads through it, the CLI and the UI print both names from it.

export interface VersionMapping {
  /** v1: the controller hierarchy (`/sys/fs/cgroup/<controller>`); v2 has one hierarchy. */
  controller: string;
  file: string;
  unit: string;
  /** Which line/key of the file, for flat-keyed files (`cpu.stat`, `memory.events`). */
  key?: string;
  note?: string;
}

export interface VocabularyEntry {
  /** Docker flag for a limit, statistic id for a statistic. */
  name: string;
  kind: 'limit' | 'stat';
  title: string;
  /** The unit nslab speaks (input for limits, output for statistics). */
  unit: string;
  v1: VersionMapping | null;
  v2: VersionMapping | null;
}

const e = (name: string, kind: 'limit' | 'stat', title: string, unit: string, v1: VersionMapping | null, v2: VersionMapping | null): VocabularyEntry => ({
  name,
  kind,
  title,
  unit,
  v1,
  v2,
});

export const VOCABULARY: readonly VocabularyEntry[] = [
  // ---- limits (Docker's flags) ----
  e('memory', 'limit', 'Memory limit', 'bytes (50m, 1g; at least 6m)', { controller: 'memory', file: 'memory.limit_in_bytes', unit: 'bytes, -1 = unlimited' }, { controller: 'memory', file: 'memory.max', unit: "bytes, 'max' = unlimited" }),
  e(
    'memory-swap',
    'limit',
    'Memory + swap limit',
    'bytes, -1 = unlimited',
    { controller: 'memory', file: 'memory.memsw.limit_in_bytes', unit: 'bytes of memory+swap', note: 'needs swap accounting' },
    { controller: 'memory', file: 'memory.swap.max', unit: 'bytes of swap only', note: 'written as memory-swap minus memory, like runc' },
  ),
  e('cpus', 'limit', 'CPUs (CFS quota)', 'CPUs (1.5)', { controller: 'cpu', file: 'cpu.cfs_quota_us + cpu.cfs_period_us', unit: 'µs per period; 1.5 ⇒ 150000 per 100000' }, { controller: 'cpu', file: 'cpu.max', unit: "'quota period' in µs; 1.5 ⇒ '150000 100000'" }),
  e('cpu-period', 'limit', 'CFS period', 'µs (1000–1000000)', { controller: 'cpu', file: 'cpu.cfs_period_us', unit: 'µs' }, { controller: 'cpu', file: 'cpu.max', unit: 'µs, second field' }),
  e('cpu-quota', 'limit', 'CFS quota', 'µs per period (≥ 1000), -1 = unlimited', { controller: 'cpu', file: 'cpu.cfs_quota_us', unit: 'µs, -1 = unlimited' }, { controller: 'cpu', file: 'cpu.max', unit: "µs, first field, 'max' = unlimited" }),
  e(
    'cpu-shares',
    'limit',
    'CPU shares (relative weight)',
    'shares (2–262144, default 1024)',
    { controller: 'cpu', file: 'cpu.shares', unit: 'shares' },
    { controller: 'cpu', file: 'cpu.weight', unit: 'weight 1–10000', note: 'weight = 1 + (shares − 2) × 9999 / 262142, as runc/crun (1024 ⇒ 39)' },
  ),
  e('cpuset-cpus', 'limit', 'CPUs allowed', 'CPU list (0-1,3)', { controller: 'cpuset', file: 'cpuset.cpus', unit: 'CPU list' }, { controller: 'cpuset', file: 'cpuset.cpus', unit: 'CPU list' }),
  e('cpuset-mems', 'limit', 'Memory nodes allowed', 'node list (0)', { controller: 'cpuset', file: 'cpuset.mems', unit: 'node list' }, { controller: 'cpuset', file: 'cpuset.mems', unit: 'node list' }),
  e('pids-limit', 'limit', 'Process limit', "processes, -1 = unlimited", { controller: 'pids', file: 'pids.max', unit: "count, 'max' = unlimited" }, { controller: 'pids', file: 'pids.max', unit: "count, 'max' = unlimited" }),
  e('cpu-rt-period', 'limit', 'Real-time period', 'µs', { controller: 'cpu', file: 'cpu.rt_period_us', unit: 'µs', note: 'needs CONFIG_RT_GROUP_SCHED' }, null),
  e('cpu-rt-runtime', 'limit', 'Real-time runtime', 'µs per rt period', { controller: 'cpu', file: 'cpu.rt_runtime_us', unit: 'µs', note: 'cannot exceed the parent group' }, null),
  // ---- statistics ----
  e('memory.usage', 'stat', 'Memory used', 'bytes', { controller: 'memory', file: 'memory.usage_in_bytes', unit: 'bytes' }, { controller: 'memory', file: 'memory.current', unit: 'bytes' }),
  e('memory.limit', 'stat', 'Memory limit', 'bytes', { controller: 'memory', file: 'memory.limit_in_bytes', unit: 'bytes' }, { controller: 'memory', file: 'memory.max', unit: 'bytes' }),
  e('memory.maxUsage', 'stat', 'Peak memory', 'bytes', { controller: 'memory', file: 'memory.max_usage_in_bytes', unit: 'bytes' }, { controller: 'memory', file: 'memory.peak', unit: 'bytes', note: 'kernel ≥ 5.19' }),
  e(
    'memory.failcnt',
    'stat',
    'Times the limit was hit',
    'count',
    { controller: 'memory', file: 'memory.failcnt', unit: 'count', note: 'can stay 0 through OOM kills' },
    { controller: 'memory', file: 'memory.events', key: 'max', unit: 'count' },
  ),
  e('memory.oomEvents', 'stat', 'OOM events', 'count', null, { controller: 'memory', file: 'memory.events', key: 'oom', unit: 'count' }),
  e('memory.underOom', 'stat', 'Under OOM now', 'flag', { controller: 'memory', file: 'memory.oom_control', key: 'under_oom', unit: '0/1' }, null),
  e(
    'memory.oomKills',
    'stat',
    'Processes OOM-killed',
    'count',
    { controller: 'memory', file: 'memory.oom_control', key: 'oom_kill', unit: 'count' },
    { controller: 'memory', file: 'memory.events', key: 'oom_kill', unit: 'count' },
  ),
  e('cpu.usage', 'stat', 'CPU time', 'ns', { controller: 'cpuacct', file: 'cpuacct.usage', unit: 'ns' }, { controller: 'cpu', file: 'cpu.stat', key: 'usage_usec', unit: 'µs' }),
  e('cpu.user', 'stat', 'CPU time in user mode', 'ns', { controller: 'cpuacct', file: 'cpuacct.stat', key: 'user', unit: 'USER_HZ ticks (1/100 s)' }, { controller: 'cpu', file: 'cpu.stat', key: 'user_usec', unit: 'µs' }),
  e('cpu.system', 'stat', 'CPU time in kernel mode', 'ns', { controller: 'cpuacct', file: 'cpuacct.stat', key: 'system', unit: 'USER_HZ ticks (1/100 s)' }, { controller: 'cpu', file: 'cpu.stat', key: 'system_usec', unit: 'µs' }),
  e('cpu.nrPeriods', 'stat', 'CFS periods elapsed', 'count', { controller: 'cpu', file: 'cpu.stat', key: 'nr_periods', unit: 'count' }, { controller: 'cpu', file: 'cpu.stat', key: 'nr_periods', unit: 'count' }),
  e('cpu.nrThrottled', 'stat', 'Periods throttled', 'count', { controller: 'cpu', file: 'cpu.stat', key: 'nr_throttled', unit: 'count' }, { controller: 'cpu', file: 'cpu.stat', key: 'nr_throttled', unit: 'count' }),
  e('cpu.throttled', 'stat', 'Time throttled', 'ns', { controller: 'cpu', file: 'cpu.stat', key: 'throttled_time', unit: 'ns' }, { controller: 'cpu', file: 'cpu.stat', key: 'throttled_usec', unit: 'µs' }),
  e('pids.current', 'stat', 'Processes', 'count', { controller: 'pids', file: 'pids.current', unit: 'count' }, { controller: 'pids', file: 'pids.current', unit: 'count' }),
  e('pids.max', 'stat', 'Process limit', 'count', { controller: 'pids', file: 'pids.max', unit: 'count' }, { controller: 'pids', file: 'pids.max', unit: 'count' }),
  e('pressure.cpu', 'stat', 'CPU pressure (PSI)', '% stalled, avg10/60/300', null, { controller: '(core)', file: 'cpu.pressure', unit: 'some/full avg10 avg60 avg300 total(µs)', note: 'also on the v2 half of a hybrid layout' }),
  e('pressure.memory', 'stat', 'Memory pressure (PSI)', '% stalled, avg10/60/300', null, { controller: '(core)', file: 'memory.pressure', unit: 'some/full avg10 avg60 avg300 total(µs)', note: 'also on the v2 half of a hybrid layout' }),
];

export const vocabularyOf = (name: string): VocabularyEntry | undefined => VOCABULARY.find((v) => v.name === name);

/** `memory.limit_in_bytes ⇄ memory.max`: both names of a limit or statistic, for labels and help text. */
export function bothNames(name: string): string {
  const v = vocabularyOf(name);
  if (!v) return name;
  const side = (m: VersionMapping | null): string => (m ? `${m.file}${m.key ? `:${m.key}` : ''}` : '—');
  return `${side(v.v1)} ⇄ ${side(v.v2)}`;
}
