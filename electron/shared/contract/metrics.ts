// The metrics sampler: series of cgroup and interface counters, sampled in the helper every 1 s by
// default (100 ms–10 s), kept ≥ 15 minutes per series; clients subscribe to series and receive each new
// sample (with rates against the previous one) as a `metrics.sample` event, and ask for history.
import { z } from 'zod';
import { CGROUP_ROOT } from '../cgroup/names.js';
import { defineMethods } from './define.js';

export const METRICS_INTERVAL = { min: 100, max: 10_000, default: 1000 } as const;
/** Every series keeps at least this much history, whatever the interval. */
export const METRICS_HISTORY_MS = 15 * 60 * 1000;

/** The counters a cgroup series keeps (ns, bytes, counts as the kernel reports them; null = no such file). */
export const CGROUP_FIELDS = ['cpuNs', 'memory', 'memoryLimit', 'nrThrottled', 'throttledNs', 'pids', 'pidsMax', 'oomKills'] as const;
/** The counters an interface series keeps (/proc/net/dev). */
export const NET_FIELDS = ['rxBytes', 'rxPackets', 'rxErrors', 'rxDrops', 'txBytes', 'txPackets', 'txErrors', 'txDrops'] as const;
/** Per-second rates of a cgroup series, computed once in the helper: cpuPercent 100 = one CPU busy. */
export const CGROUP_RATES = ['cpuPercent', 'throttledPercent', 'throttlesPerSecond'] as const;
/** Per-second rates of an interface series. */
export const NET_RATES = ['rxBps', 'txBps', 'rxPps', 'txPps', 'dropsPerSecond', 'errorsPerSecond'] as const;
export type CgroupField = (typeof CGROUP_FIELDS)[number];
export type NetField = (typeof NET_FIELDS)[number];
export type CgroupRate = (typeof CGROUP_RATES)[number];
export type NetRate = (typeof NET_RATES)[number];
export type SeriesKind = 'cgroup' | 'net';

/** The one place a series id is built: `cgroup:nslab/<name>`, `net:<netns>:<ifname>`, `net:host:<ifname>`. */
export function seriesId(kind: 'cgroup', name: string): string;
export function seriesId(kind: 'net', netns: string | 'host', ifname: string): string;
export function seriesId(kind: SeriesKind, a: string, b?: string): string {
  return kind === 'cgroup' ? `cgroup:${CGROUP_ROOT}/${a}` : `net:${a}:${b}`;
}

/** `cgroup:nslab/<name>`, `net:<netns>:<ifname>`, `net:host:<ifname>` (see seriesId); `*` = every series. */
export const SeriesId = z.string().regex(/^(\*|cgroup:nslab\/[A-Za-z0-9_][A-Za-z0-9_.-]*|net:[A-Za-z0-9_][A-Za-z0-9_.-]*:[^\s/:]{1,15})$/, {
  error: 'expected a series id such as cgroup:nslab/web, net:nslab-red:eth0 or *',
});

const Field = z.enum([...CGROUP_FIELDS, ...NET_FIELDS]);
const Rate = z.enum([...CGROUP_RATES, ...NET_RATES]);
/** A series' counters by field name (a cgroup series has the cgroup fields, an interface the net ones). */
const Values = z.partialRecord(Field, z.number().nullable());
/** Per second against the previous sample: cpuPercent (100 = one CPU), rxBps/txBps, rxPps/txPps… */
const Rates = z.partialRecord(Rate, z.number().nullable());

export const SeriesSample = z.object({ series: z.string(), t: z.number(), values: Values, rates: Rates });
export type SeriesSample = z.infer<typeof SeriesSample>;

export const MetricsSampleEvent = z.object({ t: z.number(), interval: z.number(), samples: z.array(SeriesSample), removed: z.array(z.string()) });

const Config = z.object({ interval: z.number(), capacity: z.number(), series: z.number() });

export const metrics = defineMethods({
  'metrics.config': {
    summary: 'Read or change the sampling interval (100 ms–10 s).',
    renderer: false, // changes the sampling interval for every client of the helper; CLI (`nslab top --interval`) only
    params: z.strictObject({ interval: z.number().int().min(METRICS_INTERVAL.min).max(METRICS_INTERVAL.max).optional() }),
    result: Config,
  },
  'metrics.series': {
    summary: 'Every series being sampled, with its fields.',
    renderer: false, // CLI (`nslab top`) only; the panels use metrics.subscribe + metrics.history
    params: z.strictObject({}),
    result: z.object({ series: z.array(z.object({ id: z.string(), kind: z.enum(['cgroup', 'net']), fields: z.array(Field), rates: z.array(Rate) })) }),
  },
  'metrics.snapshot': {
    summary: 'The latest sample of every series, with rates (waits for two samples if needed).',
    renderer: false, // CLI (`nslab top`) only; the panels use metrics.subscribe + metrics.history
    params: z.strictObject({}),
    result: z.object({ t: z.number(), interval: z.number(), samples: z.array(SeriesSample) }),
  },
  'metrics.subscribe': {
    summary: 'Receive new samples of these series as metrics.sample events on this connection (no events.subscribe needed).',
    renderer: true,
    params: z.strictObject({ series: z.array(SeriesId).min(1).max(10_000) }),
    result: z.object({ series: z.array(z.string()), interval: z.number() }),
  },
  'metrics.unsubscribe': {
    summary: 'Stop receiving these series (all with *).',
    renderer: true,
    params: z.strictObject({ series: z.array(SeriesId).min(1).max(10_000) }),
    result: z.object({ series: z.array(z.string()) }),
  },
  'metrics.history': {
    summary: 'The kept samples of one series (newer than `since`, ms since the epoch), columnar: the same counters and rates as live samples.',
    renderer: true,
    params: z.strictObject({ series: SeriesId, since: z.number().optional() }),
    result: z.object({
      series: z.string(),
      interval: z.number(),
      t: z.array(z.number()),
      values: z.partialRecord(Field, z.array(z.number().nullable())),
      rates: z.partialRecord(Rate, z.array(z.number().nullable())),
    }),
  },
});

export const metricsEvents = { 'metrics.sample': MetricsSampleEvent } as const;
