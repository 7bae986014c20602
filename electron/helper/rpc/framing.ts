// Newline-delimited JSON framing with a size cap. An oversized line is reported once and skipped up to
// its end, so the connection keeps serving the next message.
import { MAX_MESSAGE_BYTES } from '../../shared/rpc.js';

export type Frame = { kind: 'line'; text: string } | { kind: 'oversized'; bytes: number };

export class LineFramer {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly maxBytes = MAX_MESSAGE_BYTES) {}

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.take(chunk.subarray(start, nl), frames);
      frames.push(...this.endLine());
      start = nl + 1;
    }
    this.take(chunk.subarray(start), frames);
    return frames;
  }

  private take(piece: Buffer, frames: Frame[]): void {
    if (this.skipping || piece.length === 0) return;
    this.size += piece.length;
    if (this.size > this.maxBytes) {
      frames.push({ kind: 'oversized', bytes: this.size });
      this.skipping = true;
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }

  private endLine(): Frame[] {
    const wasSkipping = this.skipping;
    const text = Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.skipping = false;
    if (wasSkipping || text.trim() === '') return [];
    return [{ kind: 'line', text }];
  }
}
