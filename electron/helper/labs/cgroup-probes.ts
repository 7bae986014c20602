// The cgroup probes of the labs: a limit or statistic in the vocabulary's words, the kernel's OOM-kill
// counter, CPU time measured over a short window (one group, or the ratio of two), and the processes in
// a group. They read cgroupfs through the backend (never spawning), and say where a learner looks:
// `nslab cgroup show` plus both versions' file names and this machine's path.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ProbeResult } from '../../shared/contract/index.js';
import type { CgroupLimits, CgroupStats } from '../../shared/contract/cgroup.js';
import { LimitsInput, normalizeLimits } from '../../shared/cgroup/limits.js';
import { cgroupPath } from '../../shared/cgroup/names.js';
import { formatBytes, formatCpuList, parseBytes, parseCpuList } from '../../shared/cgroup/units.js';
import { bothNames, vocabularyOf } from '../../shared/cgroup/vocabulary.js';
import { labCgroupName, type LabProbe, type LabSpec } from '../../shared/labs/index.js';
import type { CgroupBackend } from '../cgroup/backend.js';
import { machineBackend } from '../cgroup/detect.js';
import { procStatField } from '../procfs.js';

type Outcome = Omit<ProbeResult, 'id' | 'probe' | 'label'>;
type P<K extends string> = Extract<LabProbe, { probe: K }>;
type Value = number | 'max' | string | null;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const show = (name: string): string => `nslab cgroup show ${name}`;

const BYTES = new Set(['memory', 'memory-swap', 'memory.usage', 'memory.limit', 'memory.maxUsage']);
const NANOS = new Set(['cpu.usage', 'cpu.user', 'cpu.system', 'cpu.throttled']);

/** The group in nslab/, or an outcome saying why it cannot be looked at. */
function group(lab: LabSpec, short: string, what: string): { backend: CgroupBackend; name: string } | Outcome {
  const backend = machineBackend().backend;
  const name = labCgroupName(lab.id, short);
  if (!backend) return { ok: false, expected: what, observed: 'no cgroup hierarchy is mounted on this machine', where: 'nslab cgroup ls' };
  if (!backend.exists(name)) return { ok: false, expected: what, observed: `${cgroupPath(name)} does not exist (is the lab up?)`, where: `nslab lab up ${lab.id}` };
  return { backend, name };
}
const isOutcome = (g: ReturnType<typeof group>): g is Outcome => 'ok' in g;

/** This machine's file for a vocabulary entry, e.g. /sys/fs/cgroup/memory/nslab/x/memory.limit_in_bytes. */
function hereFile(backend: CgroupBackend, name: string, value: string): string | null {
  const v = vocabularyOf(value);
  const m = backend.version === 'v2' ? v?.v2 : v?.v1;
  if (!m) return null;
  const file = m.file.split(' + ')[0]!;
  const dirs = backend.dirs(name);
  const dir = backend.version === 'v2' ? dirs[0] : dirs.find((d) => basename(dirname(dirname(d))).split(',').includes(m.controller));
  return dir ? join(dir, file) : null;
}

/** `nslab cgroup show X  (memory.limit_in_bytes ⇄ memory.max; here: cat …)`. */
function whereOf(backend: CgroupBackend, name: string, value: string): string {
  const here = hereFile(backend, name, value);
  return `${show(name)}   (${names(value)}${here ? `; here: cat ${here}` : ''})`;
}

/** `v1 memory.limit_in_bytes ⇄ v2 memory.max`. */
function names(value: string): string {
  const [v1, v2] = bothNames(value).split(' ⇄ ');
  return `v1 ${v1} ⇄ v2 ${v2 === '—' ? 'none' : v2}`;
}

function limitValue(l: CgroupLimits, value: string): Value {
  if (value === 'cpus') {
    const q = l['cpu-quota'];
    if (q === undefined || q === null) return null;
    return q === 'max' ? 'max' : q / (l['cpu-period'] ?? 100_000);
  }
  const v = l[value as keyof CgroupLimits];
  return v === undefined ? null : v;
}

function statValue(s: CgroupStats, value: string): Value {
  const table: Record<string, number | 'max' | null> = {
    'memory.usage': s.memory.usage,
    'memory.limit': s.memory.limit,
    'memory.maxUsage': s.memory.maxUsage,
    'memory.failcnt': s.memory.failcnt,
    'memory.oomEvents': s.memory.oomEvents,
    'memory.oomKills': s.memory.oomKills,
    'cpu.usage': s.cpu.usageNs,
    'cpu.user': s.cpu.userNs,
    'cpu.system': s.cpu.systemNs,
    'cpu.nrPeriods': s.cpu.nrPeriods,
    'cpu.nrThrottled': s.cpu.nrThrottled,
    'cpu.throttled': s.cpu.throttledNs,
    'pids.current': s.pids.current,
    'pids.max': s.pids.max,
  };
  return table[value] ?? null;
}

function display(value: string, v: Value): string {
  if (v === null) return 'absent';
  if (v === 'max') return 'unlimited';
  if (typeof v === 'string') return v;
  if (BYTES.has(value)) return `${formatBytes(v)} (${v} bytes)`;
  if (NANOS.has(value)) return `${(v / 1e9).toFixed(3)} s`;
  if (value === 'cpus') return `${Math.round(v * 1000) / 1000} CPUs`;
  return String(v);
}

const bound = (value: string, b: number | string): number => (typeof b === 'number' ? b : BYTES.has(value) ? ((r) => (r.ok ? r.value : NaN))(parseBytes(b)) : Number(b));

/** What `equals` means for a value, in kernel units (a limit goes through the same parser as `nslab cgroup set`). */
function expectedOf(value: string, equals: string | number): Value | undefined {
  const limitKey = vocabularyOf(value)?.kind === 'limit';
  if (limitKey) {
    const parsed = LimitsInput.safeParse({ [value]: equals });
    if (!parsed.success) return undefined;
    const n = normalizeLimits(parsed.data);
    if (value === 'cpus') return n['cpu-quota'] === 'max' ? 'max' : (n['cpu-quota'] as number) / (n['cpu-period'] as number);
    const v = n[value as keyof typeof n];
    return Array.isArray(v) ? formatCpuList(v) : (v ?? undefined);
  }
  return typeof equals === 'number' ? equals : BYTES.has(value) ? ((r) => (r.ok ? r.value : undefined))(parseBytes(equals)) : Number(equals);
}

const sameValue = (a: Value, b: Value): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 1e-9;
  if (typeof a === 'string' && typeof b === 'string') {
    const [x, y] = [parseCpuList(a), parseCpuList(b)];
    if (x.ok && y.ok) return formatCpuList(x.value) === formatCpuList(y.value);
  }
  return a === b;
};

const RT_MISSING =
  'absent: this kernel has no real-time group scheduling (cpu.rt_runtime_us is missing: built without CONFIG_RT_GROUP_SCHED, or cgroup v2, which has no RT group budget)';

export async function cgroupValue(lab: LabSpec, p: P<'cgroup-value'>): Promise<Outcome> {
  const bounds = [p.atLeast !== undefined ? `≥ ${p.atLeast}` : '', p.atMost !== undefined ? `≤ ${p.atMost}` : ''].filter(Boolean).join(' and ');
  const expected = `${p.value} of ${p.cgroup} ${p.equals !== undefined ? `= ${p.equals}` : bounds || 'present'}`;
  const g = group(lab, p.cgroup, expected);
  if (isOutcome(g)) return g;
  const isLimit = vocabularyOf(p.value)?.kind === 'limit';
  const observed = isLimit ? limitValue(g.backend.readLimits(g.name), p.value) : statValue(g.backend.stats(g.name), p.value);
  const where = whereOf(g.backend, g.name, p.value);
  if (observed === null) return { ok: false, expected, observed: p.value.startsWith('cpu-rt') ? RT_MISSING : `absent: cgroup ${g.backend.version} has no such file here`, where };
  let ok = true;
  if (p.equals !== undefined) {
    const want = expectedOf(p.value, p.equals);
    ok &&= want !== undefined && sameValue(observed, want);
  }
  const n = observed === 'max' ? Infinity : typeof observed === 'number' ? observed : NaN;
  if (p.atLeast !== undefined) ok &&= n >= bound(p.value, p.atLeast);
  if (p.atMost !== undefined) ok &&= n <= bound(p.value, p.atMost);
  return { ok, expected, observed: display(p.value, observed), where };
}

export async function oomKilled(lab: LabSpec, p: P<'oom-killed'>): Promise<Outcome> {
  const expected = p.expect ? `the kernel counted at least one OOM kill in ${p.cgroup}` : `no OOM kill in ${p.cgroup}`;
  const g = group(lab, p.cgroup, expected);
  if (isOutcome(g)) return g;
  const m = g.backend.stats(g.name).memory;
  const where = whereOf(g.backend, g.name, 'memory.oomKills');
  if (m.oomKills === null) return { ok: false, expected, observed: 'this cgroup version has no OOM-kill counter for the group', where };
  const limit = m.limit === null ? '?' : m.limit === 'max' ? 'unlimited' : formatBytes(m.limit);
  const observed = `${m.oomKills} OOM kill${m.oomKills === 1 ? '' : 's'} (limit ${limit}, peak ${m.maxUsage === null ? '—' : formatBytes(m.maxUsage)}, failcnt ${m.failcnt ?? '—'})`;
  return { ok: m.oomKills > 0 === p.expect, expected, observed, where };
}

/** CPU time (ns) of a group, and per CPU where the version keeps it (v1 cpuacct.usage_percpu). */
function cpuTime(backend: CgroupBackend, name: string): { total: number | null; perCpu: number[] | null; throttled: number | null } {
  const s = backend.stats(name);
  let perCpu: number[] | null = null;
  for (const dir of backend.dirs(name)) {
    try {
      perCpu = readFileSync(join(dir, 'cpuacct.usage_percpu'), 'utf8').trim().split(/\s+/).map(Number);
      break;
    } catch {
      // not this hierarchy
    }
  }
  return { total: s.cpu.usageNs, perCpu, throttled: s.cpu.nrThrottled };
}

export async function cpuRatio(lab: LabSpec, p: P<'cpu-ratio'>): Promise<Outcome> {
  const [a, b] = p.cgroups;
  const lo = Math.round(p.ratio * (1 - p.tolerance) * 100) / 100;
  const hi = Math.round(p.ratio * (1 + p.tolerance) * 100) / 100;
  const expected = `CPU time of ${a} : ${b} = ${p.ratio} (${lo}…${hi}) while both are busy`;
  const ga = group(lab, a, expected);
  if (isOutcome(ga)) return ga;
  const gb = group(lab, b, expected);
  if (isOutcome(gb)) return gb;
  const where = `${show(ga.name)}; ${show(gb.name)}   (CPU time: ${names('cpu.usage')}), or nslab top`;
  const t0 = [cpuTime(ga.backend, ga.name).total, cpuTime(gb.backend, gb.name).total];
  const started = performance.now();
  await sleep(p.windowMs);
  const t1 = [cpuTime(ga.backend, ga.name).total, cpuTime(gb.backend, gb.name).total];
  const ms = performance.now() - started;
  if (t0.some((v) => v === null) || t1.some((v) => v === null)) return { ok: false, expected, observed: 'this cgroup version keeps no CPU time for the groups', where };
  const cpus = [0, 1].map((i) => (t1[i]! - t0[i]!) / 1e6 / ms);
  const words = `${a} ${cpus[0]!.toFixed(2)} CPU, ${b} ${cpus[1]!.toFixed(2)} CPU over ${(ms / 1000).toFixed(1)} s`;
  const idle = [a, b].filter((_, i) => cpus[i]! < 0.05);
  if (idle.length) return { ok: false, expected, observed: `${idle.join(' and ')} used almost no CPU (${words}): nothing busy is running there`, where };
  const ratio = cpus[0]! / cpus[1]!;
  return { ok: Math.abs(ratio / p.ratio - 1) <= p.tolerance + 1e-9, expected, observed: `ratio ${ratio.toFixed(2)} (${words})`, where };
}

export async function cpuUsage(lab: LabSpec, p: P<'cpu-usage'>): Promise<Outcome> {
  const parts = [`${p.atLeast}${p.atMost !== undefined ? `…${p.atMost}` : '+'} CPUs`];
  if (p.onCpus !== undefined) parts.push(`only on CPU ${p.onCpus}`);
  if (p.throttled) parts.push('throttled by the CFS quota');
  const expected = `${p.cgroup} uses ${parts.join(', ')}`;
  const g = group(lab, p.cgroup, expected);
  if (isOutcome(g)) return g;
  const where = `${show(g.name)}   (CPU time: ${names('cpu.usage')}; throttling: ${names('cpu.nrThrottled')}), or nslab top`;
  const a = cpuTime(g.backend, g.name);
  const started = performance.now();
  await sleep(p.windowMs);
  const b = cpuTime(g.backend, g.name);
  const ms = performance.now() - started;
  if (a.total === null || b.total === null) return { ok: false, expected, observed: 'this cgroup version keeps no CPU time for the group', where };
  const used = (b.total - a.total) / 1e6 / ms;
  const observed = [`${used.toFixed(2)} CPUs over ${(ms / 1000).toFixed(1)} s`];
  let ok = used >= p.atLeast && (p.atMost === undefined || used <= p.atMost);
  if (p.onCpus !== undefined) {
    const wanted = parseCpuList(p.onCpus);
    const want = new Set(wanted.ok ? wanted.value : []);
    if (a.perCpu && b.perCpu) {
      const delta = b.perCpu.map((v, i) => v - (a.perCpu![i] ?? 0));
      const total = delta.reduce((x, y) => x + y, 0);
      const on = delta.filter((_, i) => want.has(i)).reduce((x, y) => x + y, 0);
      const share = total > 0 ? on / total : 0;
      ok &&= share >= 0.97;
      observed.push(`${Math.round(share * 1000) / 10} % of it on CPU ${p.onCpus} (per CPU: ${delta.map((d, i) => `cpu${i} ${(d / 1e6 / ms).toFixed(2)}`).join(', ')})`);
    } else {
      // No per-CPU time (v2): every process must be allowed only those CPUs.
      const allowed = g.backend.procs(g.name).map((pid) => {
        try {
          return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
        } catch {
          return '';
        }
      });
      const outside = allowed.filter((l) => {
        const r = parseCpuList(l);
        return !r.ok || r.value.some((c) => !want.has(c));
      });
      ok &&= allowed.length > 0 && outside.length === 0;
      observed.push(`processes allowed on: ${[...new Set(allowed)].join(' ') || 'none'}`);
    }
  }
  if (p.throttled) {
    const dt = a.throttled === null || b.throttled === null ? null : b.throttled - a.throttled;
    ok &&= dt !== null && dt > 0;
    observed.push(dt === null ? 'no throttle counter in this version' : `throttled in ${dt} periods`);
  }
  if (used < 0.05) observed.push('nothing busy is running there');
  return { ok, expected, observed: observed.join('; '), where };
}

const POLICIES: Record<number, string> = { 0: 'other', 1: 'fifo', 2: 'rr', 3: 'batch', 5: 'idle', 6: 'deadline' };

/** A process's scheduling policy (field 41 of /proc/<pid>/stat). */
function policyOf(pid: number): string | null {
  const policy = procStatField(pid, 'policy');
  return policy === null ? null : (POLICIES[policy] ?? null);
}

export async function cgroupProcs(lab: LabSpec, p: P<'cgroup-procs'>): Promise<Outcome> {
  const which = p.policy ? `SCHED_${p.policy.toUpperCase()} processes` : 'processes';
  const expected = `${p.atLeast}${p.atMost !== undefined ? `…${p.atMost}` : '+'} ${which} in ${p.cgroup}`;
  const g = group(lab, p.cgroup, expected);
  if (isOutcome(g)) return g;
  const procs = g.backend.procs(g.name).map((pid) => ({ pid, policy: policyOf(pid) }));
  const hits = p.policy ? procs.filter((q) => q.policy === p.policy) : procs;
  const ok = hits.length >= p.atLeast && (p.atMost === undefined || hits.length <= p.atMost);
  const observed = procs.length ? `${hits.length} ${which} (${procs.slice(0, 8).map((q) => `${q.pid}:${q.policy ?? '?'}`).join(' ')})` : 'no processes in the group';
  return { ok, expected, observed, where: `${show(g.name)}; chrt -p PID` };
}
