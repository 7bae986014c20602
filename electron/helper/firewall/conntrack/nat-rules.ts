// Links a NATed conntrack entry to the nat rule that made it: the rule of the right kind (SNAT/MASQUERADE
// for a changed source, DNAT/REDIRECT for a changed destination) whose packet counter moved when the
// entry was created. Only a flow's first packet goes through the nat table, so a counter moves once per
// new NATed flow.
import type { ConntrackEntry } from '../../../shared/contract/index.js';
import { readRuleset } from '../ruleset.js';

export interface NatRuleCounter {
  label: string;
  kind: 'snat' | 'dnat';
  packets: number;
}

const KIND: [RegExp, 'snat' | 'dnat'][] = [
  [/^(MASQUERADE|SNAT|masquerade|snat)\b/, 'snat'],
  [/^(DNAT|REDIRECT|dnat|redirect)\b/, 'dnat'],
];

export async function readNatCounters(netns: string): Promise<NatRuleCounter[]> {
  const ruleset = await readRuleset(netns, { legacy: false, text: false });
  return ruleset.tables.flatMap((t) =>
    t.chains.flatMap((c) =>
      c.rules.flatMap((r) => {
        const kind = KIND.find(([re]) => re.test(r.target ?? ''))?.[1];
        return kind && r.packets !== null ? [{ label: r.iptables ?? r.nft ?? `${t.name} ${c.name} #${r.handle}`, kind, packets: r.packets }] : [];
      }),
    ),
  );
}

/** The rules whose counter moved between two reads. */
export function movedRules(before: NatRuleCounter[], after: NatRuleCounter[]): NatRuleCounter[] {
  const was = new Map(before.map((r) => [r.label, r.packets]));
  return after.filter((r) => r.packets > (was.get(r.label) ?? 0));
}

/** The nat rule for an entry among candidates (moved ones when watching; any that has counted when listing). */
export function natRuleFor(entry: ConntrackEntry, candidates: NatRuleCounter[]): string | null {
  const kind = entry.nat[0]?.kind;
  if (!kind) return null;
  return candidates.find((r) => r.kind === kind && r.packets > 0)?.label ?? null;
}
