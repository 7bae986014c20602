// One program run to completion, started by this process (node's spawn): what run.ts hands over to start a
// program and what it gets back. The spawner (spawner-main.ts) runs the same code in a process of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join } from 'node:path';

export interface ChildRequest {
  program: string;
  args: string[];
  /** The whole environment of the program. */
  env: Record<string, string>;
  /** Written to stdin, which is then closed; null: stdin stays open until `feed` gives it. */
  input: string | null;
  /** stdout through an unlinked temporary file instead of a pipe (see RunOptions.stdoutFile). */
  stdoutFile: boolean;
  /** More output than this kills the program (`overflow`). */
  maxBytes: number;
  /**
   * The run is over once stderr holds this text (see RunOptions.endMark): `done` settles then, `marked`,
   * and the program is left to exit on its own.
   */
  endMark?: string;
}

export interface ChildOutcome {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  /** The program could not be started (errno code such as ENOENT, EACCES, and node's message). */
  spawnError?: { code?: string; message: string };
  /** It printed more than maxBytes. */
  overflow: boolean;
  /** It printed the request's endMark (and may still be running): its output up to that line. */
  marked?: true;
}

export interface StartedChild {
  /** SIGKILL (timeout, cancel): `done` still settles, with the signal. */
  kill(): void;
  /** Never rejects: a failure to start is `spawnError`. */
  done: Promise<ChildOutcome>;
  /** Writes stdin and closes it, for a program started with `input: null` (once; later calls do nothing). */
  feed(input: string): void;
}

/** A file only this process and its children hold: made, opened and unlinked at once (gone when closed);
 * `a+`: every write goes to its end, wherever the writer's offset is (a file emptied and written again). */
export function openUnlinked(flags: 'w+' | 'a+' = 'w+'): number {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-out-'));
  try {
    return openSync(join(dir, 'stdout'), flags, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The file from its start (the child's writes moved the shared offset to its end). */
export function readAt0(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const n = readSync(fd, buf, at, size - at, at);
    if (n === 0) break;
    at += n;
  }
  return buf.subarray(0, at);
}

/** Starts the program from this process. */
export function startHere(req: ChildRequest): StartedChild {
  const file = req.stdoutFile ? openUnlinked() : null;
  const child = spawn(req.program, req.args, { stdio: ['pipe', file ?? 'pipe', 'pipe'], env: req.env });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outBytes = 0;
  let overflow = false;
  let spawnError: ChildOutcome['spawnError'];
  const kill = (): void => void child.kill('SIGKILL');
  child.stdout?.on('data', (chunk: Buffer) => {
    outBytes += chunk.length;
    if (outBytes > req.maxBytes) {
      overflow = true;
      kill();
    } else out.push(chunk);
  });
  let settle: ((o: ChildOutcome) => void) | null = null;
  // stdin and stderr are always pipes (only stdout may be a file)
  child.stderr!.on('data', (chunk: Buffer) => {
    err.push(chunk);
    if (!req.endMark || file !== null) return;
    const text = Buffer.concat(err).toString('utf8');
    const at = text.indexOf(req.endMark);
    if (at < 0) return;
    // the marked line is the program's answer that its input was done, not output of its own
    const stderr = Buffer.from(text.slice(0, text.lastIndexOf('\n', at) + 1), 'utf8');
    settle?.({ code: null, signal: null, stdout: Buffer.concat(out), stderr, overflow, marked: true });
  });
  child.stdin!.on('error', () => undefined); // the program may exit before reading all input
  let fed = false;
  const feed = (input: string): void => {
    if (fed) return;
    fed = true;
    child.stdin!.end(input);
  };
  if (req.input !== null) feed(req.input);
  const done = new Promise<ChildOutcome>((resolve) => {
    settle = resolve;
    child.on('error', (e: NodeJS.ErrnoException) => void (spawnError ??= { ...(e.code ? { code: e.code } : {}), message: e.message }));
    child.on('close', (code, signal) => {
      if (file !== null) {
        const size = fstatSync(file).size;
        if (size > req.maxBytes) overflow = true;
        else out.push(readAt0(file, size));
        closeSync(file);
      }
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), overflow, ...(spawnError ? { spawnError } : {}) });
    });
  });
  return { kill, done, feed };
}

/** A program with no I/O that lives until it is killed (see spawnTracked); `pid` is undefined if it did not start. */
export function startTrackedHere(program: string, args: string[], env?: Record<string, string>): { pid: number | undefined; kill(): void; done: Promise<ChildOutcome> } {
  const child = spawn(program, args, { stdio: 'ignore', ...(env ? { env } : {}) });
  const done = new Promise<ChildOutcome>((resolve) => {
    const end = (code: number | null, signal: string | null, spawnError?: ChildOutcome['spawnError']): void =>
      resolve({ code, signal, stdout: EMPTY, stderr: EMPTY, overflow: false, ...(spawnError ? { spawnError } : {}) });
    child.on('error', (e: NodeJS.ErrnoException) => end(null, null, { ...(e.code ? { code: e.code } : {}), message: e.message }));
    child.on('exit', (code, signal) => end(code, signal));
  });
  return { pid: child.pid, kill: () => void child.kill('SIGKILL'), done };
}
const EMPTY = Buffer.alloc(0);

/**
 * A long-lived child this process talks to (the spawner, the watcher's ip -batch) keeps the event loop
 * alive only while an answer is awaited (`waiting`), as a program run to completion would; otherwise it
 * does not. `answers` is the pipe the answer comes on.
 */
export function holdLoop(proc: ChildProcess, answers: NodeJS.ReadableStream, waiting: boolean): void {
  if (waiting) {
    proc.ref();
    (answers as Socket).ref();
    return;
  }
  proc.unref();
  (answers as Socket).unref();
  (proc.stdin as unknown as Socket | null)?.unref();
}
