// A topology snapshot as graph elements: one box per namespace, one diamond per bridge (inside its
// namespace's box), one edge per veth pair (ends on the bridge when that end is enslaved), and a
// "root namespace" box when a veth leads out of nslab's namespaces; a vxlan tunnel is a dashed edge labelled
// with its VNI between the two tunnel ends (matched by VNI and the remote's address), or to a "remote" box
// when the other end is not among the namespaces shown. Pure, so it is unit-tested.
import type { LinkSnapshot, NodeSnapshot } from '@shared/contract/index';

export interface GraphNode {
  id: string;
  kind: 'netns' | 'bridge' | 'root' | 'remote';
  label: string;
  /** The namespace node a bridge sits in. */
  parent?: string;
  /** The nslab node name (for selection). */
  node?: string;
  up?: boolean;
}

export interface GraphEdge {
  id: string;
  kind: 'veth' | 'vxlan';
  /** Drawn along the edge: a vxlan's VNI. */
  label?: string;
  source: string;
  target: string;
  sourceLabel: string;
  targetLabel: string;
  up: boolean;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const ROOT_ID = 'root';
export const nsId = (node: string): string => `ns:${node}`;
export const bridgeId = (node: string, bridge: string): string => `br:${node}/${bridge}`;

const isUp = (l: LinkSnapshot): boolean => l.state === 'UP' || (l.up && l.state === 'UNKNOWN');
const endLabel = (l: LinkSnapshot): string => [l.name, ...l.addresses.filter((a) => !a.startsWith('fe80:'))].join('\n');

export interface GraphLabels {
  vni: (vni: number) => string;
  remote: (address: string) => string;
}
const EN_LABELS: GraphLabels = { vni: (vni) => `VNI ${vni}`, remote: (address) => `remote VTEP ${address}` };

const ownsAddress = (n: NodeSnapshot, ip: string): boolean => n.links.some((l) => l.addresses.some((a) => a.split('/')[0] === ip));

export function toGraph(nodes: readonly NodeSnapshot[], rootLabel = 'root namespace', labels: GraphLabels = EN_LABELS): GraphModel {
  const out: GraphModel = { nodes: [], edges: [] };
  const byNetns = new Map(nodes.map((n) => [n.netns, n]));
  const seen = new Set<string>();
  let needRoot = false;

  for (const n of nodes) {
    out.nodes.push({ id: nsId(n.name), kind: 'netns', label: n.name, node: n.name });
    for (const l of n.links) {
      if (l.kind !== 'bridge') continue;
      out.nodes.push({
        id: bridgeId(n.name, l.name),
        kind: 'bridge',
        label: [l.name, ...l.addresses.filter((a) => !a.startsWith('fe80:'))].join('\n'),
        parent: nsId(n.name),
        node: n.name,
        up: isUp(l),
      });
    }
  }

  const endpoint = (n: NodeSnapshot, l: LinkSnapshot): string => (l.master && n.links.some((b) => b.name === l.master && b.kind === 'bridge') ? bridgeId(n.name, l.master) : nsId(n.name));

  for (const n of nodes) {
    for (const l of n.links) {
      if (l.kind === 'veth' && l.peer) {
        const peerNetns = l.peerNetns === undefined ? n.netns : l.peerNetns;
        const here = `${n.netns}/${l.name}`;
        const there = `${peerNetns ?? ''}/${l.peer}`;
        const key = [here, there].sort().join('|');
        if (seen.has(key)) continue;
        seen.add(key);
        const peerNode = peerNetns === null ? undefined : byNetns.get(peerNetns);
        const peerLink = peerNode?.links.find((p) => p.name === l.peer);
        let target: string;
        if (peerNode) target = peerLink ? endpoint(peerNode, peerLink) : nsId(peerNode.name);
        else {
          needRoot = true;
          target = ROOT_ID;
        }
        out.edges.push({
          id: `veth:${key}`,
          kind: 'veth',
          source: endpoint(n, l),
          target,
          sourceLabel: endLabel(l),
          targetLabel: peerLink ? endLabel(peerLink) : l.peer,
          up: isUp(l) && (peerLink ? isUp(peerLink) : true),
        });
      }
    }
  }
  if (needRoot) out.nodes.push({ id: ROOT_ID, kind: 'root', label: rootLabel });

  // Tunnels: the other end is the vxlan with the same VNI in the namespace that holds our remote address.
  for (const n of nodes) {
    for (const l of n.links) {
      const vx = l.kind === 'vxlan' ? l.vxlan : undefined;
      if (!vx) continue;
      const peerNode = vx.remote ? nodes.find((m) => m !== n && ownsAddress(m, vx.remote!)) : undefined;
      const peerLink = peerNode?.links.find((p) => p.kind === 'vxlan' && p.vxlan?.vni === vx.vni);
      const here = `${n.netns}/${l.name}`;
      const key = peerNode && peerLink ? [here, `${peerNode.netns}/${peerLink.name}`].sort().join('|') : here;
      if (seen.has(key)) continue;
      seen.add(key);
      let target: string;
      if (peerNode && peerLink) target = endpoint(peerNode, peerLink);
      else {
        target = `remote:${vx.remote ?? '?'}`;
        if (!out.nodes.some((x) => x.id === target)) out.nodes.push({ id: target, kind: 'remote', label: labels.remote(vx.remote ?? '?') });
      }
      out.edges.push({
        id: `vxlan:${key}`,
        kind: 'vxlan',
        label: labels.vni(vx.vni),
        source: endpoint(n, l),
        target,
        sourceLabel: endLabel(l),
        targetLabel: peerLink ? endLabel(peerLink) : '',
        up: isUp(l) && (peerLink ? isUp(peerLink) : true),
      });
    }
  }
  return out;
}

/** Smallest label size on screen, in CSS px: below it the graph's text is unreadable. */
export const MIN_LABEL_PX = 11;

/**
 * How much to enlarge labels (in graph units) so that at this zoom a `basePx` label still shows at least
 * MIN_LABEL_PX on screen; capped so a far-zoomed-out graph's labels do not swallow their boxes.
 */
export function labelScale(zoom: number, basePx = 10, cap = 2.2): number {
  if (!(zoom > 0)) return 1;
  return Math.min(cap, Math.max(1, MIN_LABEL_PX / (basePx * zoom)));
}
