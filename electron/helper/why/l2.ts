// Layer 2: from one interface, every interface a frame can reach — across veth pairs and through bridges
// (port membership and state) — and what stops it on the way: a peer that is down or in the wrong
// namespace, a port that is not in its bridge, a bridge or port that is down.
import type { LinkSnapshot } from '../../shared/contract/index.js';
import { nodeOf } from '../../shared/names.js';
import type { Expectations } from './expect.js';
import type { World } from './state.js';

export interface Endpoint {
  netns: string;
  link: LinkSnapshot;
  /** How the frame got here (for the bridges it crossed). */
  parent: Endpoint | null;
  /** Entered through a bridge: which, and the port it came in on. */
  via?: { bridge: string; in: string | null };
}

export type Block =
  | { kind: 'peer-down'; netns: string; dev: string; peerNetns: string; peer: string; state: string }
  | { kind: 'wrong-ns'; netns: string; dev: string; peer: string; peerNetns: string | null; expected: string }
  | { kind: 'port-down'; netns: string; port: string; bridge: string; state: string }
  | { kind: 'port-missing'; netns: string; port: string; bridge: string }
  | { kind: 'bridge-down'; netns: string; bridge: string };

export interface Domain {
  endpoints: Endpoint[];
  blocks: Block[];
}

const key = (netns: string, name: string): string => `${netns}/${name}`;

/** The other end of a veth, when nslab can see it (a peer in the root namespace is outside the lab). */
export function peerOf(world: World, netns: string, link: LinkSnapshot): { netns: string; link: LinkSnapshot } | null {
  if (link.kind !== 'veth' || !link.peer) return null;
  const peerNetns = link.peerNetns === undefined ? netns : link.peerNetns;
  if (peerNetns === null) return null;
  const peer = world.link(peerNetns, link.peer);
  return peer ? { netns: peerNetns, link: peer } : null;
}

const holds = (l: LinkSnapshot, ip: string): boolean => l.addresses.some((a) => a.split('/')[0] === ip);

/**
 * The other end of a vxlan tunnel: the vxlan with the same VNI in the namespace that holds its remote
 * address, when that end is up and the underlay dev's own layer 2 reaches the remote (an underlay that is
 * routed, or a dev nslab does not know, is taken on trust).
 */
async function tunnelPeer(world: World, expect: Expectations, netns: string, link: LinkSnapshot, depth: number): Promise<{ netns: string; link: LinkSnapshot } | null> {
  const vx = link.kind === 'vxlan' ? link.vxlan : undefined;
  if (!vx?.remote || depth > 1) return null;
  const holder = world.nodes.find((n) => n.netns !== netns && n.links.some((l) => holds(l, vx.remote!)));
  const peer = holder?.links.find((l) => l.kind === 'vxlan' && l.vxlan?.vni === vx.vni);
  if (!holder || !peer?.up) return null;
  if (vx.dev && world.link(netns, vx.dev)) {
    const under = await l2Domain(world, expect, netns, vx.dev, depth + 1);
    const reached = under.endpoints.some((e) => e.netns === holder.netns && holds(e.link, vx.remote!));
    const ownSubnet = (world.link(netns, vx.dev)?.addresses ?? []).length > 0;
    if (!reached && ownSubnet) return null;
  }
  return { netns: holder.netns, link: peer };
}

export async function l2Domain(world: World, expect: Expectations, netns: string, dev: string, depth = 0): Promise<Domain> {
  const start = world.link(netns, dev);
  const endpoints: Endpoint[] = [];
  const blocks: Block[] = [];
  if (!start) return { endpoints, blocks };
  const seen = new Set<string>();
  const queue: Endpoint[] = [];
  const add = (ep: Endpoint): void => {
    const k = key(ep.netns, ep.link.name);
    if (seen.has(k)) return;
    seen.add(k);
    endpoints.push(ep);
    queue.push(ep);
  };
  add({ netns, link: start, parent: null });

  const enterBridge = async (from: Endpoint, ns: string, bridge: LinkSnapshot, inPort: string | null): Promise<void> => {
    if (!bridge.up) {
      blocks.push({ kind: 'bridge-down', netns: ns, bridge: bridge.name });
      return;
    }
    const detail = await world.detail(ns);
    if (bridge.name !== from.link.name) add({ netns: ns, link: bridge, parent: from, via: { bridge: bridge.name, in: inPort } });
    const bridgeEp = endpoints.find((e) => e.netns === ns && e.link.name === bridge.name) ?? from;
    for (const port of world.node(ns)?.links ?? []) {
      // a veth end the topology (or, without one, its missing address) says belongs in this bridge
      const want = expect.end(nodeOf(ns), port.name)?.master;
      if (port.kind === 'veth' && !port.master && (want === bridge.name || (!want && !expect.end(nodeOf(ns), port.name) && world.v4(ns, port.name).length === 0))) {
        blocks.push({ kind: 'port-missing', netns: ns, port: port.name, bridge: bridge.name });
        continue;
      }
      if (port.master !== bridge.name || port.name === inPort || seen.has(key(ns, port.name))) continue;
      const state = detail.portState.get(port.name) ?? 'unknown';
      if (!port.up || state !== 'forwarding') blocks.push({ kind: 'port-down', netns: ns, port: port.name, bridge: bridge.name, state: port.up ? state : 'down' });
      else add({ netns: ns, link: port, parent: bridgeEp, via: { bridge: bridge.name, in: inPort } });
    }
  };

  while (queue.length) {
    const ep = queue.shift()!;
    const { link } = ep;
    const node = nodeOf(ep.netns);
    if (link.kind === 'veth' && ep.parent?.link.name !== link.peer) {
      const expected = expect.end(node, link.name);
      const peer = peerOf(world, ep.netns, link);
      if (expected && (!peer || nodeOf(peer.netns) !== expected.peer.node)) {
        blocks.push({ kind: 'wrong-ns', netns: ep.netns, dev: link.name, peer: link.peer ?? expected.peer.name, peerNetns: peer?.netns ?? null, expected: expected.peer.node });
      } else if (peer && !peer.link.up) {
        blocks.push({ kind: 'peer-down', netns: ep.netns, dev: link.name, peerNetns: peer.netns, peer: peer.link.name, state: link.state });
      } else if (peer && !seen.has(key(peer.netns, peer.link.name))) {
        add({ netns: peer.netns, link: peer.link, parent: ep });
      }
    }
    if (link.kind === 'vxlan' && ep.parent?.link.kind !== 'vxlan') {
      // a tunnel is crossed like a wire to the VTEP that holds its remote
      const peer = await tunnelPeer(world, expect, ep.netns, link, depth);
      if (peer && !seen.has(key(peer.netns, peer.link.name))) add({ netns: peer.netns, link: peer.link, parent: ep });
    }
    if (link.master) {
      const bridge = world.link(ep.netns, link.master);
      const detail = await world.detail(ep.netns);
      const state = detail.portState.get(link.name) ?? 'unknown';
      if (ep.parent !== null && (!link.up || state !== 'forwarding')) blocks.push({ kind: 'port-down', netns: ep.netns, port: link.name, bridge: link.master, state: link.up ? state : 'down' });
      else if (bridge && !ep.via) await enterBridge(ep, ep.netns, bridge, link.name);
    } else if (link.kind === 'bridge' && ep.parent === null) {
      await enterBridge(ep, ep.netns, link, null);
    } else if (link.kind === 'veth' && ep.parent !== null) {
      // A veth end with no bridge where the topology (or the only bridge of its namespace) wants one.
      const expected = expect.end(node, link.name);
      const bridges = (world.node(ep.netns)?.links ?? []).filter((l) => l.kind === 'bridge');
      const want = expected?.master ?? (bridges.length === 1 && world.v4(ep.netns, link.name).length === 0 ? bridges[0]!.name : undefined);
      if (want) blocks.push({ kind: 'port-missing', netns: ep.netns, port: link.name, bridge: want });
    }
  }
  return { endpoints, blocks };
}

/** The bridges a frame crossed to reach `ep`, nearest first. */
export function crossings(ep: Endpoint): { netns: string; bridge: string; in: string | null; out: string }[] {
  const out: { netns: string; bridge: string; in: string | null; out: string }[] = [];
  for (let e: Endpoint | null = ep; e; e = e.parent) if (e.via) out.unshift({ netns: e.netns, bridge: e.via.bridge, in: e.via.in, out: e.link.name });
  // one crossing per bridge (the bridge endpoint and its port both carry `via`): the one leaving by a port
  return out.filter((c, i) => {
    const same = (x: (typeof out)[number] | undefined): boolean => !!x && x.bridge === c.bridge && x.netns === c.netns;
    return !(c.out === c.bridge && (same(out[i + 1]) || same(out[i - 1])));
  });
}
