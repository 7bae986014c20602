// Watermark flow control (VS Code `terminalProcess.ts`): count characters sent but not yet acknowledged
// by the client's renderer; pause the pty above the high watermark, resume below the low one. A client
// that stops reading therefore stops the producer, and memory stays bounded.
import { PTY_WATERMARKS } from '../../shared/contract/index.js';

export class FlowControl {
  private unacked = 0;
  private paused = false;

  constructor(
    private readonly pause: () => void,
    private readonly resume: () => void,
    private readonly high: number = PTY_WATERMARKS.high,
    private readonly low: number = PTY_WATERMARKS.low,
  ) {}

  get unacknowledged(): number {
    return this.unacked;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  sent(chars: number): void {
    this.unacked += chars;
    if (!this.paused && this.unacked > this.high) {
      this.paused = true;
      this.pause();
    }
  }

  acknowledged(chars: number): void {
    this.unacked = Math.max(0, this.unacked - chars);
    if (this.paused && this.unacked < this.low) {
      this.paused = false;
      this.resume();
    }
  }

  /** A new owner starts from a clean count (it receives the scrollback instead). */
  reset(): void {
    this.unacked = 0;
    if (this.paused) {
      this.paused = false;
      this.resume();
    }
  }
}
