// The declarative topology file (`resources/topologies/*.yaml`, `nslab topo apply FILE`).
import { z } from 'zod';
import { Cidr, IfName, IpAddress, Mtu, NodeName, RouteDestination, TopologyName } from '../names.js';

export const RouteSpec = z.strictObject({
  to: RouteDestination,
  via: IpAddress.optional(),
  dev: IfName.optional(),
});
export type RouteSpec = z.infer<typeof RouteSpec>;

export const BridgeSpec = z.strictObject({
  name: IfName,
  addresses: z.array(Cidr).default([]),
  mtu: Mtu.optional(),
});

export const NodeSpec = z.strictObject({
  name: NodeName,
  /** net.ipv4.ip_forward (and IPv6 forwarding) inside the node. */
  forwarding: z.boolean().default(false),
  /** net.ipv4.conf.all.rp_filter: 0 off, 1 strict, 2 loose. */
  rpFilter: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  bridges: z.array(BridgeSpec).default([]),
  routes: z.array(RouteSpec).default([]),
});
export type NodeSpec = z.infer<typeof NodeSpec>;

export const EndpointSpec = z.strictObject({
  node: NodeName,
  name: IfName,
  addresses: z.array(Cidr).default([]),
  /** A bridge in the same node to enslave this end to. */
  master: IfName.optional(),
  mtu: Mtu.optional(),
});
export type EndpointSpec = z.infer<typeof EndpointSpec>;

export const VethLinkSpec = z.strictObject({
  kind: z.literal('veth').default('veth'),
  endpoints: z.tuple([EndpointSpec, EndpointSpec]),
});
export type VethLinkSpec = z.infer<typeof VethLinkSpec>;

export const VNI_MAX = 16_777_215;
export const VXLAN_DSTPORT = 4789;
const Port = (what: string) =>
  z.number({ error: `${what} must be a UDP port number` }).int({ error: `${what} must be a whole number` }).min(1, { error: `${what} must be 1..65535` }).max(65535, { error: `${what} must be 1..65535` });

/**
 * A VXLAN tunnel end inside one node (the kernel's `ip link add NAME type vxlan id VNI remote R dstport P dev D`):
 * an L2 segment carried in UDP over the node's underlay interface `dev` to the VTEP at `remote`.
 */
export const VxlanLinkSpec = z.strictObject({
  kind: z.literal('vxlan'),
  node: NodeName,
  name: IfName,
  vni: z
    .number({ error: 'vni must be a number' })
    .int({ error: 'vni must be a whole number' })
    .min(1, { error: `vni must be 1..${VNI_MAX}` })
    .max(VNI_MAX, { error: `vni must be 1..${VNI_MAX}` }),
  /** The other tunnel end's underlay address (unicast VTEP). */
  remote: IpAddress,
  /** This end's underlay address (the kernel picks one from the route to remote when absent). */
  local: IpAddress.optional(),
  dstport: Port('dstport').default(VXLAN_DSTPORT),
  /** The underlay interface in the same node (an endpoint or a bridge of it). */
  dev: IfName.optional(),
  addresses: z.array(Cidr).default([]),
  /** A bridge in the same node to enslave the tunnel to (an overlay switch port). */
  master: IfName.optional(),
  mtu: Mtu.optional(),
});
export type VxlanLinkSpec = z.infer<typeof VxlanLinkSpec>;

export const LINK_SPEC_KINDS = ['veth', 'vxlan'] as const;
export const LinkSpec = z.discriminatedUnion('kind', [VethLinkSpec, VxlanLinkSpec], {
  error: `link kind must be one of ${LINK_SPEC_KINDS.join(', ')} (veth when omitted)`,
});
export type LinkSpec = z.infer<typeof LinkSpec>;

/** Every interface a link puts in a node (both ends of a veth, the tunnel of a vxlan), with where it came from. */
export function linkInterfaces(links: readonly LinkSpec[]): { node: string; name: string; addresses: string[]; master?: string; mtu?: number; path: (string | number)[] }[] {
  return links.flatMap((l, i) =>
    l.kind === 'vxlan'
      ? [{ node: l.node, name: l.name, addresses: l.addresses, ...(l.master ? { master: l.master } : {}), ...(l.mtu ? { mtu: l.mtu } : {}), path: ['links', i] }]
      : l.endpoints.map((ep, j) => ({ ...ep, path: ['links', i, 'endpoints', j] })),
  );
}

export const TopologySpec = z
  .strictObject({
    name: TopologyName,
    description: z.union([z.string(), z.strictObject({ en: z.string(), ko: z.string() })]).optional(),
    nodes: z.array(NodeSpec).min(1, { error: 'a topology needs at least one node' }),
    links: z.array(LinkSpec).default([]),
  })
  .superRefine((topo, ctx) => {
    const nodes = new Map(topo.nodes.map((n) => [n.name, n]));
    const seen = new Set<string>();
    topo.nodes.forEach((n, i) => {
      if (seen.has(n.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `node '${n.name}' is listed twice` });
      seen.add(n.name);
    });
    const ifnames = new Map<string, Set<string>>();
    const claim = (node: string, ifname: string, path: (string | number)[]): void => {
      const set = ifnames.get(node) ?? new Set<string>();
      if (set.has(ifname)) ctx.addIssue({ code: 'custom', path, message: `interface '${ifname}' is defined twice in node '${node}'` });
      set.add(ifname);
      ifnames.set(node, set);
    };
    topo.nodes.forEach((n, i) => n.bridges.forEach((b, j) => claim(n.name, b.name, ['nodes', i, 'bridges', j, 'name'])));
    for (const ep of linkInterfaces(topo.links)) {
      const node = nodes.get(ep.node);
      if (!node) {
        ctx.addIssue({ code: 'custom', path: [...ep.path, 'node'], message: `node '${ep.node}' is not defined in nodes` });
        continue;
      }
      claim(ep.node, ep.name, [...ep.path, 'name']);
      if (ep.master && !node.bridges.some((b) => b.name === ep.master)) {
        ctx.addIssue({ code: 'custom', path: [...ep.path, 'master'], message: `bridge '${ep.master}' is not defined in node '${ep.node}'` });
      }
    }
    // A tunnel's underlay must be an interface the topology puts in the same node, and its ends one family.
    topo.links.forEach((l, i) => {
      if (l.kind !== 'vxlan' || !nodes.has(l.node)) return;
      const mine = ifnames.get(l.node) ?? new Set<string>();
      if (l.dev !== undefined && (l.dev === l.name || !mine.has(l.dev)))
        ctx.addIssue({ code: 'custom', path: ['links', i, 'dev'], message: `underlay dev '${l.dev}' is not an interface of node '${l.node}' (a link end or a bridge there)` });
      if (l.local !== undefined && l.local.includes(':') !== l.remote.includes(':'))
        ctx.addIssue({ code: 'custom', path: ['links', i, 'local'], message: 'local and remote must both be IPv4 or both IPv6' });
    });
  });
export type TopologySpec = z.infer<typeof TopologySpec>;
export type TopologySpecInput = z.input<typeof TopologySpec>;
