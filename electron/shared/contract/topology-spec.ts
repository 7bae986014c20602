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

export const LinkSpec = z.strictObject({
  kind: z.literal('veth').default('veth'),
  endpoints: z.tuple([EndpointSpec, EndpointSpec]),
});
export type LinkSpec = z.infer<typeof LinkSpec>;

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
    topo.links.forEach((link, i) =>
      link.endpoints.forEach((ep, j) => {
        const path = ['links', i, 'endpoints', j];
        const node = nodes.get(ep.node);
        if (!node) {
          ctx.addIssue({ code: 'custom', path: [...path, 'node'], message: `node '${ep.node}' is not defined in nodes` });
          return;
        }
        claim(ep.node, ep.name, [...path, 'name']);
        if (ep.master && !node.bridges.some((b) => b.name === ep.master)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'master'], message: `bridge '${ep.master}' is not defined in node '${ep.node}'` });
        }
      }),
    );
  });
export type TopologySpec = z.infer<typeof TopologySpec>;
export type TopologySpecInput = z.input<typeof TopologySpec>;
