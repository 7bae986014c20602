// Coalesces a terminal's output into few messages (Hyper's `app/session.ts` pattern). While output streams
// it goes out every BATCH_DELAY_MS, or as soon as BATCH_MAX_CHARS have gathered: a flood is a few dozen
// large messages a second instead of one per 4 KB pty read, which is what lets a browser keep up (each
// message costs a WebSocket frame, a task and a write into xterm.js). The first output after a quiet spell
// goes out in the same turn of the event loop instead, so keystroke echo never waits for the timer.
export const BATCH_DELAY_MS = 16;
export const BATCH_MAX_CHARS = 256 * 1024;

export class OutputBatcher {
  private pending: string[] = [];
  private size = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private soon: ReturnType<typeof setImmediate> | null = null;
  private lastSent = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly flush: (data: string) => void,
    private readonly delayMs = BATCH_DELAY_MS,
    private readonly maxChars = BATCH_MAX_CHARS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(data: string): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.size += data.length;
    if (this.size >= this.maxChars) return this.drain();
    if (this.timer || this.soon) return;
    if (this.now() - this.lastSent >= this.delayMs) this.soon = setImmediate(() => this.drain());
    else this.timer = setTimeout(() => this.drain(), this.delayMs);
  }

  /** Sends whatever is pending now (also used on exit, so the last output goes before the exit event). */
  drain(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = null;
    this.soon = null;
    if (this.size === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    this.size = 0;
    this.lastSent = this.now();
    this.flush(data);
  }
}
