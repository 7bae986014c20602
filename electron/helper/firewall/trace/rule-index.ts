// Resolves what trace events name (family, table, chain, rule handle) against the firewall reader's fresh
// snapshot of each namespace: the hook and priority of a chain, a rule's iptables line and nft text.
import type { FwRuleset } from '../../../shared/contract/firewall.js';
import type { Hook } from '../../../shared/contract/index.js';
import { HOOKS } from '../../../shared/contract/index.js';
import { readRuleset } from '../ruleset.js';
import type { RuleIndex } from './join.js';

export function ruleIndexOf(rulesets: Map<string, FwRuleset>): RuleIndex {
  const chainOf = (netns: string, family: string, table: string, chain: string) =>
    rulesets
      .get(netns)
      ?.tables.find((t) => t.family === family && t.name === table && t.source !== 'iptables-legacy')
      ?.chains.find((c) => c.name === chain);
  return {
    chain(netns, family, table, chain) {
      const c = chainOf(netns, family, table, chain);
      if (!c) return null;
      const hook = c.hook && (HOOKS as readonly string[]).includes(c.hook) ? (c.hook as Hook) : null;
      return { hook, priority: c.priority };
    },
    rule(netns, family, table, chain, handle) {
      const r = chainOf(netns, family, table, chain)?.rules.find((x) => x.handle === handle);
      return r ? { nft: r.nft ?? '', iptables: r.iptables } : null;
    },
  };
}

/** One fresh snapshot per namespace (iptables-nft and nft; legacy tables are not traced by nftrace). */
export async function readRuleIndex(namespaces: string[]): Promise<RuleIndex> {
  const sets = await Promise.all(namespaces.map(async (ns) => [ns, await readRuleset(ns, { legacy: false })] as const));
  return ruleIndexOf(new Map(sets));
}
