// Parsers for the values people type in Docker's vocabulary (`50m`, `1.5`, `0-3,5`). Runtime-free: the
// renderer validates as the user types, the helper validates again before any write.

const MEMORY_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Docker's `--memory` minimum (6 MiB): below it a container cannot even start its runtime. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

/**
 * Bytes from `50m`, `1g`, `1.5G`, `512k`, `52428800`, `64MiB` — binary units like Docker's `RAMInBytes`.
 * A plain number is bytes.
 */
export function parseBytes(input: string | number): Parsed<number> {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0 ? { ok: true, value: input } : fail('expected a whole number of bytes, or a size such as 50m or 1g');
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(input);
  if (!m) return fail(`'${input}' is not a size: use a number with one of Docker's units b, k, m, g (binary: 1m = 1024k), e.g. 64m or 1g`);
  const bytes = Math.floor(Number(m[1]) * MEMORY_UNITS[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) return fail(`'${input}' is too large`);
  return { ok: true, value: bytes };
}

/** `1.5` CPUs → a positive finite number (Docker `--cpus`). */
export function parseCpus(input: string | number): Parsed<number> {
  const n = typeof input === 'number' ? input : /^\s*\d+(?:\.\d+)?\s*$/.test(input) ? Number(input) : NaN;
  if (!Number.isFinite(n)) return fail(`'${input}' is not a number of CPUs (e.g. 0.5, 1.5)`);
  if (n <= 0) return fail('must be more than 0 CPUs');
  return { ok: true, value: n };
}

/** A kernel CPU/NUMA list (`0-3,5`) → sorted unique indices. */
export function parseCpuList(input: string): Parsed<number[]> {
  const text = input.trim();
  if (text === '') return fail('must not be empty');
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return fail(`'${input}' is not a CPU list: use numbers and ranges such as 0-3,5`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return fail(`range ${part} goes backwards`);
    if (to > 8191) return fail(`${to} is beyond any CPU number the kernel supports`);
    for (let i = from; i <= to; i++) out.add(i);
  }
  return { ok: true, value: [...out].sort((a, b) => a - b) };
}

/** Indices → the kernel's compact form (`0-3,5`). */
export function formatCpuList(list: readonly number[]): string {
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Bytes for people, the same in the CLI, the labs' messages and the UI: 52428800 → `50 MiB`; no value → `—`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v.toFixed(v >= 100 ? 0 : 1).replace(/\.0$/, '')} ${units[u]}`;
}

/**
 * cgroup v1 `cpu.shares` → v2 `cpu.weight`, the conversion runc and crun use
 * (runc libcontainer/cgroups `ConvertCPUSharesToCgroupV2Value`): maps [2, 262144] linearly onto
 * [1, 10000], so the v1 default 1024 becomes 39 (not v2's default 100 — the same as runc).
 */
export const sharesToWeight = (shares: number): number => (shares === 0 ? 0 : 1 + Math.floor(((shares - 2) * 9999) / 262142));

/** The inverse, for showing a v2 weight in v1 words (rounded up so that weight→shares→weight is stable). */
export const weightToShares = (weight: number): number => (weight <= 1 ? 2 : 2 + Math.ceil(((weight - 1) * 262142) / 9999));

const MIB = 1024 * 1024;

/** A size as a person types it: whole MiB as `32m`, anything else in bytes. */
export const typedSize = (bytes: number): string => (bytes % MIB === 0 ? `${bytes / MIB}m` : String(bytes));

/**
 * Why a v1 memory limit below what the group already uses is refused (the kernel answers EBUSY when it
 * cannot reclaim enough), and what would work: free memory, or a limit above the usage.
 */
export function belowUsageMessage(field: string, askedBytes: number, usageBytes: number): string {
  const enough = Math.floor(usageBytes / MIB) + 1;
  return `${field}: the group already uses ${formatBytes(usageBytes)}, more than ${typedSize(askedBytes)}, and the kernel could not reclaim enough: free memory first (stop or shrink what runs in it) or pick ≥ ${enough}m`;
}
