// Arrow-key movement in a list of buttons (tabs, steps, nodes): which index a key moves to, wrapping at
// the ends. Each list says which keys it answers to: a horizontal tab bar uses ← →, a vertical list ↑ ↓.
export type ListKeys = Readonly<Record<string, number | 'first' | 'last'>>;

export const VERTICAL_ARROWS: ListKeys = { ArrowDown: 1, ArrowUp: -1 };
export const HORIZONTAL_ARROWS: ListKeys = { ArrowRight: 1, ArrowLeft: -1 };
const ENDS: ListKeys = { Home: 'first', End: 'last' };
export const VERTICAL: ListKeys = { ...VERTICAL_ARROWS, ...ENDS };
export const HORIZONTAL: ListKeys = { ...HORIZONTAL_ARROWS, ...ENDS };
export const EITHER: ListKeys = { ...VERTICAL, ...HORIZONTAL };

/** The index `key` moves to from `from` in a list of `count`, or null when the key is not for this list. */
export function listTarget(key: string, from: number, count: number, keys: ListKeys): number | null {
  const move = keys[key];
  if (move === undefined || count === 0) return null;
  if (move === 'first') return 0;
  if (move === 'last') return count - 1;
  return (from + move + count) % count;
}
