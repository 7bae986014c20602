// One long-lived `ip -force -batch -` for a read repeated every second (fw.watch's brief sweeps): each read
// writes its lines to the same process's stdin instead of starting ip again. From the helper, a start is
// a round trip through the spawner (spawner.ts) that costs it and the spawner ~5 ms of CPU each time, most
// of the watcher's own CPU at 1 Hz; here a read costs one write, one wake-up and one file read.
//
// ip forks each `netns exec` line's program exactly as in a batch of its own. Their output goes to an
// unlinked file opened for appending (nft writes in pieces of a few bytes: through a pipe, each would wake
// this process), emptied after each read. The last line of a read fails on purpose: `link show dev` of a
// name longer than any interface's can be prints `Device "…" does not exist.` on stderr (a pipe) and,
// with -force, the batch goes on; when that line arrives, every line before it has run.
//
// Reads only: nothing here changes the kernel (so nothing is reported as activity). A line whose namespace
// cannot be entered leaves ip's forked child running the rest of the batch in its parent's place (ip's
// cmd_exec returns into the batch loop); the session is then ended after that read, and the next read
// starts a fresh one. It ends with its stdin: close(), or this process exiting, even by kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, ftruncateSync } from 'node:fs';
import { NslabError } from '../../shared/errors.js';
import { holdLoop, openUnlinked, readAt0 } from './child.js';

/** Longer than IFNAMSIZ (15): no interface can have this name. */
const END_DEVICE = 'nslab-batch-read-end';
const END_LINE = `link show dev ${END_DEVICE}\n`;
const END_SEEN = new RegExp(`Device "${END_DEVICE}" does not exist\\.\\nCommand failed -:\\d+\\n`);
const DEFAULT_TIMEOUT_MS = 30_000;

export interface BatchOutput {
  stdout: string;
  stderr: string;
}

interface Pending {
  resolve(o: BatchOutput): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

class Session {
  private readonly proc: ChildProcess;
  private readonly out: number;
  private stderr = '';
  private pending: Pending | null = null;
  private fileClosed = false;
  ended = false;

  constructor() {
    this.out = openUnlinked('a+');
    this.proc = spawn('ip', ['-force', '-batch', '-'], { stdio: ['pipe', this.out, 'pipe'], env: { ...(process.env as Record<string, string>), LC_ALL: 'C' } });
    this.proc.stdin!.on('error', () => undefined); // it exited: 'close' says so
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (chunk: string) => this.onStderr(chunk));
    this.proc.once('error', (e) => this.end(new NslabError(e.message.includes('ENOENT') ? 'tool-missing' : 'internal', `ip: ${e.message}`, { tool: 'ip' })));
    this.proc.once('close', (code, signal) => this.end(new NslabError('internal', `ip -batch exited (${signal ?? code}) before it answered`)));
    this.idle();
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  read(input: string, timeoutMs: number): Promise<BatchOutput> {
    return new Promise<BatchOutput>((resolve, reject) => {
      if (this.ended) return reject(new NslabError('internal', 'ip -batch has ended'));
      const timer = setTimeout(() => {
        const p = this.pending;
        this.pending = null;
        p?.reject(new NslabError('timeout', `ip -batch did not finish within ${timeoutMs} ms`));
        this.kill();
      }, timeoutMs);
      this.pending = { resolve, reject, timer };
      this.busy();
      this.proc.stdin!.write(input.endsWith('\n') ? input + END_LINE : `${input}\n${END_LINE}`);
    });
  }

  /** Ends ip's stdin: it exits once the lines it has are done (waited for: the exit keeps this process up). */
  stop(): Promise<void> {
    this.ended = true;
    const closed = this.proc.exitCode !== null || this.proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => this.proc.once('close', () => r()));
    this.busy();
    this.proc.stdin!.end();
    return closed;
  }

  private onStderr(chunk: string): void {
    this.stderr += chunk;
    const m = END_SEEN.exec(this.stderr);
    if (!m || !this.pending) return;
    const stderr = this.stderr.slice(0, m.index);
    this.stderr = this.stderr.slice(m.index + m[0].length);
    const output = readAt0(this.out, fstatSync(this.out).size).toString('utf8');
    ftruncateSync(this.out, 0);
    const p = this.pending;
    this.pending = null;
    clearTimeout(p.timer);
    this.idle();
    // the forked child that could not enter its namespace now reads ip's stdin in its parent's place
    if (stderr.includes('Cannot open network namespace')) void this.stop();
    p.resolve({ stdout: output, stderr });
  }

  /** ip exited or could not start ('error' may come before 'close'): the waiting read fails, the file goes. */
  private end(err: Error): void {
    this.ended = true;
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    if (!this.fileClosed) closeSync(this.out);
    this.fileClosed = true;
  }

  /** A read that took too long: ip goes, and its stdin with it (a forked child reading it sees its end). */
  private kill(): void {
    this.ended = true;
    this.proc.stdin!.destroy();
    this.proc.kill('SIGKILL');
  }

  // While a read waits (its answer comes on stderr), or ip is being waited for to exit.
  private busy(): void {
    holdLoop(this.proc, this.proc.stderr!, true);
  }
  private idle(): void {
    holdLoop(this.proc, this.proc.stderr!, false);
  }
}

/** Reads through one `ip -force -batch -`, started at the first read and again after it ended. */
export class IpBatchSession {
  private session: Session | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** `ip -force -batch -` of `input`'s lines: what they printed (stdout), and stderr. Reads queue. */
  read(input: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<BatchOutput> {
    const next = this.queue.then(() => {
      if (!this.session || this.session.ended) this.session = new Session();
      return this.session.read(input, timeoutMs);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The running ip's pid (tests, benchmarks), if one runs. */
  get pid(): number | undefined {
    return this.session && !this.session.ended ? this.session.pid : undefined;
  }

  /** Ends the session; resolves once ip has exited. */
  close(): Promise<void> {
    const s = this.session;
    this.session = null;
    return s ? s.stop() : Promise.resolve();
  }
}
