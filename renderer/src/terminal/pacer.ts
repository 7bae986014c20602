// Output for a terminal nobody is looking at (another tab, another panel) is parsed in small pieces at
// background priority, so a flood in a hidden tab never holds up keystrokes, echo or painting in the
// visible one: xterm.js parses whole writes and yields only every 12 ms, so a flood fed to it directly
// would take the page in slices of 12 ms or more. A shown terminal gets its output straight away.
// Unparsed output is not acknowledged, so a hidden flood is slowed down by flow control, not buffered here.
import { cut } from './split';

/** A hidden terminal parses at most this much output per task. */
export const BACKGROUND_PIECE_CHARS = 32 * 1024;

export type Write = (data: string, parsed?: () => void) => void;
/** Runs a task once the page has nothing more urgent to do. */
export type Later = (task: () => void) => void;

interface Pending {
  data: string;
  parsed?: () => void;
}

interface PostTaskScheduler {
  postTask(task: () => void, options: { priority: 'background' }): Promise<unknown>;
}

/** `scheduler.postTask` at background priority where the browser has it (Chromium), else a timer. */
export const background: Later = (task) => {
  const scheduler = (globalThis as { scheduler?: Partial<PostTaskScheduler> }).scheduler;
  if (typeof scheduler?.postTask === 'function') void scheduler.postTask(task, { priority: 'background' });
  else setTimeout(task, 0);
};

export class OutputPacer {
  private readonly queue: Pending[] = [];
  /** A piece is in xterm and has not been parsed yet. */
  private inFlight = false;
  /** A background task will write the next piece. */
  private scheduled = false;
  private visible = false;
  private disposed = false;

  constructor(
    private readonly write: Write,
    private readonly later: Later = background,
    private readonly pieceChars = BACKGROUND_PIECE_CHARS,
  ) {}

  /** Output for the terminal; `parsed` runs once all of it has been parsed. */
  push(data: string, parsed?: () => void): void {
    if (this.disposed) return;
    if (this.visible && !this.inFlight && this.queue.length === 0) return this.write(data, parsed);
    this.queue.push({ data, parsed });
    this.next();
  }

  /** The terminal came into view (everything queued is written now) or left it. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.next();
  }

  /** Drops what is still queued (the screen was reset: a re-attach writes the scrollback instead). */
  clear(): void {
    this.queue.length = 0;
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  /** Writes what comes next: at once while shown, else from a background task. */
  private next(): void {
    if (this.inFlight || this.disposed || this.queue.length === 0) return;
    if (this.visible) return this.pump();
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight || this.disposed) return;
    if (this.visible) {
      for (const p of this.queue.splice(0)) this.write(p.data, p.parsed);
      return;
    }
    const head = this.queue[0];
    if (!head) return;
    const [piece, rest] = cut(head.data, this.pieceChars);
    let done: (() => void) | undefined;
    if (rest) head.data = rest;
    else done = this.queue.shift()?.parsed;
    this.inFlight = true;
    this.write(piece, () => {
      this.inFlight = false;
      done?.();
      this.next();
    });
  }
}
