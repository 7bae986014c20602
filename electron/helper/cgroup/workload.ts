// Workloads started inside an existing nslab group (`cgroup.run`): an argv (never a shell string) started
// through the cgroup launcher, so the program is in the group before it runs a single instruction. The
// program runs under coreutils `timeout`, which lives in the group with it: the deadline holds even when
// the caller (a one-shot CLI with the helper in-process) is long gone, and removing the group (lab down,
// `nslab cgroup rm -f`, gc) kills both.
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from '../../shared/contract/index.js';
import { cgroupPath } from '../../shared/cgroup/names.js';
import { NslabError } from '../../shared/errors.js';
import { shellLine } from '../../shared/shell.js';
import { awaitedLater } from '../concurrency.js';
import { launchInCgroup } from '../exec/cgroup-launcher.js';
import { reportActivity } from '../exec/run.js';
import { procStatField } from '../procfs.js';
import type { CgroupDriver } from './driver.js';

/** The argv actually started: the program under `timeout` (TERM at the deadline, KILL a second later). */
export const guardedArgv = (argv: readonly string[], timeoutMs: number): string[] => ['timeout', '-k', '1', `${timeoutMs / 1000}`, ...argv];

/** What a person types for the same thing (the activity log and exported scripts show it). */
export const runShell = (name: string, argv: readonly string[], timeoutMs: number, wait = false): string =>
  shellLine(['nslab', 'cgroup', 'exec', name, '--timeout', `${timeoutMs / 1000}`, ...(wait ? ['--wait'] : []), '--', ...argv]);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Exit = { code: number | null; signal: string | null };

/** The program must exist before anything starts: `timeout` would only exit 127 in the background. */
export function findProgram(program: string): string {
  const candidates = program.startsWith('/') ? [program] : (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter(Boolean).map((d) => join(d, program));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // not here
    }
  }
  throw new NslabError('tool-missing', `${program} is not installed${program.startsWith('/') ? ' (or not executable)' : ' (not found in PATH)'}`, { field: 'argv.0', tool: program });
}

export async function runWorkload(driver: CgroupDriver, p: { name: string; argv: string[]; timeoutMs: number; wait: boolean }): Promise<Result<'cgroup.run'>> {
  const before = driver.detail(p.name); // not-found names the field before anything starts
  findProgram(p.argv[0]!);
  const started = performance.now();
  const argv = guardedArgv(p.argv, p.timeoutMs);
  // Its own session: a terminal closing or a Ctrl-C meant for the CLI does not reach the workload.
  const proc = launchInCgroup({ dirs: before.dirs, argv }, { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', detached: true });
  const exited = proc.exited.catch((err: unknown) => {
    throw err instanceof NslabError && err.code === 'tool-missing' ? new NslabError(err.code, err.message, { field: 'argv.0' }) : err;
  });
  const launcherPid = proc.pid;
  const seen: { end: Exit | Error | null } = { end: null };
  exited.then(
    (e) => (seen.end = e),
    (e: Error) => (seen.end = e),
  );
  // The program is the launcher's only child, and it is in the group before it runs.
  let pid: number | null = null;
  for (let i = 0; i < 500 && pid === null && seen.end === null; i++) {
    pid = driver.backend.procs(p.name).find((q) => procStatField(q, 'ppid') === launcherPid) ?? null;
    if (pid === null) await sleep(10);
  }
  if (seen.end instanceof Error) throw seen.end;
  if (pid === null && seen.end === null) {
    proc.kill('SIGKILL');
    throw new NslabError('timeout', `the workload did not appear in ${cgroupPath(p.name)} within 5 s`, { field: 'argv' });
  }
  reportActivity({ at: new Date().toISOString(), argv, shell: [runShell(p.name, p.argv, p.timeoutMs, p.wait)], ok: true, ms: Math.round((performance.now() - started) * 10) / 10 });
  if (!p.wait) {
    // A one-shot CLI must be free to exit while the workload runs on.
    awaitedLater(exited);
    proc.unref();
    return { name: p.name, pid: pid ?? launcherPid, argv: p.argv, exit: null, oomKills: null };
  }
  const exit = await exited;
  const after = driver.detail(p.name).stats.memory.oomKills;
  const oomKills = after === null || before.stats.memory.oomKills === null ? null : after - before.stats.memory.oomKills;
  // timeout(1) exits 124 when it stopped the program with TERM; a KILL a second later looks like any kill.
  const timedOut = exit.code === 124 || performance.now() - started >= p.timeoutMs;
  return { name: p.name, pid: pid ?? launcherPid, argv: p.argv, exit: { ...exit, timedOut }, oomKills };
}
