// Firewall rules of one namespace as nslab reads them: every iptables table (nf_tables and legacy
// backends, reported as which) and every nft table, one list, with chains (hook, priority, policy), rules
// (as the iptables line a person would type and as nft text, nft handle included) and counters.
import { z } from 'zod';
import { NetnsName, NodeName } from '../names.js';
import { defineMethods } from './define.js';

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

// ---- methods ----

/** What a rule is tagged with: `nslab:<owner>` (iptables comment) / table `nslab_<owner>` (nft). */
export const FwOwner = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,47}$/, { error: "owner may contain only letters, digits, '_', '.' and '-' (at most 48), e.g. manual or lab-nat" });
export const FW_DEFAULT_OWNER = 'manual';
export const IPTABLES_TABLES = ['filter', 'nat', 'mangle', 'raw', 'security'] as const;
export const FwTableName = z.enum(IPTABLES_TABLES, { error: `table must be one of ${IPTABLES_TABLES.join(', ')}` });
/** A chain name's pattern (exported so a batch of lines can test it without zod). */
export const FW_CHAIN_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,28}$/;
export const FwChainName = z.string().regex(FW_CHAIN_NAME_RE, { error: "a chain name has letters, digits, '_', '.', '-' (at most 29)" });
/** One word of an iptables rule: no shell metacharacters, no quotes (a shell never sees it, but a person copies it). */
export const FW_RULE_WORD_RE = /^[^;&|$`<>(){}\\'"\n\r\t*?[\]~#]{1,256}$/;
export const FwRuleWord = z
  .string()
  .min(1, { error: 'a rule word must not be empty' })
  .max(256)
  .regex(FW_RULE_WORD_RE, { error: 'a rule word must not contain shell metacharacters, quotes or control characters (; & | $ ` < > ( ) { } \\ \' " * ? [ ] ~ #)' });

/** Writes name a node nslab owns; omitted (the root namespace) is refused with a typed error. */
const node = NodeName.optional();
const NftFamily = z.enum(['ip', 'ip6', 'inet'], { error: 'family must be ip, ip6 or inet' });
const NftChainName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, { error: "an nft chain name has letters, digits and '_' (at most 32), starting with a letter" });

/** The iptables form: table, chain, the words after `-A CHAIN`. */
const IptablesRuleForm = z.strictObject({
  table: FwTableName.default('filter'),
  chain: FwChainName,
  rule: z.array(FwRuleWord).min(1, { error: 'a rule needs at least a target, e.g. ["-j", "ACCEPT"]' }).max(200),
});

/** An nft rule in the owner's own table `nslab_<owner>`; the chain is made if missing (a base chain with `hook`). */
const NftRuleForm = z.strictObject({
  family: NftFamily.default('inet'),
  chain: NftChainName,
  hook: z.enum(['prerouting', 'input', 'forward', 'output', 'postrouting']).optional(),
  type: z.enum(['filter', 'nat', 'route']).default('filter'),
  priority: z.number().int().min(-1000).max(1000).default(0),
  policy: z.enum(['accept', 'drop']).default('accept'),
  /** The rule as written after `nft add rule <family> <table> <chain>`, e.g. `ip saddr 10.0.0.0/24 counter drop`. */
  rule: z
    .string()
    .min(1)
    .max(2000)
    .regex(/^[^;\n\r#`$\\]+$/, { error: 'an nft rule is one statement: no ; # ` $ \\ or newlines' }),
});

export const FwRuleAddParams = z
  .strictObject({
    node,
    owner: FwOwner.default(FW_DEFAULT_OWNER),
    /** An iptables line as typed after `iptables`: `-t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE` (tokenised without a shell). */
    line: z.string().min(1).max(4000).optional(),
    /** Many iptables lines, applied as one batch (one validation, one iptables-restore per table). */
    lines: z.array(z.string().min(1).max(4000)).min(1).max(10_000).optional(),
    iptables: IptablesRuleForm.extend({
      /** Insert at this 1-based position (`-I CHAIN N`) instead of appending. */
      position: z.number().int().min(1).max(100_000).optional(),
    }).optional(),
    nft: NftRuleForm.optional(),
  })
  .refine((p) => [p.line, p.lines, p.iptables, p.nft].filter((x) => x !== undefined).length === 1, { error: 'give exactly one of line, lines, iptables or nft', path: ['line'] });
export type FwRuleAddParams = z.infer<typeof FwRuleAddParams>;

export const FwRuleChange = z.object({
  netns: z.string(),
  /** What ran, as a person would type it. */
  commands: z.array(z.string()),
  /** The rules as read back afterwards (added), or as they were (deleted). */
  rules: z.array(FwRule),
});
export type FwRuleChange = z.infer<typeof FwRuleChange>;

export const FwRuleDeleteParams = z
  .strictObject({
    node,
    /** A rule id from fw.show. */
    id: z.string().min(1).max(4000).optional(),
    /** Every rule tagged `nslab:<owner>` and the nft table `nslab_<owner>`. */
    owner: FwOwner.optional(),
    /** An iptables line: `-t nat -D POSTROUTING -s 10.0.0.0/24 -j MASQUERADE` (without the nslab comment). */
    line: z.string().min(1).max(4000).optional(),
  })
  .refine((p) => [p.id, p.owner, p.line].filter((x) => x !== undefined).length === 1, { error: 'give exactly one of id, owner or line', path: ['id'] });

export const FwPolicyParams = z.strictObject({
  node,
  table: FwTableName.default('filter'),
  chain: z.enum(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], { error: 'a policy belongs to a built-in chain: PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING' }),
  policy: z.enum(['ACCEPT', 'DROP'], { error: 'policy must be ACCEPT or DROP' }),
});

/** Where to read: a node, another namespace by name (read only), or the root namespace when both are omitted. */
export const FwWhere = z.strictObject({ node: NodeName.optional(), netns: NetnsName.optional() }).refine((p) => !(p.node && p.netns), { error: 'give node or netns, not both', path: ['netns'] });

export const FW_WATCH_INTERVAL = { min: 250, max: 10_000, default: 1000 } as const;

/** One rule's counters in a sweep, against the previous sweep and the first one. */
export const FwCounterDelta = z.object({
  id: z.string(),
  packets: z.number(),
  bytes: z.number(),
  /** Since the previous sweep. */
  dPackets: z.number(),
  dBytes: z.number(),
  /** No packet since watching started (the counter has not moved from its first value). */
  zeroSinceWatch: z.boolean(),
  /** No packet since the rule was made (or the counters were zeroed): the counter is 0. */
  zeroSinceStart: z.boolean(),
});
export type FwCounterDelta = z.infer<typeof FwCounterDelta>;

export const FwCountersEvent = z.object({
  t: z.number(),
  interval: z.number(),
  netns: z.string().nullable(),
  node: z.string().nullable(),
  /** Rules whose counters moved since the previous sweep (every rule on the first sweep). */
  rules: z.array(FwCounterDelta),
  /** Built-in chains' policy counters, keyed `<source>/<family>/<table>/<chain>`. */
  policies: z.array(FwCounterDelta),
  /** Rule ids gone since the previous sweep. */
  removed: z.array(z.string()),
  /** Total rules watched in this namespace, and how many never matched since watching started. */
  total: z.number(),
  zeroSinceWatch: z.number(),
  /** The ruleset changed shape (a rule added or removed): read fw.show again for the new rules. */
  changed: z.boolean(),
  /** Why the namespace could not be read this sweep (it vanished…); then `rules` is empty. */
  error: z.string().optional(),
});
export type FwCountersEvent = z.infer<typeof FwCountersEvent>;

export const firewall = defineMethods({
  'fw.show': {
    summary: 'Every iptables (nf_tables and legacy) and nft table of a node or namespace, with chains, rules and counters.',
    renderer: true,
    params: FwWhere,
    result: FwRuleset,
  },
  'fw.rule.add': {
    summary: 'Add or insert a rule in a node nslab owns (iptables line, structured iptables rule, or nft rule), tagged nslab:<owner>.',
    renderer: true,
    params: FwRuleAddParams,
    result: FwRuleChange,
  },
  'fw.rule.delete': {
    summary: 'Delete a rule (by id or iptables line), or every rule of an owner, in a node nslab owns.',
    renderer: true,
    params: FwRuleDeleteParams,
    result: FwRuleChange,
  },
  'fw.policy.set': {
    summary: 'Set the policy of a built-in iptables chain in a node nslab owns.',
    renderer: true,
    params: FwPolicyParams,
    result: z.object({ netns: z.string(), commands: z.array(z.string()) }),
  },
  'fw.watch': {
    summary: 'Receive the rule counters of these nodes/namespaces (fw.counters events, deltas and zero-hit flags) every interval.',
    renderer: true,
    params: z.strictObject({
      targets: z.array(FwWhere).min(1).max(256),
      interval: z.number().int().min(FW_WATCH_INTERVAL.min).max(FW_WATCH_INTERVAL.max).optional(),
    }),
    result: z.object({ watching: z.array(z.string().nullable()), interval: z.number() }),
  },
  'fw.unwatch': {
    summary: 'Stop receiving counters of these targets (all when omitted).',
    renderer: true,
    params: z.strictObject({ targets: z.array(FwWhere).max(256).optional() }),
    result: z.object({ watching: z.array(z.string().nullable()) }),
  },
});

export const firewallEvents = { 'fw.counters': FwCountersEvent } as const;
