// Coalesces a terminal's output into few messages (Hyper's `app/session.ts` pattern), by how it arrives:
// - after a quiet spell (keystroke echo, a prompt), it goes out in the same turn of the event loop;
// - small output arriving back to back (typing fast, a progress bar) waits TRICKLE_DELAY_MS;
// - while output streams (the last batch was big), it waits BATCH_DELAY_MS, or until BATCH_MAX_CHARS have
//   gathered. A flood is then a few dozen large messages a second instead of one per 4 KB pty read, which
//   is what lets a browser keep up: each message costs a WebSocket frame, a task and a write into xterm.js.
export const BATCH_DELAY_MS = 16;
export const TRICKLE_DELAY_MS = 5;
/** A batch at least this big means output is streaming. */
export const STREAM_CHARS = 16 * 1024;
/**
 * Every transport caps a message at MAX_MESSAGE_BYTES (1 MiB), and JSON spells a control character in 6 bytes
 * (`\u001b`): the largest batch must still fit when it is nothing but those.
 */
export const BATCH_MAX_CHARS = 128 * 1024;

export class OutputBatcher {
  private pending: string[] = [];
  private size = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private soon: ReturnType<typeof setImmediate> | null = null;
  private lastSent = Number.NEGATIVE_INFINITY;
  private lastSize = 0;

  constructor(
    private readonly flush: (data: string) => void,
    private readonly maxChars = BATCH_MAX_CHARS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(data: string): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.size += data.length;
    if (this.size >= this.maxChars) return this.drain();
    if (this.timer || this.soon) return;
    if (this.now() - this.lastSent >= TRICKLE_DELAY_MS) this.soon = setImmediate(() => this.drain());
    else this.timer = setTimeout(() => this.drain(), this.lastSize >= STREAM_CHARS ? BATCH_DELAY_MS : TRICKLE_DELAY_MS);
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
    this.lastSize = this.size;
    this.size = 0;
    this.lastSent = this.now();
    this.flush(data);
  }
}
