// Cgroups: the nslab/ tree, the selected group's limits and processes, and its live series.
// The series come from the helper's metrics sampler: selecting a group loads its kept history (15 minutes)
// and subscribes to its series; each `metrics.sample` event appends one point; leaving unsubscribes. The
// renderer never reads cgroup files on a timer: the group's details are re-read only after an action, or
// when the sampler reports that its process count changed (one `cgroup.show`, which also updates the
// group's entry in the tree). History and live samples carry the same counters and rates, computed once
// by the helper's sampler.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { seriesId, type CgroupDetail, type CgroupInfo, type Result, type SeriesSample } from '@shared/contract/index';
import { toNslabError, type NslabError } from '@shared/errors';
import { useApi } from '../api';
import { useLoading } from '../composables/useLoading';

/** 15 minutes at 1 Hz (the sampler's default); a longer history is cut to the newest points. */
export const HISTORY_POINTS = 900;
/** The overview of every group (nothing selected) keeps the last 2 minutes of live points. */
export const OVERVIEW_POINTS = 120;

export interface Series {
  /** Seconds since the epoch. */
  t: number[];
  cpuPct: (number | null)[];
  memory: (number | null)[];
  memoryLimit: (number | null)[];
  /** Throttled periods per second. */
  throttled: (number | null)[];
  /** OOM kills so far (the kernel's counter). */
  oom: (number | null)[];
}

export const emptySeries = (): Series => ({ t: [], cpuPct: [], memory: [], memoryLimit: [], throttled: [], oom: [] });

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A group's details without its statistics: its entry in the tree. */
function infoOf({ stats: _stats, ...info }: CgroupDetail): CgroupInfo {
  return info;
}

function trim(s: Series, max: number): void {
  if (s.t.length > max) for (const k of Object.keys(s) as (keyof Series)[]) s[k].splice(0, s[k].length - max);
}

/** One `metrics.sample` point of a cgroup series appended (rates as the sampler computed them). */
export function appendSample(s: Series, sample: Pick<SeriesSample, 't' | 'values' | 'rates'>, max = HISTORY_POINTS): void {
  const t = sample.t / 1000;
  if (s.t.length && t <= s.t[s.t.length - 1]!) return; // already have it (history and live overlap)
  s.t.push(t);
  s.cpuPct.push(num(sample.rates.cpuPercent));
  s.memory.push(num(sample.values.memory));
  s.memoryLimit.push(num(sample.values.memoryLimit));
  s.throttled.push(num(sample.rates.throttlesPerSecond));
  s.oom.push(num(sample.values.oomKills));
  trim(s, max);
}

/** `metrics.history` (columnar counters and the sampler's rates) as chart series: its newest points. */
export function seriesFromHistory(h: Pick<Result<'metrics.history'>, 't' | 'values' | 'rates'>, max = HISTORY_POINTS): Series {
  const s = emptySeries();
  const { values: v, rates: r } = h;
  for (let i = Math.max(0, h.t.length - max); i < h.t.length; i++) {
    const values = { memory: v.memory?.[i] ?? null, memoryLimit: v.memoryLimit?.[i] ?? null, oomKills: v.oomKills?.[i] ?? null };
    appendSample(s, { t: h.t[i]!, values, rates: { cpuPercent: r.cpuPercent?.[i] ?? null, throttlesPerSecond: r.throttlesPerSecond?.[i] ?? null } }, max);
  }
  return s;
}

export const useCgroupsStore = defineStore('cgroups', () => {
  const layout = shallowRef<Result<'cgroup.layout'> | null>(null);
  const groups = shallowRef<CgroupInfo[] | null>(null);
  const { loading, error, track } = useLoading();
  const selected = ref<string | null>(null);
  const detail = shallowRef<CgroupDetail | null>(null);
  const detailError = shallowRef<NslabError | null>(null);
  const series = shallowRef<Series>(emptySeries());
  /** True while the selected group's history is being loaded. */
  const historyLoading = ref(false);
  /** Why the live series cannot be had (the sampler refused), if so. */
  const seriesError = shallowRef<NslabError | null>(null);
  /** Bumped on every change of `series` (charts redraw on it, at most once a frame). */
  const tick = ref(0);
  /** The series id this view is subscribed to, and whether the panel is open. */
  let subscribed: string | null = null;
  let open = false;
  let stopEvents: (() => void) | null = null;
  /** Live points that arrived while the history was loading (merged after it, newest last). */
  let pending: SeriesSample[] | null = null;
  let lastPids: number | null = null;
  let generation = 0;
  /** Every group at a glance while the panel is open and no group is selected: series id → live points. */
  const overview = shallowRef<Map<string, Series>>(new Map());
  const overviewTick = ref(0);
  let overviewIds = new Set<string>();

  const writable = computed(() => layout.value?.writable ?? false);

  function refresh(): Promise<void> {
    return track(async () => {
      const api = useApi();
      const [l, list] = await Promise.all([api.call('cgroup.layout', {}), api.call('cgroup.list', {})]);
      layout.value = l;
      groups.value = list.groups;
      if (selected.value && !list.groups.some((g) => g.name === selected.value)) select(null);
      syncOverview();
    });
  }

  /** Re-reads the selected group's details (processes, limits): after an action, or when its pids changed. */
  async function reload(): Promise<void> {
    const name = selected.value;
    if (!name) return;
    try {
      const d = await useApi().call('cgroup.show', { name });
      if (selected.value !== name) return;
      detail.value = d;
      detailError.value = null;
      // The tree shows the same group: its entry follows (one read, not a re-list).
      if (groups.value?.some((g) => g.name === name)) groups.value = groups.value.map((g) => (g.name === name ? infoOf(d) : g));
    } catch (err) {
      if (selected.value === name) detailError.value = toNslabError(err);
    }
  }

  function onSample(ev: { samples: SeriesSample[]; removed: string[] }): void {
    if (overviewIds.size) {
      let changed = false;
      for (const smp of ev.samples) {
        if (!overviewIds.has(smp.series)) continue;
        let s = overview.value.get(smp.series);
        if (!s) overview.value.set(smp.series, (s = emptySeries()));
        appendSample(s, smp, OVERVIEW_POINTS);
        changed = true;
      }
      if (changed) overviewTick.value++;
    }
    if (!subscribed) return;
    for (const smp of ev.samples) {
      if (smp.series !== subscribed) continue;
      if (pending) {
        pending.push(smp);
        continue;
      }
      appendSample(series.value, smp);
      tick.value++;
      const pids = num(smp.values.pids);
      if (lastPids !== null && pids !== lastPids) void reload();
      lastPids = pids;
    }
    if (ev.removed.includes(subscribed)) void refresh();
  }

  function listen(): void {
    stopEvents ??= useApi().on('metrics.sample', onSample);
  }

  /** Stops the helper sending these series, except those the other view (group or overview) still shows. */
  async function release(ids: string[]): Promise<void> {
    const series = ids.filter((id) => id !== subscribed && !overviewIds.has(id));
    if (series.length) await useApi().call('metrics.unsubscribe', { series }).catch(() => undefined);
  }

  async function unsubscribe(): Promise<void> {
    const id = subscribed;
    subscribed = null;
    pending = null;
    if (id) await release([id]);
  }

  /** The overview follows every group while the panel is open and nothing is selected. */
  function syncOverview(): void {
    const want = new Set(open && selected.value === null ? (groups.value ?? []).map((g) => seriesId('cgroup', g.name)) : []);
    const added = [...want].filter((id) => !overviewIds.has(id));
    const gone = [...overviewIds].filter((id) => !want.has(id));
    if (!added.length && !gone.length) return;
    overviewIds = want;
    const next = new Map([...overview.value].filter(([id]) => want.has(id)));
    for (const id of added) next.set(id, emptySeries());
    overview.value = next;
    overviewTick.value++;
    if (want.size) listen();
    if (added.length) void useApi().call('metrics.subscribe', { series: added }).catch((err: unknown) => (seriesError.value = toNslabError(err)));
    if (gone.length) void release(gone);
  }

  /** Subscribes to the selected group's series, then loads its kept history under the live points. */
  async function follow(name: string): Promise<void> {
    const api = useApi();
    const id = seriesId('cgroup', name);
    const gen = ++generation;
    listen();
    subscribed = id;
    pending = [];
    historyLoading.value = true;
    seriesError.value = null;
    try {
      await api.call('metrics.subscribe', { series: [id] });
      let s = emptySeries();
      let pids: number | null = null;
      try {
        const h = await api.call('metrics.history', { series: id });
        s = seriesFromHistory(h);
        pids = num(h.values.pids?.at(-1));
      } catch (err) {
        // A group created a moment ago has no sample yet: its first live point starts the series.
        if (toNslabError(err).code !== 'not-found') throw err;
      }
      if (gen !== generation) return;
      for (const smp of pending ?? []) {
        appendSample(s, smp);
        pids = num(smp.values.pids);
      }
      pending = null;
      lastPids = pids;
      series.value = s;
      tick.value++;
    } catch (err) {
      if (gen !== generation) return;
      pending = null;
      seriesError.value = toNslabError(err);
    } finally {
      if (gen === generation) historyLoading.value = false;
    }
  }

  function select(name: string | null): void {
    if (selected.value === name) return;
    selected.value = name;
    detail.value = null;
    detailError.value = null;
    seriesError.value = null;
    series.value = emptySeries();
    lastPids = null;
    tick.value++;
    generation++;
    void unsubscribe();
    if (name) {
      void reload();
      if (open) void follow(name);
    }
    syncOverview();
  }

  /** The panel opened: the tree, and the selected group's history and live series. */
  function start(): Promise<void> {
    open = true;
    if (selected.value && !subscribed) {
      void reload();
      void follow(selected.value);
    }
    return refresh();
  }

  /** The panel closed: no more live points for it. */
  function stop(): void {
    open = false;
    generation++;
    historyLoading.value = false;
    stopEvents?.();
    stopEvents = null;
    syncOverview();
    void unsubscribe();
  }

  return { layout, groups, loading, error, selected, detail, detailError, series, historyLoading, seriesError, tick, overview, overviewTick, writable, refresh, reload, select, start, stop };
});
