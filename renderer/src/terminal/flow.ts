// Client-side flow control for terminals. The helper counts characters it sent and the client has not
// acknowledged, pausing the pty above a high watermark (PTY_WATERMARKS). The client acknowledges only what
// xterm.js has actually parsed (from its write callback, VS Code's pattern) — never on receipt — and in
// batches, so a flood costs a few acks per 64 KB batch, not one per message.

/** Acknowledge once this many characters are rendered… */
export const ACK_CHARS = 5_000;
/** …or this long after the first unacknowledged one, whichever comes first. */
export const ACK_DELAY_MS = 20;
/** Resizes coalesce: a window drag sends one pty.resize when it settles. */
export const RESIZE_DEBOUNCE_MS = 100;

export class AckBatcher {
  private pending = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(
    private readonly send: (chars: number) => void,
    private readonly threshold = ACK_CHARS,
    private readonly delayMs = ACK_DELAY_MS,
  ) {}

  /** Characters xterm has finished parsing. */
  rendered(chars: number): void {
    if (this.disposed || chars <= 0) return;
    this.pending += chars;
    if (this.pending >= this.threshold) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === 0 || this.disposed) return;
    const chars = this.pending;
    this.pending = 0;
    this.send(chars);
  }

  get unsent(): number {
    return this.pending;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = 0;
    this.disposed = true;
  }
}

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  cancel(): void;
}

/** Calls fn with the last arguments once no call has come for `ms`. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const wrapped = ((...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  }) as Debounced<A>;
  wrapped.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return wrapped;
}

/** Typed or pasted text goes to pty.write in pieces of this many characters (its limit is 65 536). */
export const WRITE_CHUNK_CHARS = 16_384;
