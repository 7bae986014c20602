// The parser for `iptables-save -c` output (conntrack's is conntrack/parse.ts). Pure, unit-tested on captured output.

export interface IptablesChain {
  name: string;
  /** ACCEPT/DROP for a built-in chain, null for a user chain (`-`). */
  policy: string | null;
  packets: number;
  bytes: number;
}

export interface IptablesRule {
  table: string;
  chain: string;
  /** The words after `-A CHAIN`, quotes removed. */
  words: string[];
  /** The rule as iptables-save printed it, after `-A CHAIN `. */
  spec: string;
  packets: number;
  bytes: number;
  comment: string | null;
}

export interface IptablesTable {
  name: string;
  chains: IptablesChain[];
  rules: IptablesRule[];
}

/**
 * Splits a line into words the way a rule parser does: blanks separate, the given quote characters group
 * (a quote opened must be closed by the same one), a backslash escapes when `escapes`. `open` is the
 * quote left unclosed, if any.
 */
export function splitQuoted(line: string, quotes: string, escapes: boolean): { words: string[]; open: string | null } {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let open: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (escapes && c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (open ? c === open : quotes.includes(c)) {
      open = open ? null : c;
      inWord = true;
    } else if (!open && /\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return { words, open };
}

/** Splits an iptables-save line into words: double quotes group, a backslash escapes. */
export const splitWords = (line: string): string[] => splitQuoted(line, '"', true).words;

const COUNTERS = /^\[(\d+):(\d+)\]\s*/;

export function parseIptablesSave(text: string): IptablesTable[] {
  const tables: IptablesTable[] = [];
  let table: IptablesTable | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      table = { name: line.slice(1), chains: [], rules: [] };
      tables.push(table);
    } else if (line === 'COMMIT') {
      table = null;
    } else if (table && line.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)\s+\[(\d+):(\d+)\]/.exec(line);
      if (m) table.chains.push({ name: m[1]!, policy: m[2] === '-' ? null : m[2]!, packets: Number(m[3]), bytes: Number(m[4]) });
    } else if (table) {
      const counters = COUNTERS.exec(line);
      const rest = counters ? line.slice(counters[0].length) : line;
      const words = splitWords(rest);
      if (words[0] !== '-A' || words[1] === undefined) continue;
      const ci = words.indexOf('--comment');
      table.rules.push({
        table: table.name,
        chain: words[1],
        words: words.slice(2),
        spec: rest.replace(/^-A\s+\S+\s*/, ''),
        packets: counters ? Number(counters[1]) : 0,
        bytes: counters ? Number(counters[2]) : 0,
        comment: ci >= 0 ? (words[ci + 1] ?? null) : null,
      });
    }
  }
  return tables;
}
