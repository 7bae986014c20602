// User-namespace ID maps (user_namespaces(7)): each line maps `count` IDs starting at `inside` in the new
// namespace onto `outside` in the parent. The kernel refuses a map whose lines overlap (inside or outside),
// that wraps past 2^32-1, or that has more than 340 lines; and a writer may only map IDs it has itself.
export interface IdMapLine {
  inside: number;
  outside: number;
  count: number;
}

export const ID_MAX = 4_294_967_295; // (u32)-1 is never a valid ID
/** nslab's own ceiling (the kernel allows 340 lines). */
export const ID_MAP_MAX_LINES = 5;

const overlaps = (a0: number, an: number, b0: number, bn: number): boolean => a0 < b0 + bn && b0 < a0 + an;

/** The first rule this map breaks, as the kernel documents it; null when it is a map the kernel accepts. */
export function idMapProblem(lines: readonly IdMapLine[]): { index: number; rule: string } | null {
  if (lines.length === 0) return { index: 0, rule: 'a map needs at least one line' };
  if (lines.length > ID_MAP_MAX_LINES) return { index: ID_MAP_MAX_LINES, rule: `at most ${ID_MAP_MAX_LINES} lines (the kernel's limit is 340)` };
  for (const [i, l] of lines.entries()) {
    if (![l.inside, l.outside, l.count].every((v) => Number.isInteger(v) && v >= 0)) return { index: i, rule: 'inside, outside and count are non-negative integers' };
    if (l.count < 1) return { index: i, rule: 'count must be at least 1' };
    if (l.inside + l.count > ID_MAX || l.outside + l.count > ID_MAX) return { index: i, rule: 'a range may not extend past 4294967294 (the end of the 32-bit ID space)' };
    for (let j = 0; j < i; j++) {
      const o = lines[j]!;
      if (overlaps(l.inside, l.count, o.inside, o.count)) return { index: i, rule: `the inside range overlaps line ${j} (the kernel refuses overlapping ranges with EINVAL)` };
      if (overlaps(l.outside, l.count, o.outside, o.count)) return { index: i, rule: `the outside range overlaps line ${j} (the kernel refuses overlapping ranges with EINVAL)` };
    }
  }
  return null;
}

/** Whether every outside ID is mapped in the writer's own namespace (its /proc/self/uid_map): else EPERM. */
export function outsideWithin(lines: readonly IdMapLine[], own: readonly IdMapLine[]): number | null {
  for (const [i, l] of lines.entries()) {
    // a range may span several of the caller's lines; walk it
    let at = l.outside;
    const end = l.outside + l.count;
    while (at < end) {
      const cover = own.find((o) => at >= o.inside && at < o.inside + o.count);
      if (!cover) return i;
      at = cover.inside + cover.count;
    }
  }
  return null;
}

/** /proc/PID/uid_map text → lines. */
export const parseIdMap = (text: string): IdMapLine[] =>
  text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isFinite(n)))
    .map(([inside, outside, count]) => ({ inside: inside!, outside: outside!, count: count! }));

export const formatIdMap = (lines: readonly IdMapLine[]): string => lines.map((l) => `${l.inside} ${l.outside} ${l.count}`).join('\n') + '\n';

/** The host ID that an ID inside maps to, or null when it is unmapped (it shows as 65534, "nobody"). */
export const hostIdOf = (id: number, lines: readonly IdMapLine[]): number | null => {
  const l = lines.find((m) => id >= m.inside && id < m.inside + m.count);
  return l ? l.outside + (id - l.inside) : null;
};
