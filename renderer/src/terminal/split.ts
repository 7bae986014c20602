// The one place terminal text is cut into pieces (output parsed in background pieces, input sent in
// pty.write-sized chunks): a cut never falls between the two halves of a surrogate pair, so no piece ends
// in half an emoji that xterm.js or the pty would turn into U+FFFD.

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Cuts about `max` characters off the front of `text`, never between the halves of a surrogate pair. */
export function cut(text: string, max: number): [string, string] {
  if (text.length <= max) return [text, ''];
  const at = !isHighSurrogate(text.charCodeAt(max - 1)) ? max : max > 1 ? max - 1 : max + 1; // a one-character limit still makes progress
  return [text.slice(0, at), text.slice(at)];
}

/** `text` in pieces of at most `size` characters (a pair is never split). */
export function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let rest = text;
  do {
    const [piece, more] = cut(rest, size);
    out.push(piece);
    rest = more;
  } while (rest);
  return out;
}
