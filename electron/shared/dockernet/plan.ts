// What dockerd would create for one `dockernet up`, as nslab objects: the topology (host node(s) with
// docker0, one node per container, veth pairs, the outside LAN or the two-host underlay), Docker's IPAM and
// MAC addresses and its sysctls. Pure and runtime-free: the helper builds from it, the lab schema reads a
// dockernet lab's nodes and addresses from it.
import { DOCKERNET_HOST_SUBNETS, DOCKERNET_LAN, DOCKERNET_UNDERLAY, type DockernetUpParams } from '../contract/dockernet.js';
import type { TopologySpecInput } from '../contract/topology-spec.js';
import type { z } from 'zod';

export type UpParams = z.output<typeof DockernetUpParams>;

export const topologyNameOf = (name: string): string => `dockernet-${name}`;
export const hostNodeOf = (name: string, hosts = 1, i = 0): string => (hosts === 1 ? `${name}-host` : `${name}-host${i + 1}`);
export const outsideNodeOf = (name: string): string => `${name}-out`;
export const underlayNodeOf = (name: string): string => `${name}-under`;
export const containerNodeOf = (name: string, c: string): string => `${name}-${c}`;
export const ruleCommentOf = (name: string): string => `nslab:dockernet-${name}`;
export const BRIDGE = 'docker0';
export const USER_BRIDGE = 'br-nslabnet';
export const VXLAN = 'vxlan0';
export const VXLAN_VNI = 42;
export const VXLAN_MTU = 1450;
/** The transit subnet inside the VXLAN: host1 is .1, host2 .2. */
export const VXLAN_SUBNET = '10.42.0.0/24';

const toInt = (ip: string): number => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
export const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export interface Subnet {
  network: number;
  prefix: number;
}
export const parseSubnet = (cidr: string): Subnet => {
  const [ip, p] = cidr.split('/');
  const prefix = Number(p);
  const size = 2 ** (32 - prefix);
  return { network: Math.floor(toInt(ip!) / size) * size, prefix };
};
export const subnetsOverlap = (a: Subnet, b: Subnet): boolean => {
  const lo = Math.min(a.prefix, b.prefix);
  const size = 2 ** (32 - lo);
  return Math.floor(a.network / size) === Math.floor(b.network / size);
};
/** The n-th address of a subnet (1 = the first host address). */
const nth = (cidr: string, n: number): string => toIp(parseSubnet(cidr).network + n);
const lastUsable = (cidr: string): string => {
  const s = parseSubnet(cidr);
  return toIp(s.network + 2 ** (32 - s.prefix) - 2);
};

export interface PlannedContainer {
  name: string;
  node: string;
  /** Absent in host and none modes. */
  ip?: string;
  mac?: string;
  /** Bridge mode: the host end of the veth pair. macvlan: absent (the link is made on the parent). */
  veth?: string;
  /** The bridge it plugs into (docker0 or the user network's). */
  bridge?: string;
}

/** One Docker network on a host: its Linux bridge, subnet, gateway and containers in start order. */
export interface PlannedNetwork {
  bridge: string;
  subnet: string;
  gateway: string;
  prefix: number;
  containers: PlannedContainer[];
}

export interface PlannedHost {
  node: string;
  /** docker0 first, then the user network. Empty in host/none/macvlan mode. */
  networks: PlannedNetwork[];
  /** Every container this host runs (in host mode: processes in its own namespace). */
  containers: PlannedContainer[];
  /** The host's leg on the LAN / underlay: eth0 with this address. */
  lanIp: string;
  lanPrefix: number;
  /** --hosts 2, vxlan: vxlan0's address in the transit subnet. */
  vxlanIp?: string;
}

export interface DockernetPlan {
  params: UpParams;
  hosts: PlannedHost[];
  /** Every container, on whatever host. */
  containers: PlannedContainer[];
  /** One host: the outside node on the LAN (the host's gateway; macvlan: the containers' gateway too). */
  outside: { node: string; ip: string } | null;
  /** Two hosts: the node whose bridge br0 is the underlay switch. */
  underlay: { node: string; bridge: string } | null;
  /** One host: the first host's docker0 facts (what the single-host code reads). */
  host: string;
  subnet: string;
  gateway: string;
  prefix: number;
}

/** Docker's MAC for an address: 02:42 then the four address bytes. */
const macOf = (ip: string): string => ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
/** `veth` + 7 hex, as Docker names the host end; stable per (dockernet, container) so a re-up finds it. */
const vethOf = (name: string, c: string): string => `veth${fnv1a(`${name}/${c}`).toString(16).padStart(8, '0').slice(0, 7)}`;

/** 32-bit FNV-1a: a stable, runtime-free hash for names. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function planNetwork(dockernet: string, bridge: string, cidr: string, names: string[], withVeth: boolean): PlannedNetwork {
  const { network, prefix } = parseSubnet(cidr);
  const containers = names.map((c, i): PlannedContainer => {
    const ip = toIp(network + 2 + i); // Docker's IPAM: .1 is the gateway, then .2, .3… in start order
    return { name: c, node: containerNodeOf(dockernet, c), ip, mac: macOf(ip), ...(withVeth ? { veth: vethOf(dockernet, c), bridge } : {}) };
  });
  return { bridge, subnet: `${toIp(network)}/${prefix}`, gateway: toIp(network + 1), prefix, containers };
}

export function planDockernet(params: UpParams): DockernetPlan {
  const name = params.name;
  const mode = params.network;
  if (params.hosts === 2) {
    const hosts = [0, 1].map((h): PlannedHost => {
      const mine = params.containers.filter((_, i) => i % 2 === h);
      const net = planNetwork(name, BRIDGE, DOCKERNET_HOST_SUBNETS[h]!, mine, true);
      return { node: hostNodeOf(name, 2, h), networks: [net], containers: net.containers, lanIp: nth(DOCKERNET_UNDERLAY, h + 1), lanPrefix: parseSubnet(DOCKERNET_UNDERLAY).prefix, ...(params.underlay === 'vxlan' ? { vxlanIp: nth(VXLAN_SUBNET, h + 1) } : {}) };
    });
    const first = hosts[0]!.networks[0]!;
    return { params, hosts, containers: params.containers.map((c) => hosts.flatMap((h) => h.containers).find((x) => x.name === c)!), outside: null, underlay: { node: underlayNodeOf(name), bridge: 'br0' }, host: hosts[0]!.node, subnet: first.subnet, gateway: first.gateway, prefix: first.prefix };
  }
  const hostNode = hostNodeOf(name);
  const networks: PlannedNetwork[] = [];
  let containers: PlannedContainer[];
  let lan = DOCKERNET_LAN;
  let hostLan = nth(DOCKERNET_LAN, 1);
  let outsideIp = nth(DOCKERNET_LAN, 2);
  if (mode === 'bridge') {
    networks.push(planNetwork(name, BRIDGE, params.subnet, params.containers, true));
    if (params.userNetwork) networks.push(planNetwork(name, USER_BRIDGE, params.userNetwork.subnet, params.userNetwork.containers, true));
    containers = networks.flatMap((n) => n.containers);
  } else if (mode === 'macvlan' || mode === 'ipvlan') {
    // The containers sit on the LAN itself: the subnet is the LAN, the outside node its router (.1), the
    // host keeps the last address; macvlan children take .2, .3… like Docker's IPAM on a macvlan network.
    const net = planNetwork(name, 'eth0', params.subnet, params.containers, false);
    containers = net.containers;
    lan = net.subnet;
    hostLan = lastUsable(net.subnet);
    outsideIp = net.gateway;
  } else {
    containers = params.containers.map((c) => ({ name: c, node: mode === 'host' ? hostNode : containerNodeOf(name, c) }));
  }
  const host: PlannedHost = { node: hostNode, networks, containers, lanIp: hostLan, lanPrefix: parseSubnet(lan).prefix };
  const first = networks[0];
  const macvlanNet = mode === 'macvlan' || mode === 'ipvlan' ? parseSubnet(params.subnet) : null;
  return {
    params,
    hosts: [host],
    containers,
    outside: { node: outsideNodeOf(name), ip: outsideIp },
    underlay: null,
    host: hostNode,
    subnet: first?.subnet ?? lan,
    gateway: first?.gateway ?? outsideIp,
    prefix: first?.prefix ?? macvlanNet?.prefix ?? parseSubnet(lan).prefix,
  };
}

type Endpoint = { node: string; name: string; master?: string; addresses?: string[] };

/** The topology the builder applies (macvlan and vxlan links are made afterwards: topologies have veths only). */
export function topologyOf(plan: DockernetPlan): TopologySpecInput {
  const mode = plan.params.network;
  const bridged = mode === 'bridge';
  const own = mode === 'host' ? [] : plan.containers;
  const nodes: TopologySpecInput['nodes'] = [];
  const links: { endpoints: [Endpoint, Endpoint] }[] = [];
  const lanSide = plan.outside?.node ?? plan.underlay!.node;
  if (plan.underlay) nodes.push({ name: plan.underlay.node, bridges: [{ name: plan.underlay.bridge }] });
  else nodes.push({ name: plan.outside!.node });
  for (const h of plan.hosts) {
    const peer = plan.hosts.find((x) => x !== h);
    const routes = plan.outside && mode !== 'macvlan' ? [{ to: 'default' as const, via: plan.outside.ip }] : [];
    // Direct routing: each host reaches the other's container range through the other's underlay address.
    if (plan.params.hosts === 2 && plan.params.underlay === 'routing' && peer) routes.push({ to: peer.networks[0]!.subnet as 'default', via: peer.lanIp });
    nodes.push({ name: h.node, forwarding: bridged, bridges: h.networks.map((n) => ({ name: n.bridge, addresses: [`${n.gateway}/${n.prefix}`] })), routes });
    const outsideEnd: Endpoint = plan.underlay ? { node: lanSide, name: `eth${plan.hosts.indexOf(h)}`, master: plan.underlay.bridge } : { node: lanSide, name: 'eth0', addresses: [`${plan.outside!.ip}/${h.lanPrefix}`] };
    links.push({ endpoints: [{ node: h.node, name: 'eth0', addresses: [`${h.lanIp}/${h.lanPrefix}`] }, outsideEnd] });
  }
  for (const c of own) {
    const gateway = bridged ? plan.hosts.flatMap((h) => h.networks).find((n) => n.containers.includes(c))!.gateway : mode === 'macvlan' ? plan.outside!.ip : null;
    nodes.push({ name: c.node, routes: bridged && gateway ? [{ to: 'default' as const, via: gateway }] : [] });
  }
  for (const h of plan.hosts) {
    for (const n of h.networks) {
      for (const c of n.containers) links.push({ endpoints: [{ node: h.node, name: c.veth!, master: n.bridge }, { node: c.node, name: 'eth0', addresses: [`${c.ip}/${n.prefix}`] }] });
    }
  }
  return { name: topologyNameOf(plan.params.name), description: `dockernet ${JSON.stringify(plan.params)}`, nodes, links };
}

/** The sysctls dockerd sets: forwarding and bridge netfilter on the host, two in each container (why: shared/dockernet/why.ts, `sysctl.<last part>`). */
export const HOST_SYSCTLS: [string, string][] = [
  ['net.ipv4.ip_forward', '1'],
  ['net.bridge.bridge-nf-call-iptables', '1'],
];
export const CONTAINER_SYSCTLS: [string, string][] = [
  ['net.ipv4.ip_unprivileged_port_start', '0'],
  ['net.ipv4.ping_group_range', '0 2147483647'],
];
