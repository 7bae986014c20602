// The ONLY place nslab runs programs to completion: argv arrays (never a shell string), a timeout, stderr
// mapped to typed errors, and an `activity` record of every change as the command a person would type.
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActivityEvent } from '../../shared/contract/index.js';
import { NslabError, type ErrorCode } from '../../shared/errors.js';
import { shellLine } from '../../shared/shell.js';

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
  /** Extra environment variables for the program (CNI plugins take their arguments this way). */
  env?: Record<string, string>;
  /**
   * The program's stdout goes to an unlinked temporary file, read once when it exits, instead of through
   * a pipe chunk by chunk: for a large read repeated every second (a counter sweep's ~1 MB from many
   * processes writing in small pieces), one read costs this process less than dozens of wake-ups.
   */
  stdoutFile?: boolean;
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

/** A file only this process and its child hold: made, opened and unlinked at once (gone when closed). */
function openUnlinked(): number {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-out-'));
  try {
    return openSync(join(dir, 'stdout'), 'w+', 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The file from its start (the child's writes moved the shared offset to its end). */
function readAt0(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const n = readSync(fd, buf, at, size - at, at);
    if (n === 0) break;
    at += n;
  }
  return buf.subarray(0, at);
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
    const file = opts.stdoutFile ? openUnlinked() : null;
    const child = spawn(program, args, {
      stdio: ['pipe', file ?? 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', ...opts.env },
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

    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_OUTPUT_BYTES) fail(new NslabError('internal', `${program} printed more than ${MAX_OUTPUT_BYTES} bytes`));
      else out.push(chunk);
    });
    // stdin and stderr are always pipes (only stdout may be a file)
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin!.on('error', () => undefined); // the program may exit before reading all input
    child.stdin!.end(opts.input ?? '');

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
      if (file !== null) {
        const size = fstatSync(file).size;
        if (size > MAX_OUTPUT_BYTES) failure ??= new NslabError('internal', `${program} printed more than ${MAX_OUTPUT_BYTES} bytes`);
        else out.push(readAt0(file, size));
        closeSync(file);
      }
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
