// containerlab topology → nslab topology: the linux/bridge part only, as namespaces (no Docker, no images).
// `linux` nodes become nodes, `bridge` kind nodes become a node holding that bridge, veth links become links,
// vxlan links become a vxlan tunnel end in their node (the underlay, the containerlab host's network, is not
// carried and is listed), and the exec steps nslab understands (ip addr/route/link mtu, the forwarding and rp_filter sysctls) become
// addresses, routes and settings. Everything else is listed in `notCarried`, never silently dropped.
import { parse } from 'yaml';
import type { TopologySpecInput } from '../shared/contract/topology-spec.js';
import { NslabError } from '../shared/errors.js';

interface RawNode { kind?: unknown; image?: unknown; exec?: unknown; [k: string]: unknown }
interface RawLink { endpoints?: unknown; type?: unknown; [k: string]: unknown }

export interface ClabImport {
  topology: TopologySpecInput;
  notCarried: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Keys of a linux node that only make sense for a container. */
const CONTAINER_KEYS = ['image', 'exec', 'kind', 'labels', 'group'];

type EndpointInput = { node: string; name: string; addresses: string[]; master?: string; mtu?: number };
type VxlanInput = EndpointInput & { kind: 'vxlan'; vni: number; remote: string; dstport?: number };
type LinkInput = { endpoints: [EndpointInput, EndpointInput] } | VxlanInput;
type NodeInput = { name: string; forwarding?: boolean; rpFilter?: 0 | 1 | 2; bridges: { name: string; addresses: string[] }[]; routes: { to: string; via?: string; dev?: string }[] };

export function clabToTopology(text: string, file = '<containerlab file>'): ClabImport {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new NslabError('invalid-params', `${file}: not YAML: ${(err as Error).message.split('\n')[0]}`, { field: 'file' });
  }
  if (!isRecord(doc) || typeof doc.name !== 'string' || !isRecord(doc.topology))
    throw new NslabError('invalid-params', `${file}: a containerlab topology needs name (string) and topology (object)`, { field: 'topology' });
  const notCarried: string[] = [];
  for (const k of ['mgmt', 'prefix', 'settings']) if (k in doc) notCarried.push(`${k}: containerlab's management network and settings (nslab namespaces have no management network)`);
  const topo = doc.topology;
  for (const k of ['kinds', 'groups', 'defaults']) if (k in topo) notCarried.push(`topology.${k}: per-kind/group defaults (images, startup configs)`);
  const rawNodes = isRecord(topo.nodes) ? topo.nodes : {};
  const nodes = new Map<string, NodeInput>();
  const bridgeNodes = new Set<string>();
  const endpointsByNode = new Map<string, Map<string, EndpointInput>>();
  const execs = new Map<string, string[]>();

  for (const [name, raw] of Object.entries(rawNodes)) {
    const n: RawNode = isRecord(raw) ? raw : {};
    const kind = n.kind ?? (isRecord(topo.defaults) ? topo.defaults.kind : undefined);
    if (kind === 'bridge' || kind === 'ovs-bridge') {
      if (kind === 'ovs-bridge') notCarried.push(`node ${name}: an Open vSwitch bridge, carried as a Linux bridge`);
      bridgeNodes.add(name);
      nodes.set(name, { name, bridges: [{ name: name.slice(0, 15), addresses: [] }], routes: [] });
      continue;
    }
    if (kind !== 'linux') {
      notCarried.push(`node ${name}: kind ${String(kind ?? '(none)')} needs its own image (network OS), only linux and bridge nodes run as namespaces`);
      continue;
    }
    nodes.set(name, { name, bridges: [], routes: [] });
    if (typeof n.image === 'string') notCarried.push(`node ${name}: image ${n.image} (a namespace runs the host's programs, not an image)`);
    const extra = Object.keys(n).filter((k) => !CONTAINER_KEYS.includes(k));
    if (extra.length) notCarried.push(`node ${name}: ${extra.join(', ')}`);
    execs.set(name, Array.isArray(n.exec) ? n.exec.map(String) : []);
  }

  const endpoint = (node: string, ifname: string): EndpointInput => {
    const m = endpointsByNode.get(node) ?? new Map<string, EndpointInput>();
    endpointsByNode.set(node, m);
    const ep = m.get(ifname) ?? { node, name: ifname, addresses: [] };
    m.set(ifname, ep);
    return ep;
  };
  const links: LinkInput[] = [];
  const rawLinks = Array.isArray(topo.links) ? (topo.links as RawLink[]) : [];
  rawLinks.forEach((l, i) => {
    if (!isRecord(l)) return;
    if (l.type === 'vxlan') {
      const ep = isRecord(l.endpoint) && typeof l.endpoint.node === 'string' && typeof l.endpoint.interface === 'string' ? { node: l.endpoint.node, ifname: l.endpoint.interface } : null;
      if (!ep || typeof l.remote !== 'string' || typeof l.vni !== 'number') {
        notCarried.push(`links[${i}]: a vxlan link needs endpoint {node, interface}, remote and vni`);
        return;
      }
      const where = `links[${i}]: vxlan link ${ep.node}:${ep.ifname} (VNI ${l.vni})`;
      if (!nodes.has(ep.node) || bridgeNodes.has(ep.node)) {
        notCarried.push(`${where}: node ${ep.node} is not carried as a linux node`);
        return;
      }
      const vx: VxlanInput = { kind: 'vxlan', node: ep.node, name: ep.ifname, vni: l.vni, remote: l.remote, addresses: [], ...(typeof l['dst-port'] === 'number' ? { dstport: l['dst-port'] } : {}), ...(typeof l.mtu === 'number' ? { mtu: l.mtu } : {}) };
      const m = endpointsByNode.get(ep.node) ?? new Map<string, EndpointInput>();
      endpointsByNode.set(ep.node, m);
      m.set(ep.ifname, vx);
      links.push(vx);
      notCarried.push(
        `${where} is carried as a vxlan in node ${ep.node}, but not its underlay: containerlab sends it over the host's network to ${l.remote}; in nslab give ${ep.node} a link that reaches ${l.remote} and name it as the vxlan's dev`,
      );
      for (const k of Object.keys(l).filter((k) => !['type', 'endpoint', 'remote', 'vni', 'dst-port', 'mtu'].includes(k))) notCarried.push(`${where}: ${k}`);
      return;
    }
    if (l.type !== undefined && l.type !== 'veth') {
      notCarried.push(`links[${i}]: a ${String(l.type)} link (only veth links between linux and bridge nodes are carried)`);
      return;
    }
    const eps = Array.isArray(l.endpoints) ? l.endpoints : [];
    const parsed = eps.map((e) => {
      if (typeof e === 'string') {
        const at = e.indexOf(':');
        return at > 0 ? { node: e.slice(0, at), ifname: e.slice(at + 1) } : null;
      }
      return isRecord(e) && typeof e.node === 'string' && typeof e.interface === 'string' ? { node: e.node, ifname: e.interface } : null;
    });
    if (parsed.length !== 2 || parsed.some((p) => !p)) {
      notCarried.push(`links[${i}]: endpoints are not two node:interface pairs`);
      return;
    }
    const [a, b] = parsed as { node: string; ifname: string }[];
    const missing = [a!, b!].find((p) => !nodes.has(p.node));
    if (missing) {
      notCarried.push(`links[${i}] ${a!.node}:${a!.ifname} — ${b!.node}:${b!.ifname}: ${['host', 'mgmt-net', 'macvlan'].includes(missing.node) ? `${missing.node} endpoints reach outside the lab` : `node ${missing.node} is not carried`}`);
      return;
    }
    const ends = [a!, b!].map((p) => {
      const ep = endpoint(p.node, p.ifname);
      if (bridgeNodes.has(p.node)) ep.master = p.node.slice(0, 15);
      return ep;
    }) as [EndpointInput, EndpointInput];
    links.push({ endpoints: ends });
  });

  // The exec steps nslab understands; anything else is reported.
  for (const [name, lines] of execs) {
    const node = nodes.get(name)!;
    for (const line of lines) {
      const w = line.trim().split(/\s+/);
      const arg = (k: string) => (w.indexOf(k) > 0 ? w[w.indexOf(k) + 1] : undefined);
      if (w[0] === 'ip' && (w[1] === 'addr' || w[1] === 'address' || w[1] === 'a') && w[2] === 'add' && arg('dev')) {
        const ep = endpointsByNode.get(name)?.get(arg('dev')!);
        if (ep) ep.addresses.push(w[3]!);
        else notCarried.push(`node ${name}: exec "${line}" (no carried link named ${arg('dev')})`);
      } else if (w[0] === 'ip' && (w[1] === 'route' || w[1] === 'r') && w[2] === 'add') {
        node.routes.push({ to: w[3]!, ...(arg('via') ? { via: arg('via')! } : {}), ...(arg('dev') ? { dev: arg('dev')! } : {}) });
      } else if (w[0] === 'ip' && w[1] === 'link' && w[2] === 'set' && arg('mtu')) {
        const ep = endpointsByNode.get(name)?.get(w[3]!);
        if (ep) ep.mtu = Number(arg('mtu'));
        else notCarried.push(`node ${name}: exec "${line}"`);
      } else if (w[0] === 'sysctl' && /^net\.ipv[46]\.(ip_forward|conf\.all\.forwarding)=1$/.test(w.at(-1) ?? '')) {
        node.forwarding = true;
      } else if (w[0] === 'sysctl' && /^net\.ipv4\.conf\.all\.rp_filter=[012]$/.test(w.at(-1) ?? '')) {
        node.rpFilter = Number(w.at(-1)!.split('=')[1]) as 0 | 1 | 2;
      } else if (w[0] === 'ip' && w[1] === 'link' && w[2] === 'set' && w.at(-1) === 'up') {
        /* nslab brings every link up itself */
      } else notCarried.push(`node ${name}: exec "${line}"`);
    }
  }
  const topology: TopologySpecInput = {
    name: doc.name.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 48),
    description: `Imported from containerlab topology ${doc.name} (${file}) by nslab import containerlab.`,
    nodes: [...nodes.values()],
    links,
  };
  return { topology, notCarried };
}
