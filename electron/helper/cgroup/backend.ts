// One interface, two backends (v1, v2). A backend knows where a group's files are and how each limit and
// statistic maps onto them (see shared/cgroup/vocabulary.ts); the driver above it does validation, the
// ledger and the remove-after-empty dance.
import type { HostFacts, Limits } from '../../shared/cgroup/limits.js';
import type { CgroupLimits, CgroupStats } from '../../shared/contract/cgroup.js';
import type { CgroupSampleReader } from './probe.js';

export interface Write {
  file: string;
  value: string;
}

export interface CgroupBackend {
  readonly version: 'v1' | 'v2' | 'hybrid';
  /** controller → mount point, for display. */
  readonly hierarchies: { controller: string; mount: string }[];
  /** `nslab/<name>`'s directory in every hierarchy it lives in. */
  dirs(name: string): string[];
  /** The `cgroup.procs` files a process writes its pid into to join the group everywhere. */
  procsFiles(name: string): string[];
  exists(name: string): boolean;
  /** Groups under `nslab/` in any hierarchy. */
  list(): string[];
  hostFacts(): HostFacts;
  create(name: string): void;
  /** Writes the limits (already validated) in a safe order; returns what was written. */
  apply(name: string, limits: Limits): Write[];
  readLimits(name: string): CgroupLimits;
  stats(name: string): CgroupStats;
  /** The sampler's hot path for one group: this backend's files kept open, parsed into the live fields. */
  sampleReader(name: string): CgroupSampleReader;
  procs(name: string): number[];
  /** The kernel's count of OOM kills in the group (one file: what stats() reads it from), null where none is kept. */
  oomKills(name: string): number | null;
  /** SIGKILLs every process; returns how many there were. */
  kill(name: string): number;
  freeze(name: string, frozen: boolean): void;
  /** rmdir in every hierarchy (the group must be empty). */
  remove(name: string): void;
  /** Removes the `nslab/` parents when no group is left in them. */
  removeRootIfEmpty(): void;
  /** Whether an empty `nslab/` parent is left in some hierarchy (a create killed between the two mkdirs). */
  hasEmptyRoot(): boolean;
}

const FIELD_OF_FILE: Record<string, string> = {
  'memory.limit_in_bytes': 'memory',
  'memory.max': 'memory',
  'memory.memsw.limit_in_bytes': 'memory-swap',
  'memory.swap.max': 'memory-swap',
  'cpu.cfs_period_us': 'cpu-period',
  'cpu.cfs_quota_us': 'cpu-quota',
  'cpu.max': 'cpus',
  'cpu.shares': 'cpu-shares',
  'cpu.weight': 'cpu-shares',
  'cpuset.cpus': 'cpuset-cpus',
  'cpuset.mems': 'cpuset-mems',
  'pids.max': 'pids-limit',
  'cpu.rt_period_us': 'cpu-rt-period',
  'cpu.rt_runtime_us': 'cpu-rt-runtime',
};

/** The request field a cgroup file belongs to, so a kernel refusal names what the user typed. */
export const fieldOf = (file: string): string => {
  const base = file.split('/').pop()!;
  return `limits.${FIELD_OF_FILE[base] ?? base}`;
};
