// The ONLY place nslab runs programs to completion: argv arrays (never a shell string), a timeout, stderr
// mapped to typed errors, and an `activity` record of every change as the command a person would type.
// The program itself is started by child.ts, from this process or from the helper's spawner (spawner.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ActivityEvent } from '../../shared/contract/index.js';
import { NslabError, toNslabError, type ErrorCode } from '../../shared/errors.js';
import { shellLine } from '../../shared/shell.js';
import { startChild } from './spawner.js';

export interface RunOptions {
  /** Written to the program's stdin (batches). */
  input?: string;
  /**
   * Started now, given its stdin (and the lines it stands for) later: a program whose start would otherwise
   * follow work it does not depend on (parsing and checking a batch) starts while that work is done. If
   * it rejects, the program is killed before it read anything, the run rejects with that error and
   * nothing is reported: nothing ran.
   */
  later?: Promise<{ input: string; shell?: string[] }>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The run changes the kernel: report it as activity. */
  change?: boolean;
  /** What a person would type instead, when argv is not it (a batch expands to its lines). */
  shell?: string[];
  /** Resolve instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /** Extra environment variables for the program (CNI plugins take their arguments this way). */
  env?: Record<string, string>;
  /**
   * The program's stdout goes to an unlinked temporary file, read once when it exits, instead of through
   * a pipe chunk by chunk: for a large read repeated every second (a counter sweep's ~1 MB from many
   * processes writing in small pieces), one read costs this process less than dozens of wake-ups.
   */
  stdoutFile?: boolean;
  /**
   * The run is over, successfully, once the program prints this on stderr: the answer to a last input
   * line it fails on by design, after every real line has taken effect. Its exit is not waited for — it
   * may wait on the kernel: iptables-restore's nf_tables socket, closed at exit, waits for the deferred
   * release of its transactions (an RCU grace period, 10–18 ms here), long after its rules are in.
   */
  endMark?: string;
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

/**
 * Who the changes made inside a call belong to. `owner` (`lab:<id>`, `topology:<name>`) lets one lab's
 * work be exported alone; `probe` marks work that only looks at the kernel (doctor's throwaway namespace):
 * it changes nothing a person made, so it is never reported.
 */
export interface ActivityScope {
  owner?: string;
  probe?: true;
}
const scopes = new AsyncLocalStorage<ActivityScope>();

/** Runs `body` with every change it makes attributed to `scope` (an inner scope adds to the outer one). */
export function withActivityScope<T>(scope: ActivityScope, body: () => Promise<T>): Promise<T> {
  return scopes.run({ ...scopes.getStore(), ...scope }, body);
}

export function reportActivity(event: ActivityEvent): void {
  const scope = scopes.getStore();
  if (scope?.probe) return;
  const owned = scope?.owner && !event.owner ? { ...event, owner: scope.owner } : event;
  for (const sink of sinks) sink(owned);
}

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
  let shell = opts.shell ?? [shellLine(argv)];
  const started = performance.now();

  return new Promise<RunResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new NslabError('cancelled', 'cancelled before it started'));
      return;
    }
    const child = startChild({
      program,
      args,
      env: { ...(process.env as Record<string, string>), LC_ALL: 'C', ...opts.env },
      input: opts.later ? null : (opts.input ?? ''),
      stdoutFile: opts.stdoutFile ?? false,
      maxBytes: MAX_OUTPUT_BYTES,
      ...(opts.endMark ? { endMark: opts.endMark } : {}),
    });
    let failure: NslabError | undefined;
    let abandoned = false;
    const fail = (e: NslabError): void => {
      failure ??= e;
      child.kill();
    };
    opts.later?.then(
      (given) => {
        if (given.shell) shell = given.shell;
        child.feed(given.input);
      },
      (err: unknown) => {
        abandoned = !failure;
        fail(toNslabError(err));
      },
    );
    const timer = setTimeout(
      () => fail(new NslabError('timeout', `${program} did not finish within ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    const onAbort = (): void => fail(new NslabError('cancelled', `${program} was cancelled`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    void child.done.then((o) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (o.overflow) failure ??= new NslabError('internal', `${program} printed more than ${MAX_OUTPUT_BYTES} bytes`);
      if (o.spawnError) failure ??= startFailure(program, o.spawnError);
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const result: RunResult = {
        code: o.marked ? 0 : (o.code ?? (o.signal ? 128 : 1)),
        stdout: o.stdout.toString('utf8'),
        stderr: o.stderr.toString('utf8'),
        ms,
      };
      if (!failure && result.code !== 0 && !opts.allowFailure) {
        const line = firstMeaningfulLine(result.stderr) || `${program} exited with ${result.code}`;
        failure = new NslabError(classifyStderr(result.stderr), line, { command: shell.join('\n'), exitCode: result.code });
      }
      if (opts.change && !abandoned) {
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

function startFailure(program: string, e: { code?: string; message: string }): NslabError {
  if (e.code === 'ENOENT') return new NslabError('tool-missing', `${program} is not installed`, { tool: program });
  if (e.code === 'EACCES') return new NslabError('permission-denied', `cannot run ${program}: ${e.message}`);
  return new NslabError('internal', e.message);
}
