// One terminal: a pty whose output is decoded without splitting UTF-8 characters, batched, sent to its
// owner under watermark flow control, and kept (as the raw bytes) as scrollback for re-attaching.
import { readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { IPty } from '@lydell/node-pty';
import { PTY_LIMITS, type PtyInfo, type PtyTarget } from '../../shared/contract/index.js';
import { procStatField } from '../procfs.js';
import { BATCH_MAX_CHARS, OutputBatcher } from './batcher.js';
import { FlowControl } from './flow.js';
import { Scrollback } from './scrollback.js';

export const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.trunc(value)));
export const clampSize = (cols: number, rows: number): { cols: number; rows: number } => ({
  cols: clamp(cols, PTY_LIMITS.minCols, PTY_LIMITS.maxCols),
  rows: clamp(rows, PTY_LIMITS.minRows, PTY_LIMITS.maxRows),
});

export interface SessionSink {
  data(id: string, data: string): void;
  exit(id: string, exit: NonNullable<PtyInfo['exited']>): void;
}

/** Every process whose session is `sid` (a shell's jobs live in their own process groups). */
function sessionMembers(sid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (procStatField(entry, 'session') === sid) pids.push(Number(entry)); // null: gone meanwhile
  }
  return pids;
}

export class PtySession {
  readonly scrollback = new Scrollback();
  readonly flow: FlowControl;
  owner: string | null;
  detached = false;
  exited: PtyInfo['exited'] = null;
  cols: number;
  rows: number;
  readonly startedAt = new Date().toISOString();
  private readonly decoder = new StringDecoder('utf8');
  private hangup: ReturnType<typeof setTimeout> | null = null;
  /** When the hang-up is due (epoch ms) while no client is attached. */
  private hangupAt: number | null = null;
  private readonly batcher: OutputBatcher;

  constructor(
    readonly id: string,
    readonly target: PtyTarget,
    readonly title: string,
    readonly command: string,
    private readonly proc: IPty,
    owner: string,
    size: { cols: number; rows: number },
    private readonly sink: SessionSink,
  ) {
    this.owner = owner;
    this.cols = size.cols;
    this.rows = size.rows;
    this.flow = new FlowControl(() => proc.pause(), () => proc.resume());
    this.batcher = new OutputBatcher((data) => {
      this.flow.sent(data.length);
      this.sink.data(this.id, data);
    });
    proc.onData((chunk) => {
      const bytes = chunk as unknown as Buffer; // spawnPty asks node-pty for raw bytes
      this.scrollback.append(bytes);
      this.output(this.decoder.write(bytes));
    });
    proc.onExit(({ exitCode, signal }) => {
      this.output(this.decoder.end());
      this.batcher.drain();
      this.exited = { code: signal ? null : exitCode, signal: signal ? (signalName(signal) ?? String(signal)) : null };
      this.sink.exit(this.id, this.exited);
    });
  }

  get pid(): number {
    return this.proc.pid;
  }

  info(): PtyInfo {
    return {
      id: this.id,
      pid: this.pid,
      target: this.target,
      title: this.title,
      cols: this.cols,
      rows: this.rows,
      detached: this.detached,
      exited: this.exited,
      command: this.command,
      startedAt: this.startedAt,
      clients: this.owner === null ? 0 : 1,
      endsAt: this.hangupAt === null || this.exited ? null : new Date(this.hangupAt).toISOString(),
    };
  }

  /**
   * A new owner takes over: what the old one was about to get goes out first (it is in the scrollback
   * already, so the new owner must not get it twice), the count starts afresh, and the scrollback follows
   * as ordinary output, in batch-sized pieces counted by flow control. Returns how many characters that is.
   */
  takeOver(owner: string): number {
    this.batcher.drain();
    this.owner = owner;
    this.cancelHangup();
    this.flow.reset();
    const text = this.scrollback.text();
    for (let at = 0; at < text.length; at += BATCH_MAX_CHARS) {
      const piece = text.slice(at, at + BATCH_MAX_CHARS);
      this.flow.sent(piece.length);
      this.sink.data(this.id, piece);
    }
    return text.length;
  }

  write(data: string): void {
    if (!this.exited) this.proc.write(data);
  }

  resize(cols: number, rows: number): { cols: number; rows: number } {
    const size = clampSize(cols, rows);
    if (!this.exited) {
      try {
        this.proc.resize(size.cols, size.rows);
      } catch {
        // the pty closed between the check and the call: resizing a finished terminal is a no-op
      }
    }
    this.cols = size.cols;
    this.rows = size.rows;
    return size;
  }

  /** Signals every process of the terminal's session, not just the shell. */
  kill(signal: NodeJS.Signals): void {
    if (this.exited) return;
    for (const pid of new Set([this.pid, ...sessionMembers(this.pid)])) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Hang up at `at` (epoch ms) unless someone attaches first. */
  scheduleHangup(at: number): void {
    this.cancelHangup();
    if (this.exited) return;
    this.hangupAt = at;
    this.hangup = setTimeout(() => this.kill('SIGHUP'), Math.max(0, at - Date.now()));
    this.hangup.unref();
  }

  /** Hang up `ms` from now unless someone attaches first. */
  hangupAfter(ms: number): void {
    this.scheduleHangup(Date.now() + ms);
  }

  /** The grace changed while this one waits: it counts from when its last client left. */
  regrace(oldMs: number, newMs: number): void {
    if (this.hangupAt !== null) this.scheduleHangup(this.hangupAt - oldMs + newMs);
  }

  cancelHangup(): void {
    if (this.hangup) clearTimeout(this.hangup);
    this.hangup = null;
    this.hangupAt = null;
  }

  private output(data: string): void {
    if (data) this.batcher.push(data);
  }
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));
const signalName = (n: number): string | undefined => SIGNAL_NAMES.get(n);
