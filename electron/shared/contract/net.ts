import { z } from 'zod';
import { Cidr, IfName, IpAddress, Mtu, NodeName, RouteDestination } from '../names.js';
import { defineMethods } from './define.js';
import { TopologySnapshot } from './snapshot.js';

/** Where an operation runs: a node (`nslab-<node>`), or the root namespace when omitted. */
const node = NodeName.optional();
const Empty = z.strictObject({});

export const LINK_KINDS = ['veth', 'bridge', 'macvlan', 'vxlan', 'ipvlan', 'dummy'] as const;
export const LinkKind = z.enum(LINK_KINDS, { error: `kind must be one of ${LINK_KINDS.join(', ')}` });

export const LinkCreateParams = z
  .strictObject({
    node,
    name: IfName,
    kind: LinkKind,
    mtu: Mtu.optional(),
    up: z.boolean().default(true),
    /** veth: the other end. */
    peer: z.strictObject({ node, name: IfName }).optional(),
    /** macvlan/ipvlan: the parent interface in the same namespace. */
    parent: IfName.optional(),
    mode: z.enum(['bridge', 'private', 'vepa', 'passthru', 'l2', 'l3', 'l3s']).optional(),
    /** vxlan */
    vni: z.number().int().min(0).max(16_777_215).optional(),
    remote: IpAddress.optional(),
    local: IpAddress.optional(),
    dstport: z.number().int().min(1).max(65535).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.kind === 'veth' && !p.peer) ctx.addIssue({ code: 'custom', path: ['peer'], message: 'a veth needs a peer { node?, name }' });
    if ((p.kind === 'macvlan' || p.kind === 'ipvlan') && !p.parent)
      ctx.addIssue({ code: 'custom', path: ['parent'], message: `a ${p.kind} needs a parent interface` });
    if (p.kind === 'vxlan' && p.vni === undefined) ctx.addIssue({ code: 'custom', path: ['vni'], message: 'a vxlan needs a vni' });
  });
export type LinkCreateParams = z.infer<typeof LinkCreateParams>;

export const SysctlKey = z.enum(['ip_forward', 'ipv6_forward', 'rp_filter']);

export const net = defineMethods({
  'net.netns.list': {
    summary: 'List network namespaces (nslab ones are marked).',
    renderer: false, // CLI only; lists foreign namespaces too — the panels read topology.show
    params: Empty,
    result: z.object({ namespaces: z.array(z.object({ name: z.string(), marked: z.boolean(), owned: z.boolean() })) }),
  },
  'net.netns.create': {
    summary: 'Create the namespace of a node (`nslab-<node>`).',
    renderer: true,
    params: z.strictObject({ node: NodeName }),
    result: z.object({ netns: z.string() }),
  },
  'net.netns.delete': {
    summary: 'Delete a namespace nslab created.',
    renderer: true,
    params: z.strictObject({ node: NodeName }),
    result: z.object({ netns: z.string() }),
  },
  'net.link.create': {
    summary: 'Create a link (veth pair, bridge, macvlan, vxlan, ipvlan, dummy).',
    renderer: true,
    params: LinkCreateParams,
    result: z.object({ name: z.string(), netns: z.string().nullable() }),
  },
  'net.link.delete': {
    summary: 'Delete a link nslab created.',
    renderer: false, // no panel deletes single links (topology.destroy / net.netns.delete do); CLI verb
    params: z.strictObject({ node, name: IfName }),
    result: z.object({ name: z.string() }),
  },
  'net.link.set': {
    summary: 'Set a link up/down, its MTU, or its master bridge (`null` to release).',
    renderer: true,
    params: z.strictObject({ node, name: IfName, up: z.boolean().optional(), mtu: Mtu.optional(), master: IfName.nullable().optional() }),
    result: z.object({ name: z.string() }),
  },
  'net.addr.add': {
    summary: 'Add an IPv4/IPv6 address to a link.',
    renderer: true,
    params: z.strictObject({ node, dev: IfName, address: Cidr }),
    result: z.object({ address: z.string() }),
  },
  'net.addr.delete': {
    summary: 'Remove an address from a link.',
    renderer: false, // no panel removes addresses; CLI verb
    params: z.strictObject({ node, dev: IfName, address: Cidr }),
    result: z.object({ address: z.string() }),
  },
  'net.route.add': {
    summary: 'Add (or replace) a route, `default` included.',
    renderer: false, // no panel edits routes, and with `node` omitted it changes the host's table; CLI verb
    params: z
      .strictObject({ node, to: RouteDestination, via: IpAddress.optional(), dev: IfName.optional() })
      .refine((r) => r.via !== undefined || r.dev !== undefined, { error: 'a route needs via or dev', path: ['via'] }),
    result: z.object({ to: z.string() }),
  },
  'net.route.delete': {
    summary: 'Delete a route.',
    renderer: false, // no panel edits routes, and with `node` omitted it changes the host's table; CLI verb
    params: z.strictObject({ node, to: RouteDestination, via: IpAddress.optional(), dev: IfName.optional() }),
    result: z.object({ to: z.string() }),
  },
  'net.sysctl.set': {
    summary: 'Set ip_forward, IPv6 forwarding or rp_filter in a namespace.',
    renderer: false, // no panel sets sysctls, and with `node` omitted it changes the host's forwarding; CLI verb
    params: z
      .strictObject({ node, key: SysctlKey, value: z.number().int().min(0).max(2) })
      .refine((p) => p.key === 'rp_filter' || p.value <= 1, { error: 'forwarding is 0 or 1', path: ['value'] }),
    result: z.object({ key: z.string(), value: z.number() }),
  },
  'net.snapshot': {
    summary: 'Links, addresses, routes and forwarding of every nslab namespace.',
    renderer: false, // the panels read topology.show and topology.changed; CLI/tests only
    params: z.strictObject({ node: NodeName.optional() }),
    result: TopologySnapshot,
  },
});
