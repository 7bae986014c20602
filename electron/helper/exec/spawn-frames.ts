// The helper ⇄ spawner wire (spawner.ts, spawner-main.ts): frames of a small JSON header and raw bytes, so
// a program's output (a counter sweep's ~1 MB) crosses as it is, without JSON escaping on either side.
// A frame is: header length (uint32 LE), body length (uint32 LE), the header as UTF-8 JSON, the body.

/**
 * helper → spawner: run a program to completion (the body is its stdin; with `inputLater`, stdin stays open
 * until an `input` frame brings it), start one that lives on with no I/O until it is killed (`track`: a
 * process parked in a namespace), or kill one.
 */
export type SpawnerRequest =
  | { t: 'run'; id: number; program: string; args: string[]; env: Record<string, string>; stdoutFile: boolean; maxBytes: number; inputLater?: boolean; endMark?: string }
  | { t: 'input'; id: number }
  | { t: 'track'; id: number; program: string; args: string[]; env: Record<string, string> }
  | { t: 'kill'; id: number };

/** spawner → helper: a tracked program started (its pid), or a program ended (body: its stdout then its stderr). */
export type SpawnerReply = SpawnerStarted | SpawnerDone;

export interface SpawnerStarted {
  t: 'started';
  id: number;
  pid: number;
}

export interface SpawnerDone {
  t: 'done';
  id: number;
  code: number | null;
  signal: string | null;
  outBytes: number;
  spawnError?: { code?: string; message: string };
  overflow: boolean;
  marked?: true;
}

export function encodeFrame(header: object, body: Buffer = EMPTY): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.allocUnsafe(8);
  prefix.writeUInt32LE(head.length, 0);
  prefix.writeUInt32LE(body.length, 4);
  return Buffer.concat([prefix, head, body]);
}
const EMPTY = Buffer.alloc(0);

/** Collects chunks and hands over every complete frame; a frame's bytes are copied once, when it is whole. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly onFrame: (header: unknown, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 8) return;
      const prefix = this.peek(8);
      const headLen = prefix.readUInt32LE(0);
      const bodyLen = prefix.readUInt32LE(4);
      const total = 8 + headLen + bodyLen;
      if (this.buffered < total) return;
      const frame = this.take(total);
      this.onFrame(JSON.parse(frame.toString('utf8', 8, 8 + headLen)), frame.subarray(8 + headLen));
    }
  }

  /** The first `n` buffered bytes as one buffer (small chunks at the front are merged, once). */
  private peek(n: number): Buffer {
    while (this.chunks[0]!.length < n) this.chunks.splice(0, 2, Buffer.concat([this.chunks[0]!, this.chunks[1]!]));
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return all.subarray(0, n);
  }
}
