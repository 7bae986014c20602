// cgroups: groups under `nslab/`, limits in Docker's words, statistics with `null` where a version lacks a
// value (never a made-up zero).
import { z } from 'zod';
import { CgroupName } from '../cgroup/names.js';
import { LimitsInput } from '../cgroup/limits.js';
import { defineMethods } from './define.js';

const Count = z.number().nullable();
const Max = z.union([z.number(), z.literal('max')]).nullable();

export const Pressure = z.object({
  some: z.object({ avg10: z.number(), avg60: z.number(), avg300: z.number(), total: z.number() }),
  full: z.object({ avg10: z.number(), avg60: z.number(), avg300: z.number(), total: z.number() }).nullable(),
});
export type Pressure = z.infer<typeof Pressure>;

export const CgroupStats = z.object({
  memory: z.object({
    usage: Count,
    limit: Max,
    maxUsage: Count,
    failcnt: Count,
    oomEvents: Count,
    underOom: z.boolean().nullable(),
    oomKills: Count,
  }),
  cpu: z.object({
    usageNs: Count,
    userNs: Count,
    systemNs: Count,
    nrPeriods: Count,
    nrThrottled: Count,
    throttledNs: Count,
  }),
  pids: z.object({ current: Count, max: Max }),
  pressure: z.object({ cpu: Pressure.nullable(), memory: Pressure.nullable(), io: Pressure.nullable() }),
});
export type CgroupStats = z.infer<typeof CgroupStats>;

/** Limits as the kernel holds them now, in Docker's words (`max` = unlimited; absent = not in this version). */
export const CgroupLimits = z.object({
  memory: Max.optional(),
  'memory-swap': Max.optional(),
  'cpu-period': z.number().optional(),
  'cpu-quota': Max.optional(),
  'cpu-shares': z.number().optional(),
  'cpuset-cpus': z.string().optional(),
  'cpuset-mems': z.string().optional(),
  'pids-limit': Max.optional(),
  'cpu-rt-period': z.number().optional(),
  'cpu-rt-runtime': z.number().optional(),
});
export type CgroupLimits = z.infer<typeof CgroupLimits>;

export const CgroupWrite = z.object({ file: z.string(), value: z.string() });

export const CgroupInfo = z.object({
  name: z.string(),
  /** `nslab/<name>` below each hierarchy. */
  path: z.string(),
  version: z.enum(['v1', 'v2', 'hybrid']),
  /** The group's directory in every hierarchy it lives in. */
  dirs: z.array(z.string()),
  procs: z.array(z.number()),
  limits: CgroupLimits,
  /** Whether nslab's ledger recorded it (an unrecorded `nslab/` group is shown, never changed by gc). */
  recorded: z.boolean(),
  owner: z.string().nullable(),
});
export type CgroupInfo = z.infer<typeof CgroupInfo>;

export const CgroupDetail = CgroupInfo.extend({ stats: CgroupStats });
export type CgroupDetail = z.infer<typeof CgroupDetail>;

export const CgroupLayout = z.object({
  layout: z.enum(['v1', 'v2', 'hybrid', 'none']),
  /** The backend nslab drives: v1 controllers (+ the v2 hierarchy for PSI/kill/freeze on hybrid) or v2. */
  backend: z.enum(['v1', 'v2', 'hybrid']).nullable(),
  hierarchies: z.array(z.object({ controller: z.string(), mount: z.string() })),
  writable: z.boolean(),
  reason: z.string().optional(),
});

const Name = z.strictObject({ name: CgroupName });

/**
 * Programs `cgroup.run` starts by bare name (found in PATH); anything else must be an absolute path. Shells
 * are refused whatever the path: a workload is an argv, never a command line for an interpreter.
 */
export const RUN_PROGRAMS = ['stress-ng', 'perl', 'sleep', 'yes', 'cat', 'dd', 'head', 'true', 'chrt', 'taskset', 'grep'] as const;
export const RUN_SHELLS = ['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'ash', 'busybox', 'env', 'xargs', 'nohup', 'sudo', 'su', 'script', 'python', 'python3', 'node'] as const;
export const RUN_MAX_TIMEOUT_MS = 3_600_000;
export const RUN_DEFAULT_TIMEOUT_MS = 300_000;

const ArgvWord = z.string({ error: 'each argument is a string' }).max(4096, { error: 'an argument is at most 4096 characters' }).refine((w) => !w.includes('\0'), { error: 'an argument must not contain NUL' });

/** A workload's argv: program (allow-listed bare name or absolute path, never a shell) and its arguments. */
export const RunArgv = z
  .array(ArgvWord, { error: 'argv is a list of words: [program, arg, …] (no shell string)' })
  .min(1, { error: 'argv needs at least the program' })
  .max(64, { error: 'argv has at most 64 words' })
  .superRefine((argv, ctx) => {
    const program = argv[0];
    if (program === undefined) return;
    const bad = (message: string): void => void ctx.addIssue({ code: 'custom', path: [0], message });
    if (program.startsWith('/')) {
      if (!/^(\/[A-Za-z0-9_.+-]+)+$/.test(program) || program.split('/').includes('..')) return bad(`program ${JSON.stringify(program)} is not a plain absolute path`);
    } else if (!(RUN_PROGRAMS as readonly string[]).includes(program)) {
      return bad(`program ${JSON.stringify(program)} must be an absolute path or one of ${RUN_PROGRAMS.join(', ')}`);
    }
    const base = program.split('/').pop()!;
    if ((RUN_SHELLS as readonly string[]).includes(base) || /^(ba|da|z|k|c|tc|mk)?sh$/.test(base) || /^python[0-9.]*$/.test(base)) {
      bad(`${base} is a shell or an interpreter of command strings: give the program and its arguments as argv instead`);
    }
  });

export const cgroup = defineMethods({
  'cgroup.layout': {
    summary: 'Which cgroup layout this machine has (v1, v2, hybrid) and which hierarchies nslab uses.',
    renderer: true,
    params: z.strictObject({}),
    result: CgroupLayout,
  },
  'cgroup.create': {
    summary: 'Create nslab/<name> in every hierarchy and apply limits (validated before any write).',
    renderer: true,
    params: z.strictObject({ name: CgroupName, limits: LimitsInput.default({}), owner: z.string().max(128).default('manual') }),
    result: CgroupInfo.extend({ writes: z.array(CgroupWrite) }),
  },
  'cgroup.set': {
    summary: 'Change limits of an nslab group (validated before any write).',
    renderer: true,
    params: z.strictObject({ name: CgroupName, limits: LimitsInput }),
    result: CgroupInfo.extend({ writes: z.array(CgroupWrite) }),
  },
  'cgroup.show': {
    summary: 'Limits, processes and statistics of an nslab group.',
    renderer: true,
    params: Name,
    result: CgroupDetail,
  },
  'cgroup.list': {
    summary: 'Every group under nslab/.',
    renderer: true,
    params: z.strictObject({}),
    result: z.object({ groups: z.array(CgroupInfo) }),
  },
  'cgroup.attach': {
    summary: 'Move a process (all its threads) into an nslab group.',
    renderer: true,
    params: z.strictObject({ name: CgroupName, pid: z.number().int().min(1).max(4_194_304) }),
    result: z.object({}),
  },
  'cgroup.freeze': {
    summary: 'Freeze or thaw every process of a group (cgroup.freeze on v2, the freezer controller on v1).',
    renderer: false, // no panel freezes groups; CLI verb
    params: z.strictObject({ name: CgroupName, frozen: z.boolean() }),
    result: z.object({ frozen: z.boolean() }),
  },
  'cgroup.kill': {
    summary: 'SIGKILL every process of a group (cgroup.kill where the kernel has it).',
    renderer: false, // no panel kills groups (`cgroup.remove --force` does); CLI verb
    params: Name,
    result: z.object({ killed: z.number() }),
  },
  'cgroup.run': {
    summary: 'Start a workload (argv, no shell) inside an existing nslab group; killed at its timeout or when the group is removed.',
    renderer: false, // starts an arbitrary argv as root: never from a page; CLI (`nslab cgroup exec`) only
    params: z.strictObject({
      name: CgroupName,
      argv: RunArgv,
      /** Killed (TERM, then KILL 1 s later) after this long, even if the caller has gone away. */
      timeoutMs: z.number().int().min(100, { error: 'timeoutMs is at least 100' }).max(RUN_MAX_TIMEOUT_MS, { error: `timeoutMs is at most ${RUN_MAX_TIMEOUT_MS}` }).default(RUN_DEFAULT_TIMEOUT_MS),
      /** Answer only once the workload has ended (with how it ended). */
      wait: z.boolean().default(false),
    }),
    result: z.object({
      name: z.string(),
      /** The workload's first process in the group (the timeout guard that runs the program). */
      pid: z.number(),
      argv: z.array(z.string()),
      /** With wait: how it ended (signal or exit code; timedOut when the guard stopped it). */
      exit: z.object({ code: z.number().nullable(), signal: z.string().nullable(), timedOut: z.boolean() }).nullable(),
      /** With wait: OOM kills the kernel counted in the group while it ran (null where the version has no counter). */
      oomKills: z.number().nullable(),
    }),
  },
  'cgroup.remove': {
    summary: 'Remove a group once its processes have left (force: kill them first).',
    renderer: true,
    params: z.strictObject({ name: CgroupName, force: z.boolean().default(false) }),
    result: z.object({ removed: z.string() }),
  },
});
