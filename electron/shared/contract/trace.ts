// The packet walk (`nslab trace`): one probe sent from a node, traced with `meta nftrace set 1` in every
// namespace it may cross, the kernel's trace events joined into one ordered walk per direction.
import { z } from 'zod';
import { NodeName } from '../names.js';
import { defineMethods } from './define.js';

export const TRACE_PROTOCOLS = ['icmp', 'tcp', 'udp'] as const;
export const TraceProtocol = z.enum(TRACE_PROTOCOLS, { error: `proto must be one of ${TRACE_PROTOCOLS.join(', ')}` });
export type TraceProtocol = z.infer<typeof TraceProtocol>;

/** The netfilter hooks, in the order a forwarded or local packet meets them. */
export const HOOKS = ['prerouting', 'input', 'forward', 'output', 'postrouting'] as const;
export const Hook = z.enum(HOOKS);
export type Hook = z.infer<typeof Hook>;

export const TraceParams = z
  .strictObject({
    from: NodeName,
    to: z.ipv4({ error: 'to: expected an IPv4 address a node of yours has, e.g. 10.0.2.2' }),
    proto: TraceProtocol.default('icmp'),
    dport: z.number({ error: 'dport must be a port number, 1–65535' }).int().min(1, { error: 'dport must be 1–65535' }).max(65535, { error: 'dport must be 1–65535' }).optional(),
    /** How long to wait for the reply, ms. */
    timeoutMs: z.number().int().min(100).max(10_000).default(1500),
  })
  .superRefine((p, ctx) => {
    if (p.proto === 'icmp' && p.dport !== undefined) ctx.addIssue({ code: 'custom', path: ['dport'], message: 'dport is for tcp and udp probes, not icmp' });
  });
export type TraceParams = z.infer<typeof TraceParams>;

/** The headers of the packet as one chain saw it (what `nft monitor trace` prints after `packet:`). */
export const TracePacket = z.object({
  iif: z.string().optional(),
  oif: z.string().optional(),
  saddr: z.string().optional(),
  daddr: z.string().optional(),
  ipId: z.number().optional(),
  ttl: z.number().optional(),
  length: z.number().optional(),
  protocol: z.string().optional(),
  sport: z.number().optional(),
  dport: z.number().optional(),
  tcpFlags: z.string().optional(),
  icmpType: z.string().optional(),
  icmpId: z.number().optional(),
  icmpSeq: z.number().optional(),
  mark: z.string().optional(),
});
export type TracePacket = z.infer<typeof TracePacket>;

export const TraceRuleHit = z.object({
  /** The chain the rule is in: the hop's chain, or a chain it jumped to. */
  chain: z.string(),
  handle: z.number().nullable(),
  /** The rule as nft prints it. */
  nft: z.string(),
  /** The iptables line a person would type for it, when it is an iptables rule. */
  iptables: z.string().nullable(),
  verdict: z.string(),
});
export type TraceRuleHit = z.infer<typeof TraceRuleHit>;

export const NatRewrite = z.object({
  field: z.enum(['saddr', 'daddr', 'sport', 'dport', 'icmpId']),
  from: z.union([z.string(), z.number()]),
  to: z.union([z.string(), z.number()]),
  /** snat/dnat made by a rule on this packet, or de-nat/re-nat by conntrack for a reply. */
  kind: z.enum(['snat', 'dnat', 'de-nat']),
  /** The nat rule that made it (for de-nat: the rule that made the flow's NAT), as its iptables line or nft text. */
  rule: z.string().nullable(),
});
export type NatRewrite = z.infer<typeof NatRewrite>;

export const DIRECTIONS = ['request', 'reply', 'error'] as const;
export const TraceDirection = z.enum(DIRECTIONS);
export type TraceDirection = z.infer<typeof TraceDirection>;

/** One chain one packet went through, in one namespace. */
export const TraceHop = z.object({
  direction: TraceDirection,
  netns: z.string(),
  node: z.string(),
  hook: Hook.nullable(),
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  priority: z.number().nullable(),
  /** nslab's own observer chain (the `nslab_trace` table): marks the hook, decides nothing. */
  observer: z.boolean(),
  packet: TracePacket,
  rules: z.array(TraceRuleHit),
  /** The chain's outcome: accept, drop, continue (fell through), return, jump X… */
  verdict: z.string(),
  /** The verdict came from the chain's policy, not a rule. */
  byPolicy: z.boolean(),
  /** The conntrack state nft saw here (new, established, related, invalid, untracked), once conntrack has run. */
  ct: z.string().nullable(),
  /** Headers rewritten since the previous hop of this packet. */
  nat: z.array(NatRewrite),
});
export type TraceHop = z.infer<typeof TraceHop>;

export const TraceFate = z.object({
  direction: TraceDirection,
  kind: z.enum(['delivered', 'dropped', 'not-routed', 'left', 'not-seen']),
  netns: z.string().nullable(),
  /** What a person reads: "delivered to the local stack of blue", "dropped by FORWARD policy DROP in router"… */
  detail: z.string(),
  /** The rule that dropped it, as its iptables line or nft text. */
  rule: z.string().nullable(),
});
export type TraceFate = z.infer<typeof TraceFate>;

export const TraceWalk = z.object({
  trace: z.string(),
  from: z.string(),
  to: z.string(),
  proto: TraceProtocol,
  /** The probe's marker: the ICMP id, or the source port for tcp/udp. */
  marker: z.number(),
  namespaces: z.array(z.string()),
  hops: z.array(TraceHop),
  fates: z.array(TraceFate),
  /** What the probe program reported (ping's summary, connect result). */
  probe: z.object({ ok: z.boolean(), detail: z.string() }),
  /** Trace events that could not be placed in the walk (target 0). */
  unjoined: z.number(),
  /** ms from sending the probe to the complete walk. */
  ms: z.number(),
});
export type TraceWalk = z.infer<typeof TraceWalk>;

/** Streamed to the caller while the trace runs (`nslab trace --json` prints each as one NDJSON line). */
export const TraceEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), trace: z.string(), from: z.string(), to: z.string(), proto: TraceProtocol, marker: z.number(), namespaces: z.array(z.string()) }),
  z.object({ kind: z.literal('probe'), trace: z.string(), ok: z.boolean(), detail: z.string() }),
  z.object({ kind: z.literal('hop'), trace: z.string(), index: z.number(), hop: TraceHop }),
  z.object({ kind: z.literal('fate'), trace: z.string(), fate: TraceFate }),
  z.object({ kind: z.literal('end'), trace: z.string(), hops: z.number(), unjoined: z.number(), ms: z.number() }),
]);
export type TraceEvent = z.infer<typeof TraceEvent>;

export const trace = defineMethods({
  'trace.run': {
    summary: 'Send one probe from a node and walk it through every hook, chain and rule of every namespace it crosses.',
    renderer: true,
    params: TraceParams,
    result: TraceWalk,
  },
});

export const traceEvents = { 'trace.event': TraceEvent } as const;
