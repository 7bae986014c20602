// Where JSON text stops being JSON: V8's messages name a position only for some errors, and a learner who
// hand-edits a .conflist needs "line 7, column 3" every time. A strict RFC 8259 scanner that only finds
// the first offending offset (JSON.parse still does the parsing).

export interface JsonWhere {
  offset: number;
  line: number;
  column: number;
  /** What the scanner expected there. */
  expected: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(expected);
  }
}

export function jsonErrorAt(text: string): JsonWhere | null {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (expected: string): never => {
    throw new Stop(i, expected);
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`a value (${word}?)`);
  };
  const string = (): void => {
    if (text[i] !== '"') fail('a string in double quotes');
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('no raw control character inside a string (write \\n)');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits after \\u');
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)');
      }
      i++;
    }
    if (i >= text.length) fail('the closing " of a string');
    i++;
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail('a number');
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail("':' after a key");
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') fail('another "key": value after the comma (JSON allows no trailing comma)');
          continue;
        }
        if (text[i] === '}') return void i++;
        fail("',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') fail('another value after the comma (JSON allows no trailing comma)');
          continue;
        }
        if (text[i] === ']') return void i++;
        fail("',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail(c === undefined ? 'a value, but the text ended' : 'a value');
  };
  try {
    value();
    ws();
    if (i < text.length) fail('the end of the text after the top-level value');
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.offset);
    const line = before.split('\n').length;
    const column = err.offset - before.lastIndexOf('\n');
    return { offset: err.offset, line, column, expected: err.expected };
  }
}
