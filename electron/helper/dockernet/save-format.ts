// A generated ruleset as `iptables-save` prints it, and the normal form two rule dumps are compared in:
// counters zeroed, `#` lines and nslab's comment match dropped, tables in a fixed order, veth names
// never appear in Docker's rules so nothing else needs setting aside.
import type { DockerRuleset, Table } from './rules.js';

const TABLE_ORDER: Table[] = ['filter', 'nat', 'raw'];

/** The ruleset as iptables-save text (filter, nat, raw). */
export function toIptablesSave(set: DockerRuleset): string {
  const out: string[] = [];
  for (const table of TABLE_ORDER) {
    const chains = set.chains.filter((c) => c.table === table);
    if (chains.length === 0) continue;
    out.push(`*${table}`, ...chains.map((c) => `:${c.chain} ${c.policy} [0:0]`));
    for (const c of chains) {
      for (const r of set.rules) if (r.table === table && r.chain === c.chain) out.push(['-A', c.chain, ...r.words].join(' '));
    }
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

const COMMENT_MATCH = / -m comment --comment "?nslab:[^ "]+"?/g;

/** iptables-save text in the form two dumps are compared in. */
export function normalizeSave(text: string): string {
  const tables = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(COMMENT_MATCH, '').replace(/\[\d+:\d+\]/g, '[0:0]');
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('*')) tables.set(line, (current = []));
    else if (current) current.push(line);
  }
  const order = (t: string): number => TABLE_ORDER.indexOf(t.slice(1) as Table);
  return [...tables].sort(([a], [b]) => order(a) - order(b)).map(([t, lines]) => [t, ...lines].join('\n')).join('\n') + '\n';
}
