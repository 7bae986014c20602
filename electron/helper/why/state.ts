// What the diagnoser reads, namespace by namespace, only when the path gets there (and once): links with
// their bridge-port state, neighbours, per-interface rp_filter, the firewall, listening sockets, the
// bridge-netfilter sysctl — plus `ip route get` answers. Everything is a read through the exec layer.
import type { FwRuleset, LinkSnapshot, NodeSnapshot } from '../../shared/contract/index.js';
import { nodeOf } from '../../shared/names.js';
import { shellLine } from '../../shared/shell.js';
import { run } from '../exec/run.js';
import { readRuleset } from '../firewall/ruleset.js';
import { ipJsonBatch } from '../net/ip.js';
import { listMarkedNetns, snapshotNamespaces } from '../net/snapshot.js';

export interface Listener {
  proto: 'tcp' | 'udp';
  addr: string;
  port: number;
  text: string;
}

export interface Neighbour {
  dst: string;
  dev: string;
  state: string;
}

export interface NsDetail {
  /** Bridge port state (forwarding, disabled, blocking…) by interface name. */
  portState: Map<string, string>;
  /** rp_filter per interface (netconf), `all` included. */
  rpFilter: Map<string, number>;
  neigh: Neighbour[];
  /** net.bridge.bridge-nf-call-iptables, null where the namespace has no bridge (not read). */
  brnf: number | null;
  rules: FwRuleset;
  listeners: Listener[];
}

export interface RouteAnswer {
  ok: boolean;
  dev?: string;
  gateway?: string;
  type?: string;
  prefsrc?: string;
  /** The kernel's error ("Network is unreachable", "Invalid argument"…). */
  error?: string;
  command: string;
}

const RP: Record<string, number> = { off: 0, strict: 1, loose: 2 };

/** `ss -Hltnu` lines → listeners. */
export function parseListeners(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w.length < 5 || (w[0] !== 'tcp' && w[0] !== 'udp')) continue;
    const local = w[4]!;
    const colon = local.lastIndexOf(':');
    const port = Number(local.slice(colon + 1));
    let addr = local.slice(0, colon).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    if (addr === '*' || addr === '::' || addr === '0.0.0.0') addr = '*';
    if (Number.isFinite(port)) out.push({ proto: w[0], addr, port, text: line.trim().replace(/\s+/g, ' ') });
  }
  return out;
}

export class World {
  nodes: NodeSnapshot[] = [];
  private details = new Map<string, Promise<NsDetail>>();
  private routes = new Map<string, Promise<RouteAnswer>>();

  static async read(): Promise<World> {
    const w = new World();
    const marked = await listMarkedNetns();
    w.nodes = await snapshotNamespaces(marked, () => ({ topology: null, recorded: true }));
    return w;
  }

  node(netns: string): NodeSnapshot | undefined {
    return this.nodes.find((n) => n.netns === netns);
  }

  /** The namespaces joined to `netns` by veth pairs (directly or through others), itself included. */
  component(netns: string): string[] {
    const seen = new Set([netns]);
    const queue = [netns];
    while (queue.length) {
      for (const l of this.node(queue.shift()!)?.links ?? []) {
        const peer = l.peerNetns;
        if (!peer || seen.has(peer) || !this.node(peer)) continue;
        seen.add(peer);
        queue.push(peer);
      }
    }
    return [...seen];
  }

  link(netns: string, name: string): LinkSnapshot | undefined {
    return this.node(netns)?.links.find((l) => l.name === name);
  }

  /** The namespace and interface holding an IPv4 address. */
  owner(ip: string): { netns: string; link: LinkSnapshot; cidr: string } | null {
    for (const n of this.nodes) {
      for (const l of n.links) {
        const cidr = l.addresses.find((a) => a.split('/')[0] === ip);
        if (cidr) return { netns: n.netns, link: l, cidr };
      }
    }
    return null;
  }

  /** The IPv4 addresses (with prefix) on one interface. */
  v4(netns: string, name: string): string[] {
    return (this.link(netns, name)?.addresses ?? []).filter((a) => !a.includes(':'));
  }

  detail(netns: string): Promise<NsDetail> {
    let d = this.details.get(netns);
    if (!d) {
      d = readDetail(netns, (this.node(netns)?.links ?? []).some((l) => l.kind === 'bridge'));
      this.details.set(netns, d);
    }
    return d;
  }

  /** `ip route get DST [from SRC iif IIF]` in a namespace, its error kept as the answer. */
  routeGet(netns: string, dst: string, from?: string, iif?: string): Promise<RouteAnswer> {
    const args = ['route', 'get', dst, ...(from && iif ? ['from', from, 'iif', iif] : from ? ['from', from] : [])];
    const key = `${netns} ${args.join(' ')}`;
    let r = this.routes.get(key);
    if (!r) {
      r = routeGet(netns, args);
      this.routes.set(key, r);
    }
    return r;
  }
}

async function routeGet(netns: string, args: string[]): Promise<RouteAnswer> {
  const argv = ['ip', '-j', '-n', netns, ...args];
  const command = shellLine(['ip', '-n', netns, ...args]);
  const r = await run(argv, { allowFailure: true });
  if (r.code !== 0) return { ok: false, error: (r.stderr.trim().replace(/^RTNETLINK answers:\s*/, '') || `ip exited with ${r.code}`), command };
  const [route] = JSON.parse(r.stdout || '[]') as { dev?: string; gateway?: string; type?: string; prefsrc?: string }[];
  if (!route) return { ok: false, error: 'no answer', command };
  if (route.type === 'unreachable' || route.type === 'blackhole' || route.type === 'prohibit') return { ok: false, error: `route type ${route.type}`, command };
  return { ok: true, command, ...(route.dev ? { dev: route.dev } : {}), ...(route.gateway ? { gateway: route.gateway } : {}), ...(route.type ? { type: route.type } : {}), ...(route.prefsrc ? { prefsrc: route.prefsrc } : {}) };
}

interface IpLinkDetail {
  ifname: string;
  linkinfo?: { info_slave_kind?: string; info_slave_data?: { state?: string } };
}

async function readDetail(netns: string, hasBridge: boolean): Promise<NsDetail> {
  const inNs = (argv: string[]): string[] => ['ip', 'netns', 'exec', netns, ...argv];
  const [ipDocs, rules, ss, brnf] = await Promise.all([
    ipJsonBatch(netns, [['link', 'show'], ['neigh', 'show'], ['netconf', 'show']]),
    readRuleset(netns, { text: true }),
    run(inNs(['ss', '-H', '-ltnu']), { allowFailure: true }),
    hasBridge ? run(inNs(['sysctl', '-n', 'net.bridge.bridge-nf-call-iptables']), { allowFailure: true }) : Promise.resolve(null),
  ]);
  const [links, neigh, netconf] = ipDocs as [IpLinkDetail[], { dst: string; dev: string; state?: string[] }[], { family: string; interface: string; rp_filter?: string | number }[]];
  const portState = new Map<string, string>();
  for (const l of links) if (l.linkinfo?.info_slave_kind === 'bridge') portState.set(l.ifname, l.linkinfo.info_slave_data?.state ?? 'unknown');
  const rpFilter = new Map<string, number>();
  for (const c of netconf) {
    if (c.family !== 'inet' || c.rp_filter === undefined) continue;
    const v = typeof c.rp_filter === 'number' ? c.rp_filter : (RP[c.rp_filter] ?? Number(c.rp_filter));
    if (Number.isFinite(v)) rpFilter.set(c.interface, v);
  }
  const brValue = brnf && brnf.code === 0 ? Number(brnf.stdout.trim()) : null;
  return {
    portState,
    rpFilter,
    neigh: neigh.filter((n) => n.dst && !n.dst.includes(':')).map((n) => ({ dst: n.dst, dev: n.dev, state: (n.state ?? ['NONE']).join(',') })),
    brnf: brValue !== null && Number.isFinite(brValue) ? brValue : null,
    rules,
    listeners: parseListeners(ss.stdout),
  };
}

export const nodeName = (netns: string): string => nodeOf(netns);
