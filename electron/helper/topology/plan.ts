// From a topology spec to the `ip` batch lines that build it. Pure: unit-tested without a kernel.
import type { LedgerObject, NodeSpec, TopologySpec } from '../../shared/contract/index.js';
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
}

export const ownerOf = (topology: string): string => `topology:${topology}`;

export function planTopology(spec: TopologySpec): TopologyPlan {
  return {
    owner: ownerOf(spec.name),
    namespaces: spec.nodes.map((n) => netnsOf(n.name)),
    veths: spec.links.map(({ endpoints: [a, b] }) => ({
      netns: netnsOf(a.node),
      name: a.name,
      peer: { netns: netnsOf(b.node), name: b.name },
    })),
    bridges: spec.nodes.flatMap((n) => n.bridges.map((b) => ({ netns: netnsOf(n.name), name: b.name }))),
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

/**
 * One node's batch, safe to re-run: bridges (new ones only), enslaving, MTUs, addresses (`replace`),
 * links up, then routes (`replace`) once their gateways are reachable.
 */
export function nodeLines(spec: TopologySpec, node: NodeSpec, newBridges: ReadonlySet<string>): string[][] {
  const lines: string[][] = [];
  const endpoints = spec.links.flatMap((l) => l.endpoints).filter((e) => e.node === node.name);
  for (const br of node.bridges) {
    if (newBridges.has(br.name)) lines.push(['link', 'add', br.name, 'type', 'bridge']);
    if (br.mtu) lines.push(['link', 'set', br.name, 'mtu', String(br.mtu)]);
  }
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
