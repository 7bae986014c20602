// Programs started inside a cgroup (`nslab run`, `cgroup.run`, a terminal in a group) through a small Node
// launcher, and the one place that finds that launcher (out/node/launcher.mjs).
import { spawn } from 'node:child_process';
import { NslabError, type ErrorCode } from '../../shared/errors.js';
import { builtNodeEntry } from '../resources.js';
import { exitCodeOf } from './signals.js';

/** out/node/launcher.mjs: next to the bundle this runs from, or the checkout's build output (tests). */
export const launcherPath = (): string => builtNodeEntry('launcher.mjs', 'the cgroup launcher');

/** The argv that starts the launcher with a spec (a pty runs it so; launchInCgroup adds the report pipe). */
export const launcherArgv = (spec: CgroupLaunchSpec): string[] =>
  // One V8 worker thread instead of one per core: fewer tasks while the launcher is in a v2 group.
  [process.execPath, '--v8-pool-size=1', launcherPath(), JSON.stringify(spec)];

export interface CgroupLaunchSpec {
  /** The group's directory in every hierarchy, to join before the program starts. */
  dirs: string[];
  argv: string[];
}

export interface LaunchedProcess {
  /** The launcher's pid (the program is its only child). */
  pid: number;
  /** How the program ended: its exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  kill(signal: NodeJS.Signals): void;
  /** Lets this process exit while the program runs on (its end is then not reported). */
  unref(): void;
}

/**
 * Starts `argv` inside a cgroup without a shell: a small Node launcher (out/node/launcher.mjs) moves its
 * main thread into the group in every hierarchy (v1 `tasks`: only the thread that forks, so the
 * launcher's helper threads never count against pids.max; v2 `cgroup.procs`), spawns the program (which
 * inherits the groups at fork, before it runs a single instruction of its own), then moves itself back
 * where it came from so that neither its memory nor its pids count against the group and the OOM killer
 * can only pick the program. The launcher reports the program's end on fd 3.
 */
export function launchInCgroup(
  spec: CgroupLaunchSpec,
  stdio: { stdin?: 'inherit' | 'ignore'; stdout?: 'inherit' | 'ignore' | number; stderr?: 'inherit' | 'ignore' | number; detached?: boolean } = {},
): LaunchedProcess {
  const [program] = spec.argv;
  if (!program) throw new NslabError('invalid-params', 'no command given', { field: 'command' });
  const [node, ...args] = launcherArgv(spec);
  const child = spawn(node!, [...args, REPORT_FD_FLAG], {
    stdio: [stdio.stdin ?? 'inherit', stdio.stdout ?? 'inherit', stdio.stderr ?? 'inherit', 'pipe'],
    detached: stdio.detached ?? false,
  });
  let report = '';
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (report += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      try {
        const r = JSON.parse(report) as { code: number | null; signal: string | null; error?: { code: ErrorCode; message: string } };
        if (r.error) reject(new NslabError(r.error.code, r.error.message));
        else resolve({ code: r.code, signal: r.signal });
      } catch {
        // the launcher itself died (killed from outside): report what we saw of it
        resolve({ code, signal });
      }
    });
  });
  const unref = (): void => {
    child.unref();
    (child.stdio[3] as NodeJS.ReadableStream & { destroy(): void }).destroy();
  };
  return { pid: child.pid!, exited, kill: (signal) => void child.kill(signal), unref };
}

/** Tells the launcher its fd 3 is a report pipe; started otherwise (a pty, by hand), it must not touch fd 3. */
export const REPORT_FD_FLAG = '--report-fd=3';

/** The launcher's body (runs in out/node/launcher.mjs, a process of its own). */
export function cgroupLauncherMain(specJson: string, io: { report(text: string): void; exit(code: number): void; readFile(p: string): string; writeFile(p: string, v: string): void; exists(p: string): boolean }): void {
  const done = (r: { code: number | null; signal: string | null } | { error: { code: ErrorCode; message: string } }, exitCode: number): void => {
    io.report(JSON.stringify(r));
    io.exit(exitCode);
  };
  let spec: CgroupLaunchSpec;
  try {
    spec = JSON.parse(specJson) as CgroupLaunchSpec;
  } catch {
    return done({ error: { code: 'internal', message: 'launcher: bad spec' } }, 125);
  }
  const pid = String(process.pid);
  // Where this process is now, per hierarchy, to come back to once the program has started.
  const own = io
    .readFile('/proc/self/cgroup')
    .split('\n')
    .map((l) => l.split(':').slice(2).join(':'))
    .filter(Boolean);
  const back = spec.dirs.map((dir) => {
    const mount = dir.slice(0, dir.lastIndexOf('/nslab/'));
    for (const path of own) {
      const candidate = `${mount}${path === '/' ? '' : path}/cgroup.procs`;
      try {
        if (io.readFile(candidate).split('\n').includes(pid)) return candidate;
      } catch {
        // not this hierarchy
      }
    }
    return null;
  });
  try {
    // v2 (and the v2 half of a hybrid layout) has cgroup.type in every non-root group; v1 never does.
    for (const dir of spec.dirs) io.writeFile(`${dir}/${io.exists(`${dir}/cgroup.type`) ? 'cgroup.procs' : 'tasks'}`, pid);
  } catch (err) {
    return done({ error: { code: 'permission-denied', message: `cannot join the cgroup: ${(err as Error).message}` } }, 125);
  }
  const [program, ...args] = spec.argv;
  const child = spawn(program!, args, { stdio: 'inherit' });
  for (const file of back) {
    try {
      if (file) io.writeFile(file, pid);
    } catch {
      // the original group is gone: stay, harmlessly, in the new one
    }
  }
  // The terminal's Ctrl-C reaches the program directly (same process group); a signal sent to the
  // launcher alone is passed on.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.on(sig, () => child.kill(sig));
  child.on('error', (e: NodeJS.ErrnoException) =>
    done({ error: e.code === 'ENOENT' ? { code: 'tool-missing', message: `${program} is not installed (not found in PATH)` } : { code: 'internal', message: e.message } }, 127),
  );
  child.on('exit', (code, signal) => done({ code, signal }, exitCodeOf(code, signal)));
}
