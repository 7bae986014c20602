// Resource limits in Docker's words (`memory`, `cpus`, `cpu-shares`…), validated and normalised to what
// the kernel wants, before anything is written. The driver translates the normalised form per version.
import { z } from 'zod';
import { NslabError } from '../errors.js';
import { MIN_MEMORY_BYTES, formatBytes, formatCpuList, parseBytes, parseCpuList, parseCpus, type Parsed } from './units.js';

export const CFS_DEFAULT_PERIOD_US = 100_000;
/** The kernel refuses a CFS quota below 1 ms and a period outside 1 ms … 1 s. */
export const CFS_MIN_US = 1_000;
export const CFS_MAX_PERIOD_US = 1_000_000;
export const SHARES_MIN = 2;
export const SHARES_MAX = 262_144;
export const RT_MAX_PERIOD_US = 1_000_000;

const isUnlimited = (v: unknown): boolean => v === -1 || v === '-1' || v === 'max' || v === 'unlimited';
const UNLIMITED_WORDS = '-1 or max for unlimited';

function parsed<T>(parse: (v: string | number) => Parsed<T>, what = '') {
  return z.union([z.string(), z.number()], { error: `expected a number or a string${what}` }).transform((v, ctx) => {
    const r = parse(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: `${r.error}${what}` });
      return z.NEVER;
    }
    return r.value;
  });
}

/**
 * Unlimited or a parsed value, as one schema rather than a union: a bad value gets the parser's own message
 * (what is allowed, in Docker's units) instead of a union's bare "Invalid input".
 */
const orUnlimited = <T>(parse: (v: string | number) => Parsed<T>) =>
  parsed<T | 'max'>((v) => (isUnlimited(v) ? { ok: true, value: 'max' } : parse(v)), `; or ${UNLIMITED_WORDS}`);

const Memory = orUnlimited(parseBytes).refine((v) => v === 'max' || v >= MIN_MEMORY_BYTES, {
  error: `the minimum memory limit is 6m (${MIN_MEMORY_BYTES} bytes, like Docker): below it a process cannot even start`,
});
const Int = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `expected a whole number of ${what}` })
    .refine((n) => Number.isInteger(n), { error: `expected a whole number of ${what}` })
    .refine((n) => n >= min && n <= max, { error: `must be between ${min} and ${max} ${what}` });
const parseInt = (min: number, max: number, what: string) => (v: string | number): Parsed<number> => {
  const r = Int(min, max, what).safeParse(v);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: `'${v}': ${r.error.issues[0]!.message}` };
};
const CpuList = z.string({ error: 'expected a CPU list such as 0-1,3' }).transform((v, ctx) => {
  const r = parseCpuList(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.value;
});

/** What a person asks for, keyed by Docker's flag names. */
export const LimitsInput = z
  .strictObject({
    memory: Memory.optional(),
    'memory-swap': orUnlimited(parseBytes).optional(),
    cpus: parsed(parseCpus).optional(),
    'cpu-period': Int(CFS_MIN_US, CFS_MAX_PERIOD_US, 'µs').optional(),
    'cpu-quota': orUnlimited(parseInt(CFS_MIN_US, 2 ** 53 - 1, 'µs')).optional(),
    'cpu-shares': Int(SHARES_MIN, SHARES_MAX, 'shares').optional(),
    'cpuset-cpus': CpuList.optional(),
    'cpuset-mems': CpuList.optional(),
    'pids-limit': orUnlimited(parseInt(1, 4_194_304, 'processes')).optional(),
    'cpu-rt-period': Int(1, RT_MAX_PERIOD_US, 'µs').optional(),
    'cpu-rt-runtime': Int(0, RT_MAX_PERIOD_US, 'µs').optional(),
  })
  .superRefine((l, ctx) => {
    if (l.cpus !== undefined && l['cpu-quota'] !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cpus'], message: 'cpus and cpu-quota both set the CFS quota: give one of them (cpus 1.5 = cpu-quota 150000 per cpu-period 100000)' });
    }
    if (l.cpus !== undefined) {
      const quota = Math.round(l.cpus * (l['cpu-period'] ?? CFS_DEFAULT_PERIOD_US));
      if (quota < CFS_MIN_US) ctx.addIssue({ code: 'custom', path: ['cpus'], message: `${l.cpus} CPUs is a quota of ${quota} µs per period; the kernel's minimum is ${CFS_MIN_US} µs (0.01 CPUs at the default period)` });
    }
    const mem = l.memory;
    const swap = l['memory-swap'];
    if (swap !== undefined && swap !== 'max') {
      if (mem === undefined) ctx.addIssue({ code: 'custom', path: ['memory-swap'], message: 'memory-swap is memory plus swap: set memory too' });
      else if (mem === 'max' || swap < mem) ctx.addIssue({ code: 'custom', path: ['memory-swap'], message: `memory-swap (${formatBytes(swap)}) must be at least memory (${mem === 'max' ? 'unlimited' : formatBytes(mem)}); use -1 for unlimited swap` });
    }
    const period = l['cpu-rt-period'];
    const runtime = l['cpu-rt-runtime'];
    if (runtime !== undefined && period !== undefined && runtime > period) {
      ctx.addIssue({ code: 'custom', path: ['cpu-rt-runtime'], message: `cpu-rt-runtime (${runtime} µs) cannot exceed cpu-rt-period (${period} µs)` });
    }
  });
export type LimitsInput = z.input<typeof LimitsInput>;

/** The kernel's view: numbers in kernel units, `max` for no limit, `cpus` folded into quota/period. */
export interface Limits {
  memory?: number | 'max';
  'memory-swap'?: number | 'max';
  'cpu-period'?: number;
  'cpu-quota'?: number | 'max';
  'cpu-shares'?: number;
  'cpuset-cpus'?: number[];
  'cpuset-mems'?: number[];
  'pids-limit'?: number | 'max';
  'cpu-rt-period'?: number;
  'cpu-rt-runtime'?: number;
}
export type LimitKey = keyof Limits;

export function normalizeLimits(input: z.output<typeof LimitsInput>): Limits {
  const { cpus, ...rest } = input;
  const out: Limits = { ...rest };
  if (cpus !== undefined) {
    const period = input['cpu-period'] ?? CFS_DEFAULT_PERIOD_US;
    out['cpu-period'] = period;
    out['cpu-quota'] = Math.round(cpus * period);
  }
  for (const k of Object.keys(out) as LimitKey[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** What the machine offers, read by the driver; checked before any write. */
export interface HostFacts {
  version: 'v1' | 'v2' | 'hybrid';
  /** CPUs and memory nodes the `nslab/` parent may use (its effective cpuset). */
  cpus: number[];
  mems: number[];
  /** v1 `memory.memsw.*` or v2 `memory.swap.max` exists (swap accounting is on). */
  swapAccounting: boolean;
  /** RT group scheduling: the parent's budget, or why there is none. */
  rt: { periodUs: number; runtimeUs: number } | { unsupported: string };
}

/** Checks the parts of a request that depend on this machine; throws invalid-params / unsupported-kernel. */
export function checkAgainstHost(limits: Limits, host: HostFacts): void {
  const bad = (field: string, message: string): never => {
    throw new NslabError('invalid-params', `${field}: ${message}`, { field: `limits.${field}` });
  };
  const quota = limits['cpu-quota'];
  if (quota !== undefined && quota !== 'max') {
    const period = limits['cpu-period'] ?? CFS_DEFAULT_PERIOD_US;
    if (quota / period > host.cpus.length + 1e-9) {
      bad('cpus', `${(quota / period).toFixed(2)} CPUs asked, but only ${host.cpus.length} are available (${formatCpuList(host.cpus)})`);
    }
  }
  for (const [key, have, what] of [
    ['cpuset-cpus', host.cpus, 'CPU'],
    ['cpuset-mems', host.mems, 'memory node'],
  ] as const) {
    const want = limits[key];
    if (!want) continue;
    const missing = want.filter((c) => !have.includes(c));
    if (missing.length) bad(key, `${what} ${formatCpuList(missing)} does not exist here (available: ${formatCpuList(have)})`);
  }
  if (limits['memory-swap'] !== undefined && !host.swapAccounting) {
    throw new NslabError('unsupported-kernel', 'memory-swap needs swap accounting, which this kernel has off (boot with swapaccount=1 on cgroup v1)', { field: 'limits.memory-swap' });
  }
  const rtPeriod = limits['cpu-rt-period'];
  const rtRuntime = limits['cpu-rt-runtime'];
  if (rtPeriod !== undefined || rtRuntime !== undefined) {
    if ('unsupported' in host.rt) {
      throw new NslabError('unsupported-kernel', host.rt.unsupported, { field: `limits.${rtRuntime !== undefined ? 'cpu-rt-runtime' : 'cpu-rt-period'}` });
    }
    if (rtRuntime !== undefined) {
      const period = rtPeriod ?? host.rt.periodUs;
      if (rtRuntime > period) bad('cpu-rt-runtime', `${rtRuntime} µs cannot exceed the period (${period} µs)`);
      // The kernel keeps every group's RT bandwidth (runtime/period) within its parent's.
      if (rtRuntime / period > host.rt.runtimeUs / host.rt.periodUs + 1e-9) {
        bad('cpu-rt-runtime', `${rtRuntime}/${period} µs is above the parent's real-time budget (${host.rt.runtimeUs}/${host.rt.periodUs} µs)`);
      }
    }
  }
}

/** Limits back in the words people typed (`memory: '50m'` style is lossy, so bytes stay bytes). */
export function describeLimits(l: Limits): Record<string, string> {
  const out: Record<string, string> = {};
  const fmt = (v: number | 'max', bytes = false): string => (v === 'max' ? 'unlimited' : bytes ? formatBytes(v) : String(v));
  if (l.memory !== undefined) out.memory = fmt(l.memory, true);
  if (l['memory-swap'] !== undefined) out['memory-swap'] = fmt(l['memory-swap'], true);
  if (l['cpu-quota'] !== undefined) {
    const period = l['cpu-period'] ?? CFS_DEFAULT_PERIOD_US;
    out.cpus = l['cpu-quota'] === 'max' ? 'unlimited' : String(Math.round((l['cpu-quota'] / period) * 1000) / 1000);
  }
  if (l['cpu-shares'] !== undefined) out['cpu-shares'] = String(l['cpu-shares']);
  if (l['cpuset-cpus']) out['cpuset-cpus'] = formatCpuList(l['cpuset-cpus']);
  if (l['cpuset-mems']) out['cpuset-mems'] = formatCpuList(l['cpuset-mems']);
  if (l['pids-limit'] !== undefined) out['pids-limit'] = fmt(l['pids-limit']);
  if (l['cpu-rt-period'] !== undefined) out['cpu-rt-period'] = `${l['cpu-rt-period']} µs`;
  if (l['cpu-rt-runtime'] !== undefined) out['cpu-rt-runtime'] = `${l['cpu-rt-runtime']} µs`;
  return out;
}
