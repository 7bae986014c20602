// Newline-delimited JSON from the helper's stdout, with the same size cap as every other transport.
import { MAX_MESSAGE_BYTES } from '../shared/rpc.js';

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly maxBytes = MAX_MESSAGE_BYTES) {}

  /** Complete lines in this chunk (an over-long line is dropped whole). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.take(chunk.subarray(start, nl));
      if (!this.skipping && this.size > 0) lines.push(Buffer.concat(this.parts).toString('utf8'));
      this.parts = [];
      this.size = 0;
      this.skipping = false;
      start = nl + 1;
    }
    this.take(chunk.subarray(start));
    return lines.filter((l) => l.trim() !== '');
  }

  private take(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    this.size += piece.length;
    if (this.size > this.maxBytes) {
      this.skipping = true;
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }
}
