// The hook diagram's model: the 5 hooks left to right, and on each every base chain of every table
// (iptables and nft together, since an accept in one table is not final) in the order the kernel runs them.
import type { FwChain, FwRuleset, FwTable } from '@shared/contract/index';
import { HOOKS, type Hook, type TraceHop } from '@shared/contract/index';
import { chainKey } from '../../stores/firewall';

export { chainKey };

export interface HookChain {
  /** `<source>/<family>/<table>/<chain>`: the key fw.counters uses for policy counters. */
  key: string;
  table: FwTable;
  chain: FwChain;
}

export interface HookColumn {
  hook: Hook;
  chains: HookChain[];
}

export function hookColumns(ruleset: FwRuleset | null): HookColumn[] {
  const columns = HOOKS.map((hook): HookColumn => ({ hook, chains: [] }));
  for (const table of ruleset?.tables ?? []) {
    for (const chain of table.chains) {
      const column = columns.find((c) => c.hook === chain.hook);
      if (column) column.chains.push({ key: chainKey(table, chain.name), table, chain });
    }
  }
  for (const c of columns) c.chains.sort((a, b) => (a.chain.priority ?? 0) - (b.chain.priority ?? 0));
  return columns;
}

/** The packets a chain saw in total: its rules' counters plus its policy's (what the diagram shows). */
export const chainPackets = (chain: FwChain): number => chain.rules.reduce((n, r) => n + (r.packets ?? 0), chain.packets ?? 0);

/** Does a hop of the walk stand on this chain of this namespace's diagram? */
export const hopOn = (hop: TraceHop | null, netns: string | null, c: HookChain): boolean =>
  hop !== null && !hop.observer && hop.netns === netns && hop.hook === c.chain.hook && hop.table === c.table.name && hop.chain === c.chain.name;

/** Is the walk's current hop at this hook of this namespace (nslab's observer chain included: a hook with no chain of its own still lights)? */
export const hookLit = (hop: TraceHop | null, netns: string | null, hook: Hook): boolean => hop !== null && hop.netns === netns && hop.hook === hook;

/** What the current hop decided, shown on its chain: `DROP (policy)`, `ACCEPT`…; null for a pass that continued. */
export function hopVerdict(hop: TraceHop | null): string | null {
  if (!hop || hop.observer || hop.verdict === 'continue') return null;
  return `${hop.verdict.toUpperCase()}${hop.byPolicy ? ' (policy)' : ''}`;
}
