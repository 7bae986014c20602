// Durations as people type them on a command line: 90s, 10m, 1.5h, 2d, 500ms, or 0.
import { NslabError } from './errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds for `text`; a clear typed error naming `field` otherwise (a bare number other than 0 is refused: seconds or minutes?). */
export function parseDuration(text: string, field: string, maxMs = Number.MAX_SAFE_INTEGER): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const value = m ? Number(m[1]) : NaN;
  if (!m || (m[2] === undefined && value !== 0)) {
    throw new NslabError('invalid-params', `${field}: expected a duration such as 90s, 10m, 2h or 0, not '${text}'`, { field });
  }
  const ms = Math.round(value * UNIT_MS[(m[2] ?? 'ms') as keyof typeof UNIT_MS]);
  if (ms > maxMs) throw new NslabError('invalid-params', `${field}: at most ${formatDuration(maxMs)}, not '${text}'`, { field });
  return ms;
}

/** The largest whole unit that fits: 600000 → "10m", 90000 → "90s". */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
