// nslab topology → containerlab topology (.clab.yml). Namespaces become `linux` nodes from a small image
// with their addresses, routes and sysctls as `exec` steps; bridges become `bridge` kind nodes (host bridges
// containerlab expects to exist: the file's header says how to create them); veth links become `links`;
// vxlan links become containerlab `type: vxlan` links (the tunnel starts on the containerlab host and is
// stitched to the node's interface, so nslab's underlay dev/local inside the node is not carried).
// Validated against containerlab's own JSON schema in tests/unit/interop-containerlab.test.ts.
import type { TopologySpec } from '../shared/contract/topology-spec.js';

export const CLAB_IMAGE = 'alpine:3.20';

export interface ClabNode {
  kind: 'linux' | 'bridge';
  image?: string;
  exec?: string[];
  labels?: Record<string, string>;
}
export interface ClabVethLink {
  endpoints: [string, string];
}
export interface ClabVxlanLink {
  type: 'vxlan';
  endpoint: { node: string; interface: string };
  remote: string;
  vni: number;
  'dst-port': number;
  mtu?: number;
}
export type ClabLink = ClabVethLink | ClabVxlanLink;
export interface ClabTopology {
  name: string;
  topology: { nodes: Record<string, ClabNode>; links?: ClabLink[] };
}
export interface ClabExport {
  clab: ClabTopology;
  /** Commands to run on the containerlab host before `containerlab deploy` (the bridges). */
  hostSetup: string[];
  /** What the source had that this file does not carry. */
  notCarried: string[];
}

/** containerlab names bridges by host interface name; ours live inside a node, so a clash gets the node's name. */
function bridgeNames(spec: TopologySpec): Map<string, string> {
  const count = new Map<string, number>();
  for (const n of spec.nodes) for (const b of n.bridges) count.set(b.name, (count.get(b.name) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const n of spec.nodes)
    for (const b of n.bridges) names.set(`${n.name}/${b.name}`, count.get(b.name) === 1 ? b.name : `${n.name}-${b.name}`.slice(0, 15));
  return names;
}

export function topologyToClab(spec: TopologySpec, notCarried: string[] = []): ClabExport {
  const bridges = bridgeNames(spec);
  const exec = new Map<string, string[]>(spec.nodes.map((n) => [n.name, []]));
  const hostSetup: string[] = [];
  const links: ClabLink[] = [];
  // A node that only holds bridges (and ports enslaved to them) is the bridges' host: it becomes the
  // containerlab host's bridges, not a container.
  const busy = new Set<string>();
  for (const n of spec.nodes) if (n.routes.length || n.forwarding || n.rpFilter !== undefined || !n.bridges.length) busy.add(n.name);
  for (const l of spec.links) {
    if (l.kind === 'vxlan') busy.add(l.node);
    else for (const ep of l.endpoints) if (!ep.master) busy.add(ep.node);
  }

  for (const n of spec.nodes) {
    const lines = exec.get(n.name)!;
    if (n.forwarding) lines.push('sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv6.conf.all.forwarding=1');
    if (n.rpFilter !== undefined) lines.push(`sysctl -w net.ipv4.conf.all.rp_filter=${n.rpFilter}`);
    for (const b of n.bridges) {
      const host = bridges.get(`${n.name}/${b.name}`)!;
      hostSetup.push(`ip link add ${host} type bridge`, `ip link set ${host} up`);
      if (b.mtu) hostSetup.push(`ip link set ${host} mtu ${b.mtu}`);
      for (const a of b.addresses) hostSetup.push(`ip addr add ${a} dev ${host}`);
    }
  }
  for (const l of spec.links) {
    if (l.kind === 'vxlan') {
      const lines = exec.get(l.node)!;
      // containerlab sets the link's MTU itself; the addresses are the node's, on the stitched interface.
      for (const a of l.addresses) lines.push(`ip addr add ${a} dev ${l.name}`);
      links.push({ type: 'vxlan', endpoint: { node: l.node, interface: l.name }, remote: l.remote, vni: l.vni, 'dst-port': l.dstport, ...(l.mtu ? { mtu: l.mtu } : {}) });
      const underlay = [l.dev ? `dev ${l.dev}` : '', l.local ? `local ${l.local}` : ''].filter(Boolean).join(', ');
      notCarried.push(
        `vxlan ${l.node}:${l.name} (VNI ${l.vni}): containerlab runs the tunnel from the containerlab host's own underlay${underlay ? `, not ${underlay} inside the node` : ''}; remote ${l.remote} must be reachable from that host`,
      );
      if (l.master) notCarried.push(`vxlan ${l.node}:${l.name}: its bridge master ${l.master} (enslave it with an exec step once the bridge exists in the container)`);
      continue;
    }
    const ends = l.endpoints.map((ep) => {
      if (ep.master) {
        const host = bridges.get(`${ep.node}/${ep.master}`)!;
        if (ep.addresses.length) notCarried.push(`addresses ${ep.addresses.join(', ')} on bridge port ${ep.node}:${ep.name} (a bridge port carries no address)`);
        return `${host}:${ep.name}`;
      }
      const lines = exec.get(ep.node)!;
      if (ep.mtu) lines.push(`ip link set ${ep.name} mtu ${ep.mtu}`);
      for (const a of ep.addresses) lines.push(`ip addr add ${a} dev ${ep.name}`);
      return `${ep.node}:${ep.name}`;
    }) as [string, string];
    links.push({ endpoints: ends });
  }
  for (const n of spec.nodes) {
    const lines = exec.get(n.name)!;
    // Routes after addresses: a gateway must be reachable when its route is added.
    for (const r of n.routes) lines.push(['ip route add', r.to, r.via ? `via ${r.via}` : '', r.dev ? `dev ${r.dev}` : ''].filter(Boolean).join(' '));
  }

  const nodes: Record<string, ClabNode> = {};
  for (const n of spec.nodes) {
    if (busy.has(n.name)) {
      const lines = exec.get(n.name)!;
      nodes[n.name] = { kind: 'linux', image: CLAB_IMAGE, ...(lines.length ? { exec: lines } : {}), labels: { 'nslab.node': n.name } };
    }
    for (const b of n.bridges) nodes[bridges.get(`${n.name}/${b.name}`)!] = { kind: 'bridge', labels: { 'nslab.bridge': `${n.name}/${b.name}` } };
  }
  return { clab: { name: spec.name, topology: { nodes, ...(links.length ? { links } : {}) } }, hostSetup, notCarried };
}

/** The .clab.yml text: a header with the host setup and what was left out, then the topology. */
export function clabFileText(exp: ClabExport, yamlText: string, source: string): string {
  const head = [
    `# containerlab topology exported by nslab from ${source}.`,
    '# Deploy: sudo containerlab deploy -t <this file>   (linux nodes run the alpine image; addresses, routes and',
    '# sysctls are exec steps, so the image needs nothing but busybox/iproute2).',
  ];
  if (exp.hostSetup.length) head.push('# containerlab bridge nodes are bridges of the host; create them first:', ...exp.hostSetup.map((c) => `#   sudo ${c}`));
  if (exp.notCarried.length) head.push('# Not carried over:', ...exp.notCarried.map((c) => `#   - ${c}`));
  return `${head.join('\n')}\n${yamlText}`;
}
