// The sampler: one sweep per interval over every nslab/ group and every interface of every nslab
// namespace, into a ring per series; subscribers get each new sample of their series, with rates. The
// rates are computed once, here, at the sweep, and kept in the ring beside the counters: a live sample and
// a history carry the same fields.
import {
  CGROUP_FIELDS,
  CGROUP_RATES,
  METRICS_HISTORY_MS,
  METRICS_INTERVAL,
  NET_FIELDS,
  NET_RATES,
  seriesId,
  type CgroupField,
  type CgroupRate,
  type NetField,
  type NetRate,
  type SeriesKind,
  type SeriesSample,
} from '../../shared/contract/metrics.js';
import type { EventName, EventPayload, Result } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import type { CgroupBackend } from '../cgroup/backend.js';
import { CgroupProbe } from '../cgroup/probe.js';
import { NetSource } from './net.js';
import { Ring } from './ring.js';

export interface Subscriber {
  id: string;
  notify<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

type Values = Record<string, number | null>;
interface Series {
  kind: SeriesKind;
  /** Counters then rates, one column each. */
  ring: Ring;
  last: { t: number; values: Values; rates: Values } | null;
}

/** Each kind's counters and rates, in the ring's column order. */
const COLUMNS: Record<SeriesKind, { values: readonly (CgroupField | NetField)[]; rates: readonly (CgroupRate | NetRate)[] }> = {
  cgroup: { values: CGROUP_FIELDS, rates: CGROUP_RATES },
  net: { values: NET_FIELDS, rates: NET_RATES },
};

const capacityFor = (interval: number): number => Math.ceil(METRICS_HISTORY_MS / interval) + 1;
/** cpu ns per second → percent of one CPU. */
const NS_PER_CPU_PERCENT = 1e7;

/** Per-second rates between two samples of a series. */
export function ratesOf(kind: SeriesKind, prev: { t: number; values: Values } | null, cur: { t: number; values: Values }): Record<string, number | null> {
  const dt = prev ? (cur.t - prev.t) / 1000 : 0;
  const rate = (f: string): number | null => {
    const a = prev?.values[f];
    const b = cur.values[f];
    return dt > 0 && typeof a === 'number' && typeof b === 'number' && b >= a ? (b - a) / dt : null;
  };
  if (kind === 'cgroup') {
    const cpu = rate('cpuNs');
    const thr = rate('throttledNs');
    const nr = rate('nrThrottled');
    return { cpuPercent: cpu === null ? null : cpu / NS_PER_CPU_PERCENT, throttledPercent: thr === null ? null : thr / NS_PER_CPU_PERCENT, throttlesPerSecond: nr };
  }
  return { rxBps: rate('rxBytes'), txBps: rate('txBytes'), rxPps: rate('rxPackets'), txPps: rate('txPackets'), dropsPerSecond: sum(rate('rxDrops'), rate('txDrops')), errorsPerSecond: sum(rate('rxErrors'), rate('txErrors')) };
}
const sum = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

export class Sampler {
  interval: number = METRICS_INTERVAL.default;
  private timer: NodeJS.Timeout | null = null;
  private readonly series = new Map<string, Series>();
  private readonly probes = new Map<string, CgroupProbe>();
  private readonly net = new NetSource();
  private readonly subscribers = new Map<string, { sub: Subscriber; series: Set<string> }>();
  private lastSweep = 0;
  private sweeps = 0;

  constructor(private readonly backend: CgroupBackend | null) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.sweep();
    this.timer = setInterval(() => this.sweep(), this.interval);
    this.timer.unref(); // never keeps a CLI process alive by itself
  }

  setInterval(ms: number): void {
    this.interval = ms;
    for (const s of this.series.values()) s.ring = s.ring.resized(capacityFor(ms));
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      this.start();
    }
  }

  config(): { interval: number; capacity: number; series: number } {
    return { interval: this.interval, capacity: capacityFor(this.interval), series: this.series.size };
  }

  /** One pass over every source; returns the samples taken. */
  sweep(): SeriesSample[] {
    const t = Date.now();
    this.lastSweep = t;
    this.sweeps++;
    const seen = new Set<string>();
    const samples: SeriesSample[] = [];
    const record = (id: string, kind: SeriesKind, values: Values): void => {
      seen.add(id);
      let s = this.series.get(id);
      if (!s) {
        s = { kind, ring: new Ring(capacityFor(this.interval), [...COLUMNS[kind].values, ...COLUMNS[kind].rates]), last: null };
        this.series.set(id, s);
      }
      const rates = ratesOf(kind, s.last, { t, values });
      s.ring.push(t, values, rates);
      s.last = { t, values, rates };
      samples.push({ series: id, t, values, rates });
    };
    if (this.backend) {
      // A readdir per hierarchy finds the groups; each group's files stay open between sweeps.
      const names = this.backend.list();
      for (const name of names) {
        const id = seriesId('cgroup', name);
        let probe = this.probes.get(id);
        if (!probe) this.probes.set(id, (probe = new CgroupProbe(this.backend, name)));
        const values = probe.sample();
        if (values) record(id, 'cgroup', values);
      }
    }
    for (const [id, values] of this.net.sweep()) record(id, 'net', values);
    const removed: string[] = [];
    for (const id of this.series.keys()) {
      if (seen.has(id)) continue;
      removed.push(id);
      this.series.delete(id);
      this.probes.get(id)?.close();
      this.probes.delete(id);
    }
    for (const { sub, series } of this.subscribers.values()) {
      const mine = series.has('*') ? samples : samples.filter((s) => series.has(s.series));
      const gone = series.has('*') ? removed : removed.filter((id) => series.has(id));
      if (mine.length || gone.length) sub.notify('metrics.sample', { t, interval: this.interval, samples: mine, removed: gone });
    }
    return samples;
  }

  list(): Result<'metrics.series'>['series'] {
    return [...this.series].map(([id, s]) => ({ id, kind: s.kind, fields: [...COLUMNS[s.kind].values], rates: [...COLUMNS[s.kind].rates] }));
  }

  /** Latest sample of every series with rates: sweeps twice if there is no previous sample yet. */
  async snapshot(): Promise<{ t: number; interval: number; samples: SeriesSample[] }> {
    this.start();
    // Rates need two samples; a namespace's parked process needs a moment before its first one.
    for (let round = 0; round < 3 && (this.sweeps < 2 || [...this.series.values()].some((s) => s.ring.length < 2)); round++) {
      await new Promise((r) => setTimeout(r, Math.max(0, this.interval - (Date.now() - this.lastSweep))));
      this.sweep();
    }
    const samples = [...this.series].filter(([, s]) => s.last).map(([id, s]) => ({ series: id, ...s.last! }));
    return { t: this.lastSweep, interval: this.interval, samples };
  }

  /** Returns whether this subscriber is new (so the caller hooks its disconnect once). */
  subscribe(sub: Subscriber, ids: string[]): { series: string[]; added: boolean } {
    this.start();
    const added = !this.subscribers.has(sub.id);
    const entry = this.subscribers.get(sub.id) ?? { sub, series: new Set<string>() };
    for (const id of ids) entry.series.add(id);
    this.subscribers.set(sub.id, entry);
    return { series: [...entry.series], added };
  }

  unsubscribe(subId: string, ids: string[]): string[] {
    const entry = this.subscribers.get(subId);
    if (!entry) return [];
    if (ids.includes('*')) entry.series.clear();
    else for (const id of ids) entry.series.delete(id);
    if (entry.series.size === 0) this.subscribers.delete(subId);
    return [...(entry.series ?? [])];
  }

  /** The kept samples, columnar: the same counters and rates a live sample carries. */
  history(id: string, since?: number): Result<'metrics.history'> {
    this.start();
    const s = this.series.get(id);
    if (!s) throw new NslabError('not-found', `no series ${id} (see metrics.series)`, { field: 'series' });
    const { t, values: columns } = s.ring.since(since);
    const pick = (fields: readonly string[]): Record<string, (number | null)[]> => Object.fromEntries(fields.map((f) => [f, columns[f]!]));
    return { series: id, interval: this.interval, t, values: pick(COLUMNS[s.kind].values), rates: pick(COLUMNS[s.kind].rates) };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const p of this.probes.values()) p.close();
    this.probes.clear();
    this.net.close();
  }
}
