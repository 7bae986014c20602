// The helper-side copy of a terminal's recent output, so a closed or reloaded view can re-attach.
//
// It keeps the pty's raw bytes in one fixed ring buffer, outside the JS heap, and decodes only when someone
// re-attaches. Keeping the decoded chunks instead (as it did) made every character of output live ~0.2 s
// under a flood: long enough to survive young-generation collections and be promoted, so the whole output
// rate (11–13 MB/s in the load bench) became old-generation garbage, and the heap's size swung between
// full collections by tens of MB (tests/bench/load.bench.mjs, `memoryMB`). A copy into the ring is a
// memcpy and leaves nothing for the collector.

/**
 * Bytes kept per terminal: 256 KiB, i.e. 256 Ki characters of ASCII output (fewer when they are multi-byte).
 * `pty.config` reports it as `scrollbackChars`, an upper bound on the characters a re-attach replays.
 */
export const SCROLLBACK_CHARS = 256 * 1024;

/** A line break this close to the start of the kept text is where the replay starts. */
const LINE_START_WITHIN = 4096;

export class Scrollback {
  /** Allocated on the first output; its pages only become resident as they are written. */
  private ring: Buffer | null = null;
  /** Where the next byte goes. */
  private at = 0;
  /** The ring has been filled once: the oldest byte is at `at`. */
  private wrapped = false;

  constructor(private readonly limit = SCROLLBACK_CHARS) {}

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const ring = (this.ring ??= Buffer.allocUnsafe(this.limit));
    let src = bytes.length > this.limit ? bytes.subarray(bytes.length - this.limit) : bytes;
    if (src.length < bytes.length) this.wrapped = true;
    while (src.length > 0) {
      const n = Math.min(src.length, this.limit - this.at);
      ring.set(src.subarray(0, n), this.at);
      src = src.subarray(n);
      this.at += n;
      if (this.at === this.limit) {
        this.at = 0;
        this.wrapped = true;
      }
    }
  }

  /**
   * The kept text. When older output was dropped it starts at a character boundary (not inside a UTF-8
   * sequence) and, when a line break is near, after it, so it does not open mid-escape-sequence either.
   */
  text(): string {
    if (!this.ring) return '';
    if (!this.wrapped) return this.ring.toString('utf8', 0, completeEnd(this.ring, this.at));
    const bytes = Buffer.concat([this.ring.subarray(this.at), this.ring.subarray(0, this.at)]);
    let start = 0;
    while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++; // continuation bytes of a cut character
    const nl = bytes.indexOf(0x0a, start);
    if (nl !== -1 && nl - start < LINE_START_WITHIN) start = nl + 1;
    return bytes.toString('utf8', start, Math.max(start, completeEnd(bytes, bytes.length)));
  }
}

/**
 * Where the bytes before `end` stop being whole characters: a character the pty has only sent part of yet
 * is left out, as the live stream's decoder holds it back (it follows whole, after the replay).
 */
function completeEnd(bytes: Uint8Array, end: number): number {
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return end - i < need ? i : end;
  }
  return end;
}
