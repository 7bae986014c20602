// What dockerd would create for one `dockernet up`, as nslab objects: the topology (host node with docker0,
// one node per container, veth pairs), Docker's IPAM and MAC addresses, its sysctls and its rule scenario.
// Pure: no kernel access.
import { createHash } from 'node:crypto';
import type { ParsedParams, TopologySpecInput } from '../../shared/contract/index.js';
import type { DockerScenario } from './rules.js';

export type UpParams = ParsedParams<'dockernet.up'>;

export const topologyNameOf = (name: string): string => `dockernet-${name}`;
export const hostNodeOf = (name: string): string => `${name}-host`;
export const containerNodeOf = (name: string, c: string): string => `${name}-${c}`;
export const ruleCommentOf = (name: string): string => `nslab:dockernet-${name}`;
export const BRIDGE = 'docker0';

const toInt = (ip: string): number => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

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

export interface PlannedContainer {
  name: string;
  node: string;
  /** Absent in host and none modes. */
  ip?: string;
  mac?: string;
  veth?: string;
}

export interface DockernetPlan {
  params: UpParams;
  subnet: string;
  gateway: string;
  prefix: number;
  host: string;
  containers: PlannedContainer[];
}

/** Docker's MAC for an address: 02:42 then the four address bytes. */
const macOf = (ip: string): string => ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
/** `veth` + 7 hex, as Docker names the host end; stable per (dockernet, container) so a re-up finds it. */
const vethOf = (name: string, c: string): string => `veth${createHash('sha256').update(`${name}/${c}`).digest('hex').slice(0, 7)}`;

export function planDockernet(params: UpParams): DockernetPlan {
  const { network, prefix } = parseSubnet(params.subnet);
  const subnet = `${toIp(network)}/${prefix}`;
  const gateway = toIp(network + 1);
  const bridged = params.network === 'bridge';
  const containers = params.containers.map((c, i): PlannedContainer => {
    const node = containerNodeOf(params.name, c);
    if (!bridged) return { name: c, node };
    const ip = toIp(network + 2 + i); // Docker's IPAM: .1 is the gateway, then .2, .3… in start order
    return { name: c, node, ip, mac: macOf(ip), veth: vethOf(params.name, c) };
  });
  return { params, subnet, gateway, prefix, host: hostNodeOf(params.name), containers };
}

/** The topology the builder applies: host mode has no container nodes (they share the host's). */
export function topologyOf(plan: DockernetPlan): TopologySpecInput {
  const bridged = plan.params.network === 'bridge';
  const own = plan.params.network === 'host' ? [] : plan.containers;
  return {
    name: topologyNameOf(plan.params.name),
    description: `dockernet ${JSON.stringify(plan.params)}`,
    nodes: [
      { name: plan.host, forwarding: bridged, bridges: bridged ? [{ name: BRIDGE, addresses: [`${plan.gateway}/${plan.prefix}`] }] : [] },
      ...own.map((c) => ({ name: c.node, routes: bridged ? [{ to: 'default' as const, via: plan.gateway }] : [] })),
    ],
    links: bridged
      ? plan.containers.map((c) => ({
          endpoints: [
            { node: plan.host, name: c.veth!, master: BRIDGE },
            { node: c.node, name: 'eth0', addresses: [`${c.ip}/${plan.prefix}`] },
          ] as [{ node: string; name: string; master: string }, { node: string; name: string; addresses: string[] }],
        }))
      : [],
  };
}

/** The rule scenario dockerd would have for this plan (bridge mode only). */
export function scenarioOf(plan: DockernetPlan): DockerScenario {
  const ipOf = new Map(plan.containers.map((c) => [c.name, c.ip!]));
  return {
    engine: plan.params.engine,
    networks: [
      {
        bridge: BRIDGE,
        subnet: plan.subnet,
        ports: plan.params.publish.map((p) => ({ proto: 'tcp' as const, hostPort: p.hostPort, containerIp: ipOf.get(p.container)!, containerPort: p.containerPort })),
      },
    ],
  };
}

/** The sysctls dockerd sets: forwarding and bridge netfilter on the host, two in each container. */
export const HOST_SYSCTLS: [string, string, string][] = [
  ['net.ipv4.ip_forward', '1', 'Docker turns on forwarding so the host routes between docker0 and its other interfaces.'],
  ['net.bridge.bridge-nf-call-iptables', '1', 'Docker loads br_netfilter and sets this so traffic between containers on docker0 passes iptables (isolation and ICC rules).'],
];
export const CONTAINER_SYSCTLS: [string, string, string][] = [
  ['net.ipv4.ip_unprivileged_port_start', '0', 'Docker 20.10 lets a non-root process in the container bind ports below 1024 (its namespace is its own).'],
  ['net.ipv4.ping_group_range', '0 2147483647', 'Docker 20.10 lets every user in the container ping without CAP_NET_RAW (ICMP datagram sockets).'],
];
