// Cgroups: the nslab/ tree, the selected group's limits and processes, and its live series.
// Live series come from `cgroup.show` statistics sampled once a second while the panel shows a group,
// until the helper's metrics sampler (issue 4) offers history and delta events; then `sample()` is the only
// part to replace.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CgroupDetail, CgroupInfo, Result } from '../../../electron/shared/contract/index';
import { toNslabError, type NslabError } from '../../../electron/shared/errors';
import { useApi } from '../api';

/** 15 minutes at 1 Hz. */
export const HISTORY_POINTS = 900;
export const SAMPLE_MS = 1000;

export interface Series {
  /** Seconds since the epoch. */
  t: number[];
  cpuPct: (number | null)[];
  memory: (number | null)[];
  memoryLimit: (number | null)[];
  throttled: (number | null)[];
  oom: (number | null)[];
}

export const emptySeries = (): Series => ({ t: [], cpuPct: [], memory: [], memoryLimit: [], throttled: [], oom: [] });

interface Prev {
  at: number;
  usageNs: number | null;
  nrThrottled: number | null;
}

/** One statistics sample appended to the series (CPU % and throttling as rates since the previous one). */
export function appendSample(s: Series, stats: CgroupDetail['stats'], atMs: number, prev: Prev | null, max = HISTORY_POINTS): Prev {
  const dt = prev ? (atMs - prev.at) / 1000 : 0;
  const cpu = stats.cpu.usageNs;
  const thr = stats.cpu.nrThrottled;
  s.t.push(atMs / 1000);
  s.cpuPct.push(prev && dt > 0 && cpu !== null && prev.usageNs !== null ? Math.max(0, ((cpu - prev.usageNs) / 1e9 / dt) * 100) : null);
  s.memory.push(stats.memory.usage);
  s.memoryLimit.push(typeof stats.memory.limit === 'number' ? stats.memory.limit : null);
  s.throttled.push(prev && thr !== null && prev.nrThrottled !== null ? Math.max(0, thr - prev.nrThrottled) : null);
  s.oom.push(stats.memory.oomKills ?? stats.memory.oomEvents);
  if (s.t.length > max) for (const k of Object.keys(s) as (keyof Series)[]) s[k].splice(0, s[k].length - max);
  return { at: atMs, usageNs: cpu, nrThrottled: thr };
}

export const useCgroupsStore = defineStore('cgroups', () => {
  const layout = shallowRef<Result<'cgroup.layout'> | null>(null);
  const groups = shallowRef<CgroupInfo[] | null>(null);
  const loading = ref(false);
  const error = shallowRef<NslabError | null>(null);
  const selected = ref<string | null>(null);
  const detail = shallowRef<CgroupDetail | null>(null);
  const detailError = shallowRef<NslabError | null>(null);
  const series = shallowRef<Series>(emptySeries());
  /** Bumped on every sample (charts redraw on it). */
  const tick = ref(0);
  let prev: Prev | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  const writable = computed(() => layout.value?.writable ?? false);

  async function refresh(): Promise<void> {
    const api = useApi();
    loading.value = true;
    try {
      const [l, list] = await Promise.all([api.call('cgroup.layout', {}), api.call('cgroup.list', {})]);
      layout.value = l;
      groups.value = list.groups;
      error.value = null;
      if (selected.value && !list.groups.some((g) => g.name === selected.value)) select(null);
    } catch (err) {
      error.value = toNslabError(err);
    } finally {
      loading.value = false;
    }
  }

  async function sample(): Promise<void> {
    const name = selected.value;
    if (!name) return;
    try {
      const d = await useApi().call('cgroup.show', { name });
      if (selected.value !== name) return;
      detail.value = d;
      detailError.value = null;
      prev = appendSample(series.value, d.stats, Date.now(), prev);
      tick.value++;
    } catch (err) {
      if (selected.value === name) detailError.value = toNslabError(err);
    }
  }

  function select(name: string | null): void {
    if (selected.value === name) return;
    selected.value = name;
    detail.value = null;
    detailError.value = null;
    series.value = emptySeries();
    prev = null;
    tick.value++;
    if (name) void sample();
  }

  /** While the panel is open: sample the selected group every second. */
  function start(): Promise<void> {
    timer ??= setInterval(() => void sample(), SAMPLE_MS);
    return refresh();
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = null;
  }

  return { layout, groups, loading, error, selected, detail, detailError, series, tick, writable, refresh, sample, select, start, stop };
});
