// `--hosts 2`: the two answers to "containers on different hosts". (a) VXLAN: each host gets vxlan0 (VNI 42,
// UDP 4789, MTU 1450 = 1500 − 50 bytes of outer Ethernet/IP/UDP/VXLAN headers) in a transit subnet, an
// all-zeros FDB entry that floods unknown frames to the peer's underlay address, and a route to the peer's
// container range through the tunnel — flannel's vxlan backend. (b) Direct routing: a route to the peer's
// range via the peer's underlay address — flannel's host-gw, Calico without encapsulation. Both need two
// rules Docker does not write: accept the peer's range into docker0 (DOCKER-USER) and keep container
// addresses unmasqueraded between the ranges. Pure: lines and rules only.
import { BRIDGE, VXLAN, VXLAN_MTU, VXLAN_SUBNET, VXLAN_VNI, parseSubnet, type DockernetPlan, type PlannedHost } from './plan.js';
import type { DockerRule } from './rules.js';
import { dockernetWhy } from '../../shared/dockernet/why.js';

const peerOf = (plan: DockernetPlan, h: PlannedHost): PlannedHost => plan.hosts.find((x) => x !== h)!;

/** `ip -n <host>` batch lines that make the tunnel (vxlan mode only). */
export function vxlanLines(plan: DockernetPlan, h: PlannedHost): string[][] {
  const peer = peerOf(plan, h);
  const prefix = parseSubnet(VXLAN_SUBNET).prefix;
  return [
    ['link', 'add', VXLAN, 'type', 'vxlan', 'id', String(VXLAN_VNI), 'dstport', '4789', 'local', h.lanIp, 'dev', 'eth0'],
    ['link', 'set', VXLAN, 'mtu', String(VXLAN_MTU)],
    ['addr', 'replace', `${h.vxlanIp!}/${prefix}`, 'dev', VXLAN],
    ['link', 'set', VXLAN, 'up'],
    ['route', 'replace', peer.networks[0]!.subnet, 'via', peer.vxlanIp!, 'dev', VXLAN],
  ];
}

/** The FDB entry (argv after `bridge`) that sends unknown and broadcast frames to the peer's VTEP. */
export const fdbArgs = (plan: DockernetPlan, h: PlannedHost): string[] => ['fdb', 'append', '00:00:00:00:00:00', 'dev', VXLAN, 'dst', peerOf(plan, h).lanIp];

/** The two rules a multi-host setup adds beside Docker's (inserted at the head of their chains). */
export function multihostRules(plan: DockernetPlan, h: PlannedHost): DockerRule[] {
  const mine = h.networks[0]!.subnet;
  const theirs = peerOf(plan, h).networks[0]!.subnet;
  return [
    { table: 'filter', chain: 'DOCKER-USER', words: ['-s', theirs, '-o', BRIDGE, '-j', 'ACCEPT'], why: dockernetWhy('multihost.accept-peer', { theirs }) },
    { table: 'nat', chain: 'POSTROUTING', words: ['-s', mine, '-d', theirs, '-j', 'RETURN'], why: dockernetWhy('multihost.no-masquerade', { mine }) },
  ];
}

export const VXLAN_WHY = {
  link: dockernetWhy('vxlan.link', { vni: VXLAN_VNI, mtu: VXLAN_MTU }),
  address: dockernetWhy('vxlan.address'),
  route: dockernetWhy('vxlan.route'),
  fdb: dockernetWhy('vxlan.fdb'),
  routing: dockernetWhy('vxlan.routing'),
};
