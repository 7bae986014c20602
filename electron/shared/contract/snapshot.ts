// What the kernel looks like, as nslab reports it (`topo show --json`, the Topology panel).
import { z } from 'zod';

export const LinkSnapshot = z.object({
  name: z.string(),
  ifindex: z.number(),
  /** veth, bridge, macvlan, vxlan, ipvlan, dummy, loopback, or `device` for hardware. */
  kind: z.string(),
  /** Kernel operstate: UP, DOWN, UNKNOWN, LOWERLAYERDOWN… */
  state: z.string(),
  /** Administratively up (`ip link set … up`). */
  up: z.boolean(),
  mac: z.string().nullable(),
  mtu: z.number(),
  addresses: z.array(z.string()),
  peer: z.string().optional(),
  /** The namespace of a veth's peer; `null` is the root namespace. Absent when the peer is local. */
  peerNetns: z.string().nullable().optional(),
  master: z.string().optional(),
  /** A vxlan's tunnel: VNI, the remote VTEP, this end's address, the UDP port and the underlay dev. */
  vxlan: z.object({ vni: z.number(), remote: z.string().optional(), local: z.string().optional(), dstport: z.number().optional(), dev: z.string().optional() }).optional(),
  /** Its own net.ipv4.conf.<name>.rp_filter (0 off, 1 strict, 2 loose); the kernel applies max(all, this). */
  rpFilter: z.number().optional(),
});
export type LinkSnapshot = z.infer<typeof LinkSnapshot>;

export const RouteSnapshot = z.object({
  to: z.string(),
  via: z.string().optional(),
  dev: z.string().optional(),
  protocol: z.string().optional(),
  scope: z.string().optional(),
  family: z.enum(['inet', 'inet6']),
});
export type RouteSnapshot = z.infer<typeof RouteSnapshot>;

export const NodeSnapshot = z.object({
  name: z.string(),
  netns: z.string(),
  /** The topology that created this namespace, if any. */
  topology: z.string().nullable(),
  /** False for a marked namespace nslab has no record of (e.g. rebuilt by an exported script): it can be adopted. */
  recorded: z.boolean(),
  forwarding: z.boolean(),
  forwardingV6: z.boolean(),
  rpFilter: z.number().nullable(),
  links: z.array(LinkSnapshot),
  routes: z.array(RouteSnapshot),
});
export type NodeSnapshot = z.infer<typeof NodeSnapshot>;

export const TopologySnapshot = z.object({
  /** `null` when the snapshot covers every nslab namespace rather than one topology. */
  name: z.string().nullable(),
  nodes: z.array(NodeSnapshot),
});
export type TopologySnapshot = z.infer<typeof TopologySnapshot>;
