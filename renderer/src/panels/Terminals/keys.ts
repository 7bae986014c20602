// The Terminals panel's keyboard shortcuts. Chosen so the browser does not keep them for itself (Ctrl+T,
// Ctrl+W, Ctrl+PageUp are the browser's) and the shell loses little (Ctrl+Shift+letter sends the same
// control character as Ctrl+letter anyway).
export type TerminalAction = 'copy' | 'paste' | 'search' | 'fontUp' | 'fontDown' | 'fontReset' | 'previous' | 'next' | 'close' | { tab: number };

export function shortcut(e: Pick<KeyboardEvent, 'type' | 'key' | 'code' | 'ctrlKey' | 'shiftKey' | 'altKey' | 'metaKey'>): TerminalAction | null {
  if (e.type !== 'keydown' || e.metaKey) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.ctrlKey && e.shiftKey && !e.altKey) {
    if (key === 'c') return 'copy';
    if (key === 'v') return 'paste';
    if (key === 'f') return 'search';
  }
  if (e.ctrlKey && !e.altKey) {
    if (key === '=' || key === '+') return 'fontUp';
    if (key === '-' || key === '_') return 'fontDown';
    if (key === '0' && !e.shiftKey) return 'fontReset';
  }
  if (e.altKey && !e.ctrlKey) {
    if (e.shiftKey && key === 'ArrowLeft') return 'previous';
    if (e.shiftKey && key === 'ArrowRight') return 'next';
    if (e.shiftKey && (key === 'w' || e.code === 'KeyW')) return 'close';
    const digit = /^Digit([1-9])$/.exec(e.code);
    if (!e.shiftKey && digit) return { tab: Number(digit[1]) - 1 };
  }
  return null;
}
