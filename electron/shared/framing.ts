// Newline-delimited JSON framing with a size cap, for every byte stream that carries JSON-RPC: the helper's
// socket and stdio, the CLI's client and relay, Electron main's pipe to the helper. It works on bytes, so a
// UTF-8 character split between two reads arrives whole. An oversized line is reported once and skipped up
// to its end, so the connection keeps serving the next message.
import { MAX_MESSAGE_BYTES } from './rpc.js';

export type Frame = { kind: 'line'; text: string } | { kind: 'oversized'; bytes: number };

const utf8 = new TextDecoder();

export class LineFramer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly maxBytes = MAX_MESSAGE_BYTES) {}

  push(chunk: Uint8Array): Frame[] {
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

  private take(piece: Uint8Array, frames: Frame[]): void {
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
    const text = utf8.decode(this.parts.length === 1 ? this.parts[0] : joined(this.parts, this.size));
    this.parts = [];
    this.size = 0;
    this.skipping = false;
    if (wasSkipping || text.trim() === '') return [];
    return [{ kind: 'line', text }];
  }
}

function joined(parts: Uint8Array[], size: number): Uint8Array {
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}
