// Pure helpers of the YAML dialog: where a 1-based line/column sits in the text, and the line to show.

/** The character offset of a 1-based line and column (clamped to the text). */
export function offsetOf(text: string, line: number, col = 1): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  const end = text.indexOf('\n', offset);
  return Math.min(offset + Math.max(col - 1, 0), end < 0 ? text.length : end);
}

/** The text of a 1-based line, without its newline ('' past the end). */
export const lineText = (text: string, line: number): string => text.split('\n')[line - 1] ?? '';
