// "Why can't RED reach BLUE?" (`nslab why`): the path a packet would take, hop by hop, checked against the
// kernel's own state (simulated, reads only), optionally one probe watched (observed), and the first
// failure explained with its evidence and the fix — as a command and as actions `why.fix` applies.
import { z } from 'zod';
import { Cidr, IfName, IpAddress, NodeName, RouteDestination } from '../names.js';
import { defineMethods } from './define.js';
import { TraceProtocol } from './trace.js';

export const WHY_STATUSES = ['pass', 'fail', 'warn', 'skip'] as const;
export const WhyStatus = z.enum(WHY_STATUSES);
export type WhyStatus = z.infer<typeof WhyStatus>;

/** Text in both languages, rendered by the helper from `key` + `params` (shared/why/messages.ts). */
export const WhyText = z.object({ en: z.string(), ko: z.string() });
export type WhyText = z.infer<typeof WhyText>;

export const WHY_EVIDENCE_KINDS = ['link', 'address', 'route', 'neigh', 'sysctl', 'bridge', 'rule', 'policy', 'nat', 'socket', 'counter', 'drop', 'probe', 'topology'] as const;
export const WhyEvidence = z.object({
  kind: z.enum(WHY_EVIDENCE_KINDS),
  /** What was seen, as a person reads it: the rule line with its counter, the route, the sysctl value… */
  text: z.string(),
  /** The read-only command that shows it. */
  command: z.string().optional(),
});
export type WhyEvidence = z.infer<typeof WhyEvidence>;

/** One change `why.fix` can apply; every one names a node nslab owns (never the root namespace). */
export const WhyAction = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('link.set'), node: NodeName, name: IfName, up: z.boolean().optional(), master: IfName.optional() }),
  z.strictObject({ op: z.literal('link.move'), node: NodeName, name: IfName, to: NodeName }),
  z.strictObject({ op: z.literal('addr.add'), node: NodeName, dev: IfName, address: Cidr }),
  z.strictObject({ op: z.literal('addr.del'), node: NodeName, dev: IfName, address: Cidr }),
  z.strictObject({ op: z.literal('route.add'), node: NodeName, to: RouteDestination, via: IpAddress.optional(), dev: IfName.optional() }),
  z.strictObject({ op: z.literal('sysctl'), node: NodeName, key: z.enum(['ip_forward', 'rp_filter', 'bridge-nf-call-iptables']), value: z.number().int().min(0).max(2) }),
  z.strictObject({ op: z.literal('fw.delete'), node: NodeName, id: z.string().min(1).max(4000) }),
  z.strictObject({ op: z.literal('fw.add'), node: NodeName, line: z.string().min(1).max(4000) }),
  z.strictObject({ op: z.literal('fw.policy'), node: NodeName, table: z.enum(['filter', 'nat', 'mangle', 'raw']), chain: z.enum(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']), policy: z.enum(['ACCEPT', 'DROP']) }),
]);
export type WhyAction = z.infer<typeof WhyAction>;

export const WhyFix = z.object({
  description: WhyText,
  /** The commands a person would type (in order). */
  commands: z.array(z.string()),
  /** What `why.fix` applies; empty when the fix is for a person to do (start a server…). */
  actions: z.array(WhyAction),
});
export type WhyFix = z.infer<typeof WhyFix>;

export const WHY_DIRECTIONS = ['request', 'reply', 'observed'] as const;

export const WhyCheck = z.object({
  /** What is checked: link.up, addr.present, addr.mask, route, forwarding, rp_filter, bridge.port, chain, nat.masquerade, nat.dnat, socket, … */
  id: z.string(),
  status: WhyStatus,
  direction: z.enum(WHY_DIRECTIONS),
  /** The hop: the node (namespace without `nslab-`) and its namespace. */
  node: z.string().nullable(),
  netns: z.string().nullable(),
  /** Message key (shared/why/messages.ts) and its parameters; title/explanation are it rendered. */
  key: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  title: WhyText,
  explanation: WhyText,
  evidence: z.array(WhyEvidence),
  fix: WhyFix.nullable(),
});
export type WhyCheck = z.infer<typeof WhyCheck>;

export const WhyExplainParams = z
  .strictObject({
    from: NodeName,
    to: z.ipv4({ error: 'to: expected an IPv4 address, e.g. 10.0.2.2' }),
    port: z.number({ error: 'port must be a number, 1–65535' }).int().min(1, { error: 'port must be 1–65535' }).max(65535, { error: 'port must be 1–65535' }).optional(),
    proto: TraceProtocol.optional(),
    /** Also send one probe and watch what the kernel did (packet walk, counters, drop reasons). */
    observe: z.boolean().default(false),
  })
  .superRefine((p, ctx) => {
    if (p.proto === 'icmp' && p.port !== undefined) ctx.addIssue({ code: 'custom', path: ['port'], message: 'a port is for tcp and udp, not icmp' });
  });
export type WhyExplainParams = z.infer<typeof WhyExplainParams>;

/** One kernel drop seen by `skb:kfree_skb` while the probe ran. */
export const WhyDrop = z.object({
  reason: z.string(),
  /** Kernel function that freed it (`location`). */
  location: z.string(),
  /** Where nslab puts it (the namespace whose counters moved with it), and how sure it is. */
  netns: z.string().nullable(),
  confidence: z.enum(['high', 'medium', 'low']),
  why: z.string(),
});
export type WhyDrop = z.infer<typeof WhyDrop>;

export const WhyObserved = z.object({
  probe: z.object({ ok: z.boolean(), detail: z.string() }),
  /** The packet walk's fates (trace.run), as its own words. */
  fates: z.array(z.string()),
  /** Counters that moved in each namespace while the probe ran (snmp/netstat, `ip -s link` drops). */
  counters: z.array(z.object({ netns: z.string(), name: z.string(), delta: z.number() })),
  drops: z.array(WhyDrop),
  /** The tracefs drop watch could not run (no tracefs, no skb:kfree_skb…). */
  dropWatch: z.string().nullable(),
});
export type WhyObserved = z.infer<typeof WhyObserved>;

export const WhyAnswer = z.object({
  from: z.string(),
  to: z.string(),
  proto: TraceProtocol,
  port: z.number().nullable(),
  /** The node holding the address (after DNAT, the one serving it); null when no node has it. */
  target: z.string().nullable(),
  /** The simulation found no failure. */
  reachable: z.boolean(),
  checks: z.array(WhyCheck),
  /** Index in `checks` of the first failure (null when none). */
  first: z.number().nullable(),
  /** The first failure in plain words (or "reachable"), both languages. */
  summary: WhyText,
  fix: WhyFix.nullable(),
  /** Indexes of the other failures and warnings after the first one. */
  downstream: z.array(z.number()),
  observed: WhyObserved.nullable(),
  /** Where simulation and observation disagree (a finding too). */
  disagreements: z.array(WhyText),
  ms: z.number(),
});
export type WhyAnswer = z.infer<typeof WhyAnswer>;

export const WhyFixParams = z.strictObject({ actions: z.array(WhyAction).min(1, { error: 'actions: give at least one action from why.explain' }).max(20) });

export const why = defineMethods({
  'why.explain': {
    summary: 'Explain why a node can (not) reach an address: every hop checked against the kernel, the first failure with evidence and fix.',
    renderer: true,
    params: WhyExplainParams,
    result: WhyAnswer,
  },
  'why.fix': {
    summary: 'Apply the actions of one fix why.explain proposed (only in nodes nslab owns).',
    renderer: true,
    params: WhyFixParams,
    result: z.object({ applied: z.number(), commands: z.array(z.string()) }),
  },
});
