// A fixed-size ring of samples per series: one Float64Array per field (NaN = no value), so 15 minutes
// of 1 Hz samples for hundreds of series cost a few MB and no garbage per sweep.
export class Ring {
  private readonly t: Float64Array;
  private readonly cols: Float64Array[];
  private next = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    readonly fields: readonly string[],
  ) {
    this.t = new Float64Array(capacity);
    this.cols = fields.map(() => new Float64Array(capacity));
  }

  /** One sample; a field missing from `values` is looked up in `more` (a series' rates beside its counters). */
  push(t: number, values: Record<string, number | null>, more?: Record<string, number | null>): void {
    this.t[this.next] = t;
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i]!;
      this.cols[i]![this.next] = (f in values ? values[f] : more?.[f]) ?? NaN;
    }
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Samples newer than `since` (ms), oldest first, columnar. */
  since(since = -Infinity): { t: number[]; values: Record<string, (number | null)[]> } {
    const t: number[] = [];
    const values: Record<string, (number | null)[]> = Object.fromEntries(this.fields.map((f) => [f, []]));
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + this.capacity) % this.capacity;
      if (this.t[i]! <= since) continue;
      t.push(this.t[i]!);
      this.fields.forEach((f, j) => {
        const v = this.cols[j]![i]!;
        values[f]!.push(Number.isNaN(v) ? null : v);
      });
    }
    return { t, values };
  }

  /** A copy with a new capacity, keeping the newest samples. */
  resized(capacity: number): Ring {
    const out = new Ring(capacity, this.fields);
    const { t, values } = this.since();
    for (let k = Math.max(0, t.length - capacity); k < t.length; k++) out.push(t[k]!, Object.fromEntries(this.fields.map((f) => [f, values[f]![k]!])));
    return out;
  }
}
