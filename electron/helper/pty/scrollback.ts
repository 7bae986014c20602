// The helper-side copy of a terminal's recent output, so a closed or reloaded view can re-attach.
export const SCROLLBACK_CHARS = 256 * 1024;

export class Scrollback {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly limit = SCROLLBACK_CHARS) {}

  append(data: string): void {
    this.chunks.push(data);
    this.size += data.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
    if (this.size > this.limit) {
      const only = this.chunks[0]!;
      this.chunks = [only.slice(only.length - this.limit)];
      this.size = this.limit;
    }
  }

  /** The kept text, starting at a line boundary when one is near so it does not open mid-escape-sequence. */
  text(): string {
    const all = this.chunks.join('');
    if (all.length < this.limit) return all;
    const nl = all.indexOf('\n');
    return nl !== -1 && nl < 4096 ? all.slice(nl + 1) : all;
  }
}
