// `cni diff`: what the bridge (+ host-local, + portmap) plugins built for one container next to what the
// Docker emulator (dockernet) built for one of its containers, read back from both kernels' state and
// put in words. Every sentence is built from what was observed, so a changed conflist changes the text.
import type { CniDiffLine, ParsedParams, Result } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { run } from '../exec/run.js';
import { ipJsonBatch } from '../net/ip.js';
import { containerNodeOf, hostNodeOf } from '../dockernet/plan.js';
import { existsSync } from 'node:fs';
import { listRecords } from './store.js';

interface IpLink {
  ifname: string;
  master?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { local: string; prefixlen: number; family: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
}

export interface Side {
  bridges: string[];
  veths: string[];
  addresses: string[];
  routes: string[];
  forward: string;
  nat: string[];
  filter: string[];
}

const v4 = (l: IpLink): string[] => (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);

/** iptables-save rules of a table, without nslab's own comment (dockernet tags every rule with it). */
function rulesOf(save: string, table: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) current = line.slice(1).trim();
    else if (current === table && line.startsWith('-A ')) out.push(line.replace(/ -m comment --comment "?nslab:[^" ]+"?/, ''));
  }
  return out;
}

async function sideOf(hostNs: string, containerNs: string, ifname: string): Promise<Side> {
  const [hostLinks] = (await ipJsonBatch(hostNs, [['addr', 'show']])) as [IpLink[]];
  const [cLinks, cRoutes] = (await ipJsonBatch(containerNs, [['addr', 'show'], ['route', 'show']])) as [IpLink[], IpRoute[]];
  const detail = (await ipJsonBatch(hostNs, [['link', 'show']])) as [IpLink[]];
  const kind = new Map(detail[0].map((l) => [l.ifname, l.linkinfo?.info_kind]));
  const { stdout: save } = await run(['ip', 'netns', 'exec', hostNs, 'iptables-save']);
  const { stdout: fwd } = await run(['ip', 'netns', 'exec', hostNs, 'sysctl', '-n', 'net.ipv4.ip_forward']);
  return {
    bridges: hostLinks.filter((l) => kind.get(l.ifname) === 'bridge').map((l) => [l.ifname, ...v4(l)].join(' ')),
    // The containers' host ends are bridge ports; a veth with no master is the host's own uplink (dockernet's LAN).
    veths: hostLinks.filter((l) => kind.get(l.ifname) === 'veth' && l.master).map((l) => `${l.ifname} (port of ${l.master})`),
    addresses: cLinks.filter((l) => l.ifname === ifname).flatMap((l) => v4(l).map((a) => `${ifname} ${a}`)),
    routes: cRoutes.map((r) => [r.dst, r.gateway ? `via ${r.gateway}` : '', r.dev ? `dev ${r.dev}` : ''].filter(Boolean).join(' ')),
    forward: fwd.trim(),
    nat: rulesOf(save, 'nat'),
    filter: rulesOf(save, 'filter'),
  };
}

/** portmap's rules (its chains and jumps), and Docker's -p rules (chain DOCKER, DNAT, the hairpin MASQUERADE per port). */
const cniPublishRule = (r: string): boolean => /CNI-HOSTPORT|CNI-DN-|DNAT/.test(r);
const dockerPublishRule = (r: string): boolean => /DNAT|-j DOCKER\b|^-A DOCKER |--dport/.test(r);

export function diffLines(cni: Side, docker: Side): CniDiffLine[] {
  const first = (xs: string[]): string => xs[0]?.split(' ')[0] ?? '(none)';
  const cniPublish = cni.nat.filter(cniPublishRule);
  const dockerPublish = docker.nat.filter(dockerPublishRule);
  const cniMasq = cni.nat.filter((r) => !cniPublishRule(r));
  const dockerMasq = docker.nat.filter((r) => /MASQUERADE/.test(r) && !dockerPublishRule(r));
  const cniDefault = cni.routes.find((r) => r.startsWith('default'));
  const dockerDefault = docker.routes.find((r) => r.startsWith('default'));
  return [
    {
      topic: 'bridge',
      cni: cni.bridges,
      docker: docker.bridges,
      words:
        cni.bridges.length && docker.bridges.length
          ? `Both hang the container off a Linux bridge in the host namespace that carries the gateway address: the bridge plugin made ${first(cni.bridges)} (the conflist's "bridge" field; the gateway address because "isGateway" is set), dockerd makes ${first(docker.bridges)} with the first address of its subnet. The bridge plugin never deletes its bridge on DEL — nslab's runtime removes it with the host's last attachment.`
          : `Only ${cni.bridges.length ? 'the CNI side' : docker.bridges.length ? 'the Docker side' : 'neither side'} has a bridge in its host namespace.`,
    },
    {
      topic: 'veth',
      cni: cni.veths,
      docker: docker.veths,
      words: `Both connect the container with a veth pair whose host end is a bridge port. CNI names the host end veth + 8 random hex digits (a new name on every ADD; the result's interfaces[] says which); Docker names it veth + 7 hex digits of the endpoint ID. Inside, both call their end by the interface name they were given (CNI_IFNAME / eth0).`,
    },
    {
      topic: 'address',
      cni: cni.addresses,
      docker: docker.addresses,
      words: `host-local handed out ${cni.addresses[0]?.split(' ')[1] ?? 'nothing'} — the first free address of its range after the gateway, leased in a file under nslab's state directory (cni/ipam/<network>/<address>, holding the container ID) and released by DEL; Docker's IPAM gave ${docker.addresses[0]?.split(' ')[1] ?? 'nothing'} (.2, .3 … in start order, kept in dockerd's memory and its local store).`,
    },
    {
      topic: 'route',
      cni: cni.routes,
      docker: docker.routes,
      words:
        cniDefault && dockerDefault
          ? `Both give the container a default route to the gateway (CNI: "${cniDefault}", from the ipam "routes" entry 0.0.0.0/0 and the gateway host-local chose; Docker: "${dockerDefault}").`
          : `Only ${cniDefault ? 'CNI' : dockerDefault ? 'Docker' : 'neither'} installed a default route; without one the container reaches only its own subnet (CNI takes routes from the ipam section's "routes").`,
    },
    {
      topic: 'sysctl',
      cni: [`net.ipv4.ip_forward=${cni.forward}`],
      docker: [`net.ipv4.ip_forward=${docker.forward}`],
      words: `The host forwards between the bridge and its other interfaces only with ip_forward=1: ${cni.forward === '1' ? 'the bridge plugin set it (it does so when isGateway is true)' : 'the CNI host does not forward (isGateway is off)'}; dockerd ${docker.forward === '1' ? 'sets it at start' : 'would set it at start (not set here)'}.`,
    },
    {
      topic: 'nat',
      cni: cniMasq,
      docker: dockerMasq,
      words: `Outbound NAT: dockerd masquerades the whole subnet with ${dockerMasq.length} rule(s) in POSTROUTING (-s <subnet> ! -o docker0 -j MASQUERADE); the bridge plugin's ipMasq adds ${cniMasq.length} rule(s): a chain per container (CNI-<hash>, commented with the network name and container ID) reached from POSTROUTING for that container's address only, accepting traffic to its own subnet and masquerading the rest except multicast (224.0.0.0/4).`,
    },
    {
      topic: 'publish',
      cni: cniPublish,
      docker: dockerPublish,
      words: cniPublish.length
        ? `Published ports: both catch packets to a local address in PREROUTING (from outside) and OUTPUT (from the host itself) with -m addrtype --dst-type LOCAL. Docker jumps to chain DOCKER with one DNAT per port (${dockerPublish.filter((r) => /DNAT/.test(r)).length} here) and reaches 127.0.0.1 through docker-proxy in user space; portmap jumps to CNI-HOSTPORT-DNAT, then a chain per container (CNI-DN-<hash>) that DNATs, and marks traffic from the subnet itself (hairpin) and from 127.0.0.1 with 0x2000 (CNI-HOSTPORT-SETMARK) so that CNI-HOSTPORT-MASQ masquerades it in POSTROUTING — the kernel does what docker-proxy does.`
        : `portmap made no DNAT rules: no port mappings were given (cni add --publish HOST:CONTAINER) or the conflist has no portmap plugin with "capabilities": {"portMappings": true}. Docker has ${dockerPublish.filter((r) => /DNAT/.test(r)).length} DNAT rule(s).`,
    },
    {
      topic: 'filter',
      cni: cni.filter,
      docker: docker.filter,
      words: cni.filter.length
        ? `CNI added ${cni.filter.length} filter rule(s) (a firewall plugin in the chain, or the bridge plugin of a newer release); Docker's ${docker.filter.length} send FORWARD through DOCKER-USER, DOCKER-ISOLATION-STAGE-1/2 and accept docker0's traffic.`
        : `The bridge plugin (Debian's 1.1.1) adds no filter rules at all — forwarding is allowed because FORWARD's policy is ACCEPT in a fresh namespace; isolation would be the separate "firewall" plugin's job. Docker's ${docker.filter.length} filter rules send FORWARD through DOCKER-USER and DOCKER-ISOLATION-STAGE-1/2 and accept docker0's traffic.`,
    },
  ];
}

export async function cniDiff(ctx: HelperContext, p: ParsedParams<'cni.diff'>): Promise<Result<'cni.diff'>> {
  const containerId = p.containerId ?? p.node;
  const record = listRecords(ctx.stateDir).find((r) => r.node === p.node && r.containerId === containerId && r.ifname === p.ifname);
  if (!record) throw new NslabError('not-found', `no CNI attachment for ${p.node} (${containerId}, ${p.ifname}); \`nslab cni add\` one first`, { field: 'node' });
  const dockerHost = netnsOf(hostNodeOf(p.dockernet));
  const dockerContainer = netnsOf(containerNodeOf(p.dockernet, p.container));
  if (!existsSync(`/run/netns/${dockerHost}`) || !existsSync(`/run/netns/${dockerContainer}`)) {
    throw new NslabError('not-found', `no dockernet ${p.dockernet} with container ${p.container} is up; \`nslab dockernet up --name ${p.dockernet} --containers ${p.container}\` first`, { field: 'container' });
  }
  const [cniSide, dockerSide] = await Promise.all([sideOf(netnsOf(record.host), netnsOf(record.node), record.ifname), sideOf(dockerHost, dockerContainer, 'eth0')]);
  return { lines: diffLines(cniSide, dockerSide) };
}
