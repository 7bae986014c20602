// From a topology spec to the `ip` batch lines that build it. Pure: unit-tested without a kernel.
import { linkInterfaces, type LedgerObject, type NodeSpec, type TopologySpec, type VxlanLinkSpec } from '../../shared/contract/index.js';
import { netnsOf } from '../../shared/names.js';

export interface PlannedLink {
  netns: string;
  name: string;
  /** For a veth: the other end. */
  peer?: { netns: string; name: string };
}

export interface TopologyPlan {
  owner: string;
  namespaces: string[];
  veths: PlannedLink[];
  bridges: PlannedLink[];
  /** VXLAN tunnel ends, each made inside its node once its underlay exists. */
  vxlans: PlannedLink[];
}

const vxlansOf = (spec: TopologySpec): VxlanLinkSpec[] => spec.links.filter((l): l is VxlanLinkSpec => l.kind === 'vxlan');

export const ownerOf = (topology: string): string => `topology:${topology}`;

export function planTopology(spec: TopologySpec): TopologyPlan {
  return {
    owner: ownerOf(spec.name),
    namespaces: spec.nodes.map((n) => netnsOf(n.name)),
    veths: spec.links.flatMap((l) =>
      l.kind === 'veth' ? [{ netns: netnsOf(l.endpoints[0].node), name: l.endpoints[0].name, peer: { netns: netnsOf(l.endpoints[1].node), name: l.endpoints[1].name } }] : [],
    ),
    bridges: spec.nodes.flatMap((n) => n.bridges.map((b) => ({ netns: netnsOf(n.name), name: b.name }))),
    vxlans: vxlansOf(spec).map((v) => ({ netns: netnsOf(v.node), name: v.name })),
  };
}

export const ledgerObjects = (owner: string, namespaces: string[], links: PlannedLink[]): LedgerObject[] => [
  ...namespaces.map((name) => ({ kind: 'netns' as const, netns: null, name, owner })),
  ...links.map((l) => ({ kind: 'link' as const, netns: l.netns, name: l.name, owner })),
];

/** Root-namespace batch: new namespaces, then veth pairs created directly with each end in its node. */
export function rootLines(namespaces: string[], veths: PlannedLink[]): string[][] {
  return [
    ...namespaces.map((ns) => ['netns', 'add', ns]),
    ...veths.map((v) => ['link', 'add', v.name, 'netns', v.netns, 'type', 'veth', 'peer', 'name', v.peer!.name, 'netns', v.peer!.netns]),
  ];
}

/** `ip link add` for a tunnel end: unicast to one remote VTEP over the underlay dev. */
export const vxlanAddLine = (v: VxlanLinkSpec): string[] => [
  'link', 'add', v.name, 'type', 'vxlan', 'id', String(v.vni), 'remote', v.remote,
  ...(v.local ? ['local', v.local] : []),
  'dstport', String(v.dstport),
  ...(v.dev ? ['dev', v.dev] : []),
];

/**
 * One node's batch, safe to re-run: bridges and tunnels (new ones only: `newLinks`), enslaving, MTUs,
 * addresses (`replace`), links up, then routes (`replace`) once their gateways are reachable.
 */
export function nodeLines(spec: TopologySpec, node: NodeSpec, newLinks: ReadonlySet<string>): string[][] {
  const lines: string[][] = [];
  const endpoints = linkInterfaces(spec.links).filter((e) => e.node === node.name);
  for (const br of node.bridges) {
    if (newLinks.has(br.name)) lines.push(['link', 'add', br.name, 'type', 'bridge']);
    if (br.mtu) lines.push(['link', 'set', br.name, 'mtu', String(br.mtu)]);
  }
  // After the bridges: a tunnel's underlay may be one (the veths were made in the root batch).
  for (const v of vxlansOf(spec)) if (v.node === node.name && newLinks.has(v.name)) lines.push(vxlanAddLine(v));
  for (const ep of endpoints) {
    if (ep.mtu) lines.push(['link', 'set', ep.name, 'mtu', String(ep.mtu)]);
    if (ep.master) lines.push(['link', 'set', ep.name, 'master', ep.master]);
  }
  for (const item of [...node.bridges, ...endpoints]) {
    for (const cidr of item.addresses) lines.push(['addr', 'replace', cidr, 'dev', item.name]);
  }
  lines.push(['link', 'set', 'lo', 'up']);
  for (const item of [...node.bridges, ...endpoints]) lines.push(['link', 'set', item.name, 'up']);
  for (const r of node.routes) {
    lines.push(['route', 'replace', r.to, ...(r.via ? ['via', r.via] : []), ...(r.dev ? ['dev', r.dev] : [])]);
  }
  return lines;
}

/** `sysctl -w` assignments for a node, or none when it keeps the kernel's defaults. */
export function sysctlAssignments(node: NodeSpec, existed: boolean): string[] {
  const out: string[] = [];
  if (node.forwarding || existed) {
    const v = node.forwarding ? '1' : '0';
    out.push(`net.ipv4.ip_forward=${v}`, `net.ipv6.conf.all.forwarding=${v}`);
  }
  if (node.rpFilter !== undefined) out.push(`net.ipv4.conf.all.rp_filter=${node.rpFilter}`, `net.ipv4.conf.default.rp_filter=${node.rpFilter}`);
  return out;
}
