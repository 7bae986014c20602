// Firewall rules of one namespace as nslab reads them: every iptables table (nf_tables and legacy
// backends, reported as which) and every nft table, one list, with chains (hook, priority, policy), rules
// (as the iptables line a person would type and as nft text, nft handle included) and counters.
import { z } from 'zod';

/** Where a table lives: iptables on nf_tables (also visible to nft), iptables-legacy (x_tables), or native nft. */
export const FW_SOURCES = ['iptables-nft', 'iptables-legacy', 'nft'] as const;
export const FwSource = z.enum(FW_SOURCES);
export type FwSource = z.infer<typeof FwSource>;

/** The 5 netfilter hooks in the order a forwarded packet meets them (plus ingress/egress for netdev). */
export const FW_HOOKS = ['ingress', 'prerouting', 'input', 'forward', 'output', 'postrouting', 'egress'] as const;
export const FwHook = z.enum(FW_HOOKS);
export type FwHook = z.infer<typeof FwHook>;

export const FwRule = z.object({
  /** Stable across reads while the rule exists: `<source>/<family>/<table>/<chain>#<handle>` (legacy rules: by spec). */
  id: z.string(),
  /** Position in its chain, from 0. */
  index: z.number().int(),
  /** The nft handle (iptables-nft and nft rules); null for legacy rules. */
  handle: z.number().int().nullable(),
  /** `iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE`; null for native nft rules. */
  iptables: z.string().nullable(),
  /** The words after `-A CHAIN` (iptables rules), as iptables-save printed them, quotes removed. */
  words: z.array(z.string()).nullable(),
  /** The rule as `nft list` prints it (counter values and handle left out); null for legacy rules. */
  nft: z.string().nullable(),
  /** ACCEPT, DROP, MASQUERADE, a chain jumped to… (`-j`, or the nft verdict). */
  target: z.string().nullable(),
  comment: z.string().nullable(),
  /** `<owner>` of an `nslab:<owner>` comment (rules nslab wrote), else null. */
  owner: z.string().nullable(),
  /** null when the rule has no counter (an nft rule without `counter`). */
  packets: z.number().nullable(),
  bytes: z.number().nullable(),
});
export type FwRule = z.infer<typeof FwRule>;

export const FwChain = z.object({
  name: z.string(),
  handle: z.number().int().nullable(),
  /** Base chains: filter, nat, route. null for a user chain. */
  type: z.string().nullable(),
  hook: FwHook.nullable(),
  /** Numeric priority (raw -300, mangle -150, dstnat -100, filter 0, security 50, srcnat 100). */
  priority: z.number().int().nullable(),
  /** Base chains: ACCEPT/DROP (iptables) or accept/drop (nft); null for user chains. */
  policy: z.string().nullable(),
  /** Packets/bytes that met the policy (iptables built-in chains), else null. */
  packets: z.number().nullable(),
  bytes: z.number().nullable(),
  rules: z.array(FwRule),
});
export type FwChain = z.infer<typeof FwChain>;

export const FwTable = z.object({
  source: FwSource,
  /** nft family: ip, ip6, inet, arp, bridge, netdev. */
  family: z.string(),
  name: z.string(),
  handle: z.number().int().nullable(),
  chains: z.array(FwChain),
  /** Named sets/maps of an nft table (names only). */
  sets: z.array(z.string()),
});
export type FwTable = z.infer<typeof FwTable>;

export const FwRuleset = z.object({
  /** The node (`nslab-<node>`), or null for the root namespace / a foreign namespace. */
  node: z.string().nullable(),
  /** The namespace read; null is the root namespace. */
  netns: z.string().nullable(),
  /** Which backend the plain `iptables` command uses here. */
  iptablesBackend: z.enum(['nf_tables', 'legacy']),
  /** Legacy (x_tables) tables exist in this namespace besides nf_tables ones. */
  legacyTables: z.boolean(),
  /** nslab may write here (an nslab namespace recorded in the ledger). */
  writable: z.boolean(),
  tables: z.array(FwTable),
});
export type FwRuleset = z.infer<typeof FwRuleset>;
