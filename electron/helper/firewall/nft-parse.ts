// Parsers for `nft -j -a list ruleset` (structure, handles, counters) and `nft -a list ruleset` (each
// rule's text, keyed by handle). Pure, unit-tested on captured output.
import { NslabError } from '../../shared/errors.js';

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  /** The rule's expressions as nft -j printed them. */
  expr: unknown[];
  comment: string | null;
  /** The first anonymous counter's values; null without one. */
  packets: number | null;
  bytes: number | null;
  /** accept, drop, return, `jump X`, `goto X`, masquerade, dnat, … (the last statement that decides). */
  verdict: string | null;
}

export interface NftChain {
  family: string;
  table: string;
  name: string;
  handle: number;
  type: string | null;
  hook: string | null;
  priority: number | null;
  policy: string | null;
  rules: NftRule[];
}

export interface NftTable {
  family: string;
  name: string;
  handle: number;
  chains: NftChain[];
  sets: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const NAT_STATEMENTS = ['masquerade', 'snat', 'dnat', 'redirect', 'reject', 'notrack', 'queue'];

function verdictOf(expr: unknown[]): string | null {
  for (let i = expr.length - 1; i >= 0; i--) {
    const e = expr[i];
    if (!isObj(e)) continue;
    for (const v of ['accept', 'drop', 'return', 'continue']) if (v in e) return v;
    const jump = (e.jump ?? e.goto) as Obj | undefined;
    if (isObj(jump)) return `${'jump' in e ? 'jump' : 'goto'} ${String(jump.target)}`;
    for (const s of NAT_STATEMENTS) if (s in e) return s;
    if (isObj(e.xt) && e.xt.type === 'target') return String(e.xt.name);
  }
  return null;
}

function counterOf(expr: unknown[]): { packets: number; bytes: number } | null {
  for (const e of expr) {
    if (isObj(e) && isObj(e.counter) && typeof e.counter.packets === 'number') return { packets: e.counter.packets, bytes: Number(e.counter.bytes) };
  }
  return null;
}

/** Tables in the order nft lists them, each with its chains and rules (rules in chain order). */
export function parseNftJson(text: string): NftTable[] {
  if (!text.trim()) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new NslabError('internal', `nft -j printed something that is not JSON: ${(err as Error).message}`);
  }
  const items = isObj(doc) && Array.isArray(doc.nftables) ? doc.nftables : [];
  const tables = new Map<string, NftTable>();
  const chains = new Map<string, NftChain>();
  const tableOf = (family: string, name: string): NftTable | undefined => tables.get(`${family} ${name}`);
  for (const item of items) {
    if (!isObj(item)) continue;
    if (isObj(item.table)) {
      const t = item.table;
      tables.set(`${t.family} ${t.name}`, { family: String(t.family), name: String(t.name), handle: Number(t.handle), chains: [], sets: [] });
    } else if (isObj(item.chain)) {
      const c = item.chain;
      const chain: NftChain = {
        family: String(c.family),
        table: String(c.table),
        name: String(c.name),
        handle: Number(c.handle),
        type: typeof c.type === 'string' ? c.type : null,
        hook: typeof c.hook === 'string' ? c.hook : null,
        priority: typeof c.prio === 'number' ? c.prio : null,
        policy: typeof c.policy === 'string' ? c.policy : null,
        rules: [],
      };
      chains.set(`${chain.family} ${chain.table} ${chain.name}`, chain);
      tableOf(chain.family, chain.table)?.chains.push(chain);
    } else if (isObj(item.rule)) {
      const r = item.rule;
      const expr = Array.isArray(r.expr) ? r.expr : [];
      const counter = counterOf(expr);
      chains.get(`${r.family} ${r.table} ${r.chain}`)?.rules.push({
        family: String(r.family),
        table: String(r.table),
        chain: String(r.chain),
        handle: Number(r.handle),
        expr,
        comment: typeof r.comment === 'string' ? r.comment : null,
        packets: counter?.packets ?? null,
        bytes: counter?.bytes ?? null,
        verdict: verdictOf(expr),
      });
    } else {
      const set = isObj(item.set) ? item.set : isObj(item.map) ? item.map : null;
      if (set) tableOf(String(set.family), String(set.table))?.sets.push(String(set.name));
    }
  }
  return [...tables.values()];
}

/** `<family> <table> <chain> <handle>` — the key of one rule's text. */
export const nftRuleKey = (family: string, table: string, chain: string, handle: number): string => `${family} ${table} ${chain} ${handle}`;

/** Collapses runs of spaces outside double quotes (iptables-nft leaves a double space where an xt match is). */
function tidy(text: string): string {
  let out = '';
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (!quoted && c === ' ' && out.endsWith(' ')) continue;
    out += c;
  }
  return out.trim();
}

/** What walkNftText says of one line: the key of the rule it is, or null for any other line. */
export type NftTextLine = (line: string, rule: { key: string; body: string } | null) => void;

/**
 * Walks `nft -a list ruleset` line by line, telling which lines are rules (and their key and text before
 * the handle). Brace depth outside quotes: 1 inside a table, 2 inside a chain, set or map (whose element
 * lists may span lines); rules are the lines at depth 2 of a chain.
 */
export function walkNftText(text: string, onLine: NftTextLine): void {
  let table: [string, string] | null = null;
  let chain: string | null = null;
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const before = depth;
    depth += braceBalance(line);
    if (before === 0) {
      const t = /^table (\S+) (\S+) \{/.exec(line);
      table = t ? [t[1]!, t[2]!] : null;
    } else if (before === 1) {
      const c = /^chain (\S+) \{/.exec(line);
      chain = c ? c[1]! : null;
    } else {
      const r = /^(.*?)\s*# handle (\d+)$/.exec(line);
      if (before === 2 && r && table && chain && !/^(type|policy) /.test(line)) {
        onLine(line, { key: nftRuleKey(table[0], table[1], chain, Number(r[2])), body: r[1]! });
        continue;
      }
    }
    onLine(line, null);
  }
}

/**
 * Each rule's text from `nft -a list ruleset`, without its counter values and handle: the statement a
 * person would write after `nft add rule <family> <table> <chain>`.
 */
export function parseNftText(text: string): Map<string, string> {
  const rules = new Map<string, string>();
  walkNftText(text, (_line, rule) => {
    if (rule) rules.set(rule.key, tidy(rule.body.replace(/\bcounter packets \d+ bytes \d+/g, 'counter')));
  });
  return rules;
}

function braceBalance(line: string): number {
  let n = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '{') n++;
    else if (!quoted && c === '}') n--;
  }
  return n;
}
