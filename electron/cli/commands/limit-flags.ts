// Docker's resource flags, shared by `nslab cgroup create|set` and `nslab run`.
import type { Command } from 'commander';
import { LimitsInput } from '../../shared/cgroup/limits.js';
import { zodToNslabError } from '../../shared/errors.js';

export const LIMIT_FLAGS: [flag: string, key: string, help: string][] = [
  ['--memory <size>', 'memory', 'memory limit, e.g. 50m, 1g (at least 6m; -1 = unlimited)'],
  ['--memory-swap <size>', 'memory-swap', 'memory plus swap limit (-1 = unlimited swap)'],
  ['--cpus <n>', 'cpus', 'CPU limit, e.g. 1.5 (= cpu-quota 150000 per cpu-period 100000)'],
  ['--cpu-period <us>', 'cpu-period', 'CFS period in µs (1000–1000000, default 100000)'],
  ['--cpu-quota <us>', 'cpu-quota', 'CFS quota in µs per period (≥ 1000; -1 = unlimited)'],
  ['--cpu-shares <n>', 'cpu-shares', 'relative CPU weight (2–262144, default 1024)'],
  ['--cpuset-cpus <list>', 'cpuset-cpus', 'CPUs allowed, e.g. 0-1,3'],
  ['--cpuset-mems <list>', 'cpuset-mems', 'memory nodes allowed, e.g. 0'],
  ['--pids-limit <n>', 'pids-limit', 'maximum number of processes (-1 = unlimited)'],
  ['--cpu-rt-period <us>', 'cpu-rt-period', 'real-time period in µs (cgroup v1 only)'],
  ['--cpu-rt-runtime <us>', 'cpu-rt-runtime', 'real-time runtime in µs per period (cgroup v1 only)'],
];

export function addLimitFlags(cmd: Command): Command {
  for (const [flag, , help] of LIMIT_FLAGS) cmd.option(flag, help);
  return cmd;
}

/** The limits given on the command line, keyed by Docker's names; commander camel-cases the flags. */
export function limitsFromOptions(opts: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, key] of LIMIT_FLAGS) {
    const camel = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (typeof opts[camel] === 'string') out[key] = opts[camel] as string;
  }
  return out;
}

/** Bad limits fail here, naming the flag, before the helper is reached. */
export function checkLimits(limits: Record<string, string>): void {
  const r = LimitsInput.safeParse(limits);
  if (!r.success) {
    const e = zodToNslabError(r.error, 'limits');
    const field = e.data.field?.replace(/^limits\./, '');
    throw Object.assign(e, { message: field ? e.message.replace(`limits.${field}`, `--${field}`) : e.message });
  }
}
