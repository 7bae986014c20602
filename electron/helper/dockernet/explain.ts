// One sentence of why Docker made each object of a dockernet: nodes, links, addresses, routes, sysctls,
// chains, rules, FDB entries and processes (the rules' sentences come from the generator). Each object
// also carries a stable `key`; the sentence comes in English (`why`) and Korean (`whyKo`) from
// shared/dockernet/why.ts, under its own `whyKey`.
import type { DockernetObject } from '../../shared/contract/index.js';
import { VXLAN_WHY, fdbArgs, multihostRules } from './multihost.js';
import { BRIDGE, CONTAINER_SYSCTLS, HOST_SYSCTLS, VXLAN, VXLAN_MTU, VXLAN_SUBNET, scenarioOf, type DockernetPlan } from './plan.js';
import { dockerRules } from './rules.js';
import { dockernetWhy, type DockernetWhyKey, type WhyText } from '../../shared/dockernet/why.js';

/** `net.ipv4.ip_forward` → the sentence under `sysctl.ip_forward`. */
const sysctlWhy = (key: string): WhyText => dockernetWhy(`sysctl.${key.slice(key.lastIndexOf('.') + 1)}` as DockernetWhyKey);

export function explainObjects(plan: DockernetPlan): DockernetObject[] {
  const mode = plan.params.network;
  const o: DockernetObject[] = [];
  const add = (key: string, obj: Omit<DockernetObject, 'key' | 'why' | 'whyKo' | 'whyKey'> & { why: WhyText }): void =>
    void o.push({ ...obj, key, why: obj.why.en, whyKo: obj.why.ko, whyKey: obj.why.key });
  const w = (key: DockernetWhyKey, params?: Record<string, string | number>): WhyText => dockernetWhy(key, params);
  if (plan.outside) add('outside', { kind: 'node', node: plan.outside.node, text: `${plan.outside.node} ${plan.outside.ip}`, why: w(mode === 'macvlan' ? 'outside.macvlan' : 'outside') });
  if (plan.underlay) add('underlay', { kind: 'node', node: plan.underlay.node, text: `${plan.underlay.node} bridge ${plan.underlay.bridge}`, why: w('underlay') });
  for (const h of plan.hosts) {
    add('host', { kind: 'node', node: h.node, text: h.node, why: w('host') });
    add('host-lan', { kind: 'address', node: h.node, text: `eth0 ${h.lanIp}/${h.lanPrefix}`, why: w(mode === 'macvlan' ? 'host-lan.macvlan' : 'host-lan') });
    for (const c of h.containers) {
      if (mode === 'host') add('mode-host', { kind: 'node', node: h.node, text: `container ${c.name}`, why: w('mode.host') });
      else add(`mode-${mode}`, { kind: 'node', node: c.node, text: c.node, why: w(`mode.${mode}`) });
    }
    for (const n of h.networks) {
      add(n.bridge === BRIDGE ? 'docker0' : 'user-bridge', { kind: 'link', node: h.node, text: n.bridge, why: w(n.bridge === BRIDGE ? 'docker0' : 'user-bridge') });
      add('gateway', { kind: 'address', node: h.node, text: `${n.bridge} ${n.gateway}/${n.prefix}`, why: w('gateway') });
      for (const c of n.containers) {
        add('veth', { kind: 'link', node: h.node, text: `${c.veth!} master ${n.bridge}`, why: w('veth', { container: c.name, bridge: n.bridge }) });
        add('eth0', { kind: 'link', node: c.node, text: `eth0 ${c.mac!}`, why: w('eth0') });
        add('ipam', { kind: 'address', node: c.node, text: `eth0 ${c.ip!}/${n.prefix}`, why: w('ipam') });
        add('default-route', { kind: 'route', node: c.node, text: `default via ${n.gateway} dev eth0`, why: w('default-route', { bridge: n.bridge }) });
      }
    }
    if (h.networks.length) {
      for (const [k, v] of HOST_SYSCTLS) add(`sysctl-${k}`, { kind: 'sysctl', node: h.node, text: `${k}=${v}`, why: sysctlWhy(k) });
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
      add('macvlan', { kind: 'link', node: c.node, text: `eth0 macvlan mode bridge link eth0@${plan.host} ${c.mac!}`, why: w('macvlan') });
      add('ipam', { kind: 'address', node: c.node, text: `eth0 ${c.ip!}/${plan.prefix}`, why: w('ipam.macvlan') });
      add('macvlan-route', { kind: 'route', node: c.node, text: `default via ${plan.outside!.ip} dev eth0`, why: w('macvlan-route') });
    }
  }
  for (const c of plan.params.httpd) add('httpd', { kind: 'process', node: plan.containers.find((x) => x.name === c)!.node, text: 'busybox httpd -f -p 80', why: w('httpd') });
  for (const p of plan.params.publish) {
    const c = plan.containers.find((x) => x.name === p.container)!;
    add('docker-proxy', { kind: 'process', node: plan.host, text: `docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port ${p.hostPort} -container-ip ${c.ip!} -container-port ${p.containerPort}`, why: w('docker-proxy') });
  }
  if (mode !== 'host') for (const c of plan.containers) for (const [k, v] of CONTAINER_SYSCTLS) add(`sysctl-${k}`, { kind: 'sysctl', node: c.node, text: `${k}=${v}`, why: sysctlWhy(k) });
  return o;
}
