// Coalesces a terminal's output into few messages: flushed after a short delay or once a size cap is
// reached, whichever comes first (Hyper's `app/session.ts` pattern). A flood becomes ~200 messages/s
// instead of one per read.
export const BATCH_DELAY_MS = 5;
export const BATCH_MAX_CHARS = 64 * 1024;

export class OutputBatcher {
  private pending: string[] = [];
  private size = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly flush: (data: string) => void,
    private readonly delayMs = BATCH_DELAY_MS,
    private readonly maxChars = BATCH_MAX_CHARS,
  ) {}

  push(data: string): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.size += data.length;
    if (this.size >= this.maxChars) this.drain();
    else this.timer ??= setTimeout(() => this.drain(), this.delayMs);
  }

  /** Sends whatever is pending now (also used on exit, so the last output goes before the exit event). */
  drain(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.size === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    this.size = 0;
    this.flush(data);
  }
}
