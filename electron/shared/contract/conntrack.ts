// Connection tracking per namespace: the table (`conntrack -L`), its live events (`conntrack -E`), the
// kernel's counters (`conntrack -S`), and flushing entries in namespaces nslab owns.
import { z } from 'zod';
import { NodeName } from '../names.js';
import { defineMethods } from './define.js';

export const ConntrackTuple = z.object({
  src: z.string(),
  dst: z.string(),
  sport: z.number().optional(),
  dport: z.number().optional(),
  /** ICMP */
  type: z.number().optional(),
  code: z.number().optional(),
  id: z.number().optional(),
  /** Per direction, when nf_conntrack_acct is on. */
  packets: z.number().optional(),
  bytes: z.number().optional(),
});
export type ConntrackTuple = z.infer<typeof ConntrackTuple>;

/** NAT is the difference between the tuples: what the reply is addressed to is not who sent the original. */
export const ConntrackNat = z.object({
  kind: z.enum(['snat', 'dnat']),
  from: z.string(),
  to: z.string(),
});

export const ConntrackEntry = z.object({
  /** The kernel's id of the entry (stable for its life). */
  id: z.number().nullable(),
  family: z.string(),
  protocol: z.string(),
  /** Seconds until it expires (null in DESTROY events). */
  timeout: z.number().nullable(),
  /** TCP's state (SYN_SENT, ESTABLISHED, TIME_WAIT…), null for protocols without one. */
  state: z.string().nullable(),
  /** UNREPLIED, ASSURED… */
  flags: z.array(z.string()),
  original: ConntrackTuple,
  reply: ConntrackTuple,
  nat: z.array(ConntrackNat),
  mark: z.number().nullable(),
  zone: z.number().nullable(),
  /** The nat rule that made this entry's NAT (its counter moved when the entry was created), as its iptables line. */
  natRule: z.string().nullable(),
});
export type ConntrackEntry = z.infer<typeof ConntrackEntry>;

export const ConntrackStats = z.object({
  found: z.number(),
  invalid: z.number(),
  insert: z.number(),
  insertFailed: z.number(),
  drop: z.number(),
  earlyDrop: z.number(),
  error: z.number(),
});
export type ConntrackStats = z.infer<typeof ConntrackStats>;

export const CT_EVENT_TYPES = ['NEW', 'UPDATE', 'DESTROY'] as const;

export const ConntrackEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('entry'), netns: z.string(), type: z.enum(CT_EVENT_TYPES), at: z.number(), entry: ConntrackEntry }),
  /** The kernel dropped events the listener could not read in time (ENOBUFS); `lost` counts such reports. */
  z.object({ kind: z.literal('lost'), netns: z.string(), at: z.number(), lost: z.number() }),
  z.object({ kind: z.literal('end'), netns: z.string(), at: z.number(), reason: z.string() }),
]);
export type ConntrackEvent = z.infer<typeof ConntrackEvent>;

const FlushMatch = z.strictObject({
  protocol: z.enum(['tcp', 'udp', 'icmp'], { error: 'protocol must be tcp, udp or icmp' }),
  src: z.ipv4({ error: 'src: expected an IPv4 address' }).optional(),
  dst: z.ipv4({ error: 'dst: expected an IPv4 address' }).optional(),
  sport: z.number().int().min(1).max(65535).optional(),
  dport: z.number().int().min(1).max(65535).optional(),
});

export const conntrack = defineMethods({
  'ct.list': {
    summary: 'The connection-tracking table of a node: tuples, state, NAT, timeout, mark, counters.',
    renderer: true,
    params: z.strictObject({ node: NodeName }),
    result: z.object({ netns: z.string(), acct: z.boolean(), entries: z.array(ConntrackEntry), stats: ConntrackStats }),
  },
  'ct.watch': {
    summary: 'Receive a node’s conntrack events (NEW / UPDATE / DESTROY) as ct.event notifications on this connection.',
    renderer: true,
    params: z.strictObject({ node: NodeName }),
    result: z.object({ netns: z.string() }),
  },
  'ct.unwatch': {
    summary: 'Stop receiving a node’s conntrack events.',
    renderer: true,
    params: z.strictObject({ node: NodeName }),
    result: z.object({ netns: z.string(), lost: z.number() }),
  },
  'ct.flush': {
    summary: 'Delete conntrack entries in a node nslab owns: those matching, or all.',
    renderer: true,
    params: z
      .strictObject({ node: NodeName, all: z.boolean().default(false), match: FlushMatch.optional() })
      .refine((p) => p.all !== (p.match !== undefined), { message: 'give either all: true or a match, not both', path: ['match'] }),
    result: z.object({ netns: z.string(), deleted: z.number() }),
  },
});

export const conntrackEvents = { 'ct.event': ConntrackEvent } as const;
