// One sentence of why Docker made each object of a dockernet: nodes, links, addresses, routes, sysctls,
// chains, rules, FDB entries and processes (the rules' sentences come from the generator). Each object
// also carries a stable `key` (dockernet.why.<key>) under which the renderer finds the sentence in en/ko.
import type { DockernetObject } from '../../shared/contract/index.js';
import { VXLAN_WHY, fdbArgs, multihostRules } from './multihost.js';
import { BRIDGE, CONTAINER_SYSCTLS, HOST_SYSCTLS, VXLAN, VXLAN_MTU, VXLAN_SUBNET, scenarioOf, type DockernetPlan } from './plan.js';
import { dockerRules } from './rules.js';

const MODE_WHY: Record<string, string> = {
  bridge: 'Each container gets its own network namespace, joined to docker0 by a veth pair.',
  none: '--network none: Docker gives the container a namespace of its own with only lo in it.',
  host: '--network host: Docker creates no namespace; the container uses the host’s interfaces directly.',
  macvlan: '--network macvlan: the container gets a namespace whose only link is a macvlan child of the host’s parent interface, with a MAC of its own on the LAN.',
};

export function explainObjects(plan: DockernetPlan): DockernetObject[] {
  const mode = plan.params.network;
  const o: DockernetObject[] = [];
  const add = (key: string, obj: Omit<DockernetObject, 'key'>): void => void o.push({ ...obj, key });
  if (plan.outside) add('outside', { kind: 'node', node: plan.outside.node, text: `${plan.outside.node} ${plan.outside.ip}`, why: mode === 'macvlan' ? 'The LAN’s router: the macvlan containers’ gateway, reached without passing through the host.' : 'The outside: another machine on the host’s LAN, from where published ports are reached through DNAT.' });
  if (plan.underlay) add('underlay', { kind: 'node', node: plan.underlay.node, text: `${plan.underlay.node} bridge ${plan.underlay.bridge}`, why: 'The underlay: the physical network both Docker hosts are plugged into, here one bridge.' });
  for (const h of plan.hosts) {
    add('host', { kind: 'node', node: h.node, text: h.node, why: 'A simulated Docker host: everything dockerd creates outside containers lives in this namespace.' });
    add('host-lan', { kind: 'address', node: h.node, text: `eth0 ${h.lanIp}/${h.lanPrefix}`, why: mode === 'macvlan' ? 'The host’s own leg on the LAN, and the parent of the containers’ macvlan links.' : 'The host’s own address on its LAN: what the outside connects to for a published port.' });
    for (const c of h.containers) {
      if (mode === 'host') add('mode-host', { kind: 'node', node: h.node, text: `container ${c.name}`, why: MODE_WHY.host! });
      else add(`mode-${mode}`, { kind: 'node', node: c.node, text: c.node, why: MODE_WHY[mode] ?? '' });
    }
    for (const n of h.networks) {
      add(n.bridge === BRIDGE ? 'docker0' : 'user-bridge', { kind: 'link', node: h.node, text: n.bridge, why: n.bridge === BRIDGE ? 'dockerd creates the docker0 bridge at start-up: the switch every container on the default network plugs into.' : '`docker network create` makes a bridge of its own (br-<id>) for a user-defined network.' });
      add('gateway', { kind: 'address', node: h.node, text: `${n.bridge} ${n.gateway}/${n.prefix}`, why: 'The bridge takes the first address of the subnet and is the containers’ gateway.' });
      for (const c of n.containers) {
        add('veth', { kind: 'link', node: h.node, text: `${c.veth!} master ${n.bridge}`, why: `The host end of ${c.name}'s veth pair, named veth + 7 hex by Docker, enslaved to ${n.bridge}.` });
        add('eth0', { kind: 'link', node: c.node, text: `eth0 ${c.mac!}`, why: 'The container end, renamed eth0 and moved into the container; its MAC is 02:42 followed by the IPv4 address bytes.' });
        add('ipam', { kind: 'address', node: c.node, text: `eth0 ${c.ip!}/${n.prefix}`, why: 'Docker’s IPAM hands out .2, .3, … in start order.' });
        add('default-route', { kind: 'route', node: c.node, text: `default via ${n.gateway} dev eth0`, why: `Everything off the subnet goes to ${n.bridge}’s address on the host.` });
      }
    }
    if (h.networks.length) {
      for (const [k, v, why] of HOST_SYSCTLS) add(`sysctl-${k}`, { kind: 'sysctl', node: h.node, text: `${k}=${v}`, why });
      const set = dockerRules(scenarioOf(plan, plan.hosts.indexOf(h)));
      for (const ch of set.chains) add(`chain-${ch.table}-${ch.chain}`, { kind: 'chain', node: h.node, text: `${ch.table} ${ch.chain} ${ch.policy}`, table: ch.table, chain: ch.chain, why: ch.why });
      for (const r of set.rules) add(`rule-${r.table}-${r.chain}`, { kind: 'rule', node: h.node, text: `-t ${r.table} -A ${r.chain} ${r.words.join(' ')}`, table: r.table, chain: r.chain, why: r.why });
    }
    if (plan.params.hosts === 2) {
      for (const r of multihostRules(plan, h)) add(`multihost-${r.chain}`, { kind: 'rule', node: h.node, text: `-t ${r.table} -I ${r.chain} 1 ${r.words.join(' ')}`, table: r.table, chain: r.chain, why: r.why });
      const peer = plan.hosts.find((x) => x !== h)!;
      if (plan.params.underlay === 'vxlan') {
        add('vxlan', { kind: 'link', node: h.node, text: `${VXLAN} vxlan id 42 dstport 4789 local ${h.lanIp} dev eth0 mtu ${VXLAN_MTU}`, why: VXLAN_WHY.link });
        add('vxlan-address', { kind: 'address', node: h.node, text: `${VXLAN} ${h.vxlanIp!}/${VXLAN_SUBNET.split('/')[1]}`, why: VXLAN_WHY.address });
        add('vxlan-route', { kind: 'route', node: h.node, text: `${peer.networks[0]!.subnet} via ${peer.vxlanIp!} dev ${VXLAN}`, why: VXLAN_WHY.route });
        add('fdb', { kind: 'fdb', node: h.node, text: fdbArgs(plan, h).slice(2).join(' '), why: VXLAN_WHY.fdb });
      } else {
        add('direct-route', { kind: 'route', node: h.node, text: `${peer.networks[0]!.subnet} via ${peer.lanIp} dev eth0`, why: VXLAN_WHY.routing });
      }
    }
  }
  if (mode === 'macvlan') {
    for (const c of plan.containers) {
      add('macvlan', { kind: 'link', node: c.node, text: `eth0 macvlan mode bridge link eth0@${plan.host} ${c.mac!}`, why: 'A macvlan child of the host’s eth0, made straight into the container as eth0: bridge mode lets children talk to each other, but never to their parent — the host cannot reach its own macvlan containers.' });
      add('ipam', { kind: 'address', node: c.node, text: `eth0 ${c.ip!}/${plan.prefix}`, why: 'Docker’s IPAM hands out .2, .3, … of the macvlan network’s subnet in start order.' });
      add('macvlan-route', { kind: 'route', node: c.node, text: `default via ${plan.outside!.ip} dev eth0`, why: 'The macvlan network’s gateway is the LAN’s router, not the host.' });
    }
  }
  for (const c of plan.params.httpd) add('httpd', { kind: 'process', node: plan.containers.find((x) => x.name === c)!.node, text: 'busybox httpd -f -p 80', why: 'The container’s program: what `docker run busybox httpd -f -p 80` would run.' });
  for (const p of plan.params.publish) {
    const c = plan.containers.find((x) => x.name === p.container)!;
    add('docker-proxy', { kind: 'process', node: plan.host, text: `docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port ${p.hostPort} -container-ip ${c.ip!} -container-port ${p.containerPort}`, why: 'docker-proxy accepts what no DNAT rule catches — connections to 127.0.0.1 (OUTPUT skips 127.0.0.0/8) and from containers (nat DOCKER RETURNs them) — and copies the bytes to the container.' });
  }
  if (mode !== 'host') for (const c of plan.containers) for (const [k, v, why] of CONTAINER_SYSCTLS) add(`sysctl-${k}`, { kind: 'sysctl', node: c.node, text: `${k}=${v}`, why });
  return o;
}
