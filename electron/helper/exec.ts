// The ONLY place nslab spawns programs: argv arrays (never a shell string), a timeout, stderr mapped to
// typed errors, and an `activity` record of every change as the command a person would type.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import nodePty, { type IPty } from '@lydell/node-pty';
import type { ActivityEvent } from '../shared/contract/index.js';
import { NslabError, type ErrorCode } from '../shared/errors.js';
import { shellLine } from '../shared/shell.js';
import { guardTail } from './pty/tail-guard.js';

export interface RunOptions {
  /** Written to the program's stdin (batches). */
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The run changes the kernel: report it as activity. */
  change?: boolean;
  /** What a person would type instead, when argv is not it (a batch expands to its lines). */
  shell?: string[];
  /** Resolve instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

type ActivitySink = (event: ActivityEvent) => void;
const sinks = new Set<ActivitySink>();

/** Subscribe to activity; returns the unsubscribe function. */
export function onActivity(sink: ActivitySink): () => void {
  sinks.add(sink);
  return () => sinks.delete(sink);
}

export function reportActivity(event: ActivityEvent): void {
  for (const sink of sinks) sink(event);
}

const osSignals = constants.signals as Record<string, number>;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

// Ordered: the first pattern that matches stderr names the error.
const STDERR_CODES: [RegExp, ErrorCode][] = [
  [/Operation not permitted|Permission denied|must be root|are you root/i, 'permission-denied'],
  [/Unknown device type|Operation not supported|not supported|Protocol not supported|No such device type/i, 'unsupported-kernel'],
  [/File exists|already exists|Address already assigned/i, 'exists'],
  [/Cannot find device|does not exist|No such file or directory|Invalid "netns" value|No such process|Cannot open network namespace|not found/i, 'not-found'],
  [/Device or resource busy|Resource busy/i, 'busy'],
  [/Invalid argument|invalid|Error: argument .* is wrong|Numerical result out of range/i, 'invalid-params'],
];

export function classifyStderr(stderr: string): ErrorCode {
  for (const [pattern, code] of STDERR_CODES) if (pattern.test(stderr)) return code;
  return 'internal';
}

function firstMeaningfulLine(stderr: string): string {
  return stderr.split('\n').map((l) => l.trim()).find((l) => l && !/^Command failed/.test(l)) ?? stderr.trim();
}

export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [program, ...args] = argv;
  if (!program) return Promise.reject(new NslabError('internal', 'empty argv'));
  const shell = opts.shell ?? [shellLine(argv)];
  const started = performance.now();

  return new Promise<RunResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new NslabError('cancelled', 'cancelled before it started'));
      return;
    }
    const child = spawn(program, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let failure: NslabError | undefined;
    const fail = (e: NslabError): void => {
      failure ??= e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => fail(new NslabError('timeout', `${program} did not finish within ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    const onAbort = (): void => fail(new NslabError('cancelled', `${program} was cancelled`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_OUTPUT_BYTES) fail(new NslabError('internal', `${program} printed more than ${MAX_OUTPUT_BYTES} bytes`));
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin.on('error', () => undefined); // the program may exit before reading all input
    child.stdin.end(opts.input ?? '');

    child.on('error', (e: NodeJS.ErrnoException) => {
      failure ??=
        e.code === 'ENOENT'
          ? new NslabError('tool-missing', `${program} is not installed`, { tool: program })
          : e.code === 'EACCES'
            ? new NslabError('permission-denied', `cannot run ${program}: ${e.message}`)
            : new NslabError('internal', e.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const result: RunResult = {
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms,
      };
      if (!failure && result.code !== 0 && !opts.allowFailure) {
        const line = firstMeaningfulLine(result.stderr) || `${program} exited with ${result.code}`;
        failure = new NslabError(classifyStderr(result.stderr), line, { command: shell.join('\n'), exitCode: result.code });
      }
      if (opts.change) {
        reportActivity({
          at: new Date().toISOString(),
          argv: [...argv],
          shell,
          ok: !failure && result.code === 0,
          ms,
          ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
        });
      }
      if (failure) reject(failure);
      else resolve(result);
    });
  });
}

/**
 * Runs a program with the caller's terminal (stdin/stdout/stderr inherited) and resolves with its exit
 * code, 128+n for a signal, like a shell does.
 */
export function runAttached(argv: readonly string[]): Promise<number> {
  const [program, ...args] = argv;
  if (!program) return Promise.reject(new NslabError('internal', 'empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: 'inherit' });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new NslabError('tool-missing', `${program} is not installed`, { tool: program }) : e),
    );
    child.on('close', (code, signal) => {
      const signo = signal ? (osSignals[signal] ?? 1) : 0;
      resolve(code ?? 128 + signo);
    });
  });
}

export interface PtyOptions {
  cols: number;
  rows: number;
  env: Record<string, string>;
  cwd: string;
}

/** Starts a program on a new pseudo-terminal (raw bytes; the caller decodes), keeping its last output. */
export function spawnPty(argv: readonly string[], opts: PtyOptions): IPty {
  const [program, ...args] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  let proc: IPty;
  try {
    proc = nodePty.spawn(program, args, { name: opts.env.TERM ?? 'xterm-256color', cols: opts.cols, rows: opts.rows, cwd: opts.cwd, env: opts.env, encoding: null });
  } catch (err) {
    throw new NslabError('tool-missing', `cannot start ${program}: ${(err as Error).message}`, { tool: program });
  }
  guardTail(proc);
  return proc;
}

// ---- programs started inside a cgroup (`nslab run`) ----

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
  launcherPath: string,
  spec: CgroupLaunchSpec,
  stdio: { stdin?: 'inherit' | 'ignore'; stdout?: 'inherit' | 'ignore' | number; stderr?: 'inherit' | 'ignore' | number; detached?: boolean } = {},
): LaunchedProcess {
  const [program] = spec.argv;
  if (!program) throw new NslabError('invalid-params', 'no command given', { field: 'command' });
  // One V8 worker thread instead of one per core: fewer tasks while the launcher is in a v2 group.
  const child = spawn(process.execPath, ['--v8-pool-size=1', launcherPath, JSON.stringify(spec), REPORT_FD_FLAG], {
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
  child.on('exit', (code, signal) => done({ code, signal }, code ?? 128 + (signal ? (osSignals[signal] ?? 1) : 1)));
}

export interface TrackedProcess {
  pid: number;
  kill(): void;
  exited: Promise<void>;
}

/** A long-lived helper child with no I/O (e.g. a process parked in a namespace), killed on request. */
export function spawnTracked(argv: readonly string[]): TrackedProcess {
  const [program, ...args] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  const child = spawn(program, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => {
    child.on('error', () => resolve());
    child.on('exit', () => resolve());
  });
  return { pid: child.pid ?? -1, kill: () => void child.kill('SIGKILL'), exited };
}

// ---- a container's processes (electron/helper/container/) ----

export interface GatedProcess {
  pid: number;
  /** How it ended (exit code, or the signal that killed it). */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** What it printed so far, when its output is captured (capped). */
  output(): { stdout: string; stderr: string };
  /** Lets the helper exit while the process runs on. */
  unref(): void;
}

const CAPTURE_MAX_BYTES = 1024 * 1024;

/**
 * Starts a long-lived argv whose first program is `flock GATE …`: it blocks until the caller opens the gate
 * FIFO for writing, so the caller can move it into a cgroup and build its namespaces before anything of
 * the container's runs. Output is captured (capped) or written to a log file; `fds` are passed on as fd 3….
 */
export function spawnGated(argv: readonly string[], opts: { logFd?: number; fds?: number[]; detached?: boolean; shell?: string[]; env?: Record<string, string> } = {}): GatedProcess {
  const [program, ...args] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  const out = opts.logFd ?? 'pipe';
  const child = spawn(program, args, { stdio: ['ignore', out, out, ...(opts.fds ?? [])], detached: opts.detached ?? false, env: opts.env ?? { ...process.env, LC_ALL: 'C' } });
  const captured = { stdout: '', stderr: '' };
  const keep = (key: 'stdout' | 'stderr') => (d: Buffer): void => {
    if (captured[key].length < CAPTURE_MAX_BYTES) captured[key] += d.toString('utf8').slice(0, CAPTURE_MAX_BYTES - captured[key].length);
  };
  child.stdout?.on('data', keep('stdout'));
  child.stderr?.on('data', keep('stderr'));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new NslabError('tool-missing', `${program} is not installed`, { tool: program }) : e));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  reportActivity({ at: new Date().toISOString(), argv: [...argv], shell: opts.shell ?? [`${shellLine(argv)} &`], ok: true, ms: 0 });
  return {
    pid: child.pid ?? -1,
    exited,
    output: () => ({ ...captured }),
    unref: () => {
      child.unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}
