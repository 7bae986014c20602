// One sentence of why Docker made each object of a dockernet: nodes, links, addresses, routes, sysctls,
// chains and rules (the rules' sentences come from the generator).
import type { DockernetObject } from '../../shared/contract/index.js';
import { BRIDGE, CONTAINER_SYSCTLS, HOST_SYSCTLS, scenarioOf, type DockernetPlan } from './plan.js';
import { dockerRules } from './rules.js';

const MODE_WHY: Record<string, string> = {
  bridge: 'Each container gets its own network namespace, joined to docker0 by a veth pair.',
  none: '--network none: Docker gives the container a namespace of its own with only lo in it.',
  host: '--network host: Docker creates no namespace; the container uses the host’s interfaces directly.',
};

export function explainObjects(plan: DockernetPlan): DockernetObject[] {
  const mode = plan.params.network;
  const o: DockernetObject[] = [{ kind: 'node', node: plan.host, text: plan.host, why: 'The simulated Docker host: everything dockerd creates outside containers lives in this namespace.' }];
  for (const c of plan.containers) {
    if (mode === 'host') {
      o.push({ kind: 'node', node: plan.host, text: `container ${c.name}`, why: MODE_WHY.host! });
      continue;
    }
    o.push({ kind: 'node', node: c.node, text: c.node, why: MODE_WHY[mode] ?? '' });
  }
  if (mode === 'bridge') {
    o.push({ kind: 'link', node: plan.host, text: BRIDGE, why: 'dockerd creates the docker0 bridge at start-up: the switch every container on the default network plugs into.' });
    o.push({ kind: 'address', node: plan.host, text: `${BRIDGE} ${plan.gateway}/${plan.prefix}`, why: 'The bridge takes the first address of the subnet and is the containers’ gateway.' });
    for (const c of plan.containers) {
      o.push({ kind: 'link', node: plan.host, text: `${c.veth} master ${BRIDGE}`, why: `The host end of ${c.name}'s veth pair, named veth + 7 hex by Docker, enslaved to docker0.` });
      o.push({ kind: 'link', node: c.node, text: `eth0 ${c.mac}`, why: 'The container end, renamed eth0 and moved into the container; its MAC is 02:42 followed by the IPv4 address bytes.' });
      o.push({ kind: 'address', node: c.node, text: `eth0 ${c.ip}/${plan.prefix}`, why: 'Docker’s IPAM hands out .2, .3, … in start order.' });
      o.push({ kind: 'route', node: c.node, text: `default via ${plan.gateway} dev eth0`, why: 'Everything off the subnet goes to docker0’s address on the host.' });
    }
    for (const [k, v, why] of HOST_SYSCTLS) o.push({ kind: 'sysctl', node: plan.host, text: `${k}=${v}`, why });
    const set = dockerRules(scenarioOf(plan));
    for (const ch of set.chains) o.push({ kind: 'chain', node: plan.host, text: `${ch.table} ${ch.chain} ${ch.policy}`, table: ch.table, chain: ch.chain, why: ch.why });
    for (const r of set.rules) o.push({ kind: 'rule', node: plan.host, text: `-t ${r.table} -A ${r.chain} ${r.words.join(' ')}`, table: r.table, chain: r.chain, why: r.why });
  }
  if (mode !== 'host') for (const c of plan.containers) for (const [k, v, why] of CONTAINER_SYSCTLS) o.push({ kind: 'sysctl', node: c.node, text: `${k}=${v}`, why });
  return o;
}
