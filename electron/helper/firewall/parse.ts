// Parsers for `iptables-save -c` and `conntrack -L` output. Pure, unit-tested on captured output.

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

export interface ConntrackTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  type?: number;
  code?: number;
  id?: number;
}

export interface ConntrackEntry {
  family: string;
  protocol: string;
  timeout: number;
  /** The TCP state (ESTABLISHED, TIME_WAIT…), or null for protocols without one. */
  state: string | null;
  /** UNREPLIED, ASSURED… */
  flags: string[];
  original: ConntrackTuple;
  reply: ConntrackTuple;
  /** The reply goes to another address than the sender: the flow is NAT-ed. */
  natted: boolean;
}

const TUPLE_KEYS = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'id']);

/** Both `conntrack -L` and `conntrack -L -o extended` (which starts with `ipv4 2`). */
export function parseConntrack(text: string): ConntrackEntry[] {
  const entries: ConntrackEntry[] = [];
  for (const raw of text.split('\n')) {
    let words = raw.trim().split(/\s+/).filter(Boolean);
    if (words.length < 4 || words[0] === 'conntrack') continue;
    let family = 'ipv4';
    if (words[0] === 'ipv4' || words[0] === 'ipv6') {
      family = words[0];
      words = words.slice(2);
    }
    const [protocol, , timeout, ...rest] = words;
    const tuples: Record<string, string>[] = [];
    const flags: string[] = [];
    let state: string | null = null;
    for (const w of rest) {
      const eq = w.indexOf('=');
      if (w.startsWith('[') && w.endsWith(']')) flags.push(w.slice(1, -1));
      else if (eq > 0) {
        const key = w.slice(0, eq);
        if (!TUPLE_KEYS.has(key)) continue;
        if (key === 'src' || tuples.length === 0) tuples.push({});
        tuples[tuples.length - 1]![key] = w.slice(eq + 1);
      } else if (/^[A-Z_]+$/.test(w) && tuples.length === 0) state = w;
    }
    const tuple = (t: Record<string, string> | undefined): ConntrackTuple => {
      const out: ConntrackTuple = { src: t?.src ?? '', dst: t?.dst ?? '' };
      for (const k of ['sport', 'dport', 'type', 'code', 'id'] as const) if (t?.[k] !== undefined) out[k] = Number(t[k]);
      return out;
    };
    const original = tuple(tuples[0]);
    const reply = tuple(tuples[1]);
    entries.push({ family, protocol: protocol!, timeout: Number(timeout), state, flags, original, reply, natted: reply.dst !== '' && reply.dst !== original.src });
  }
  return entries;
}
