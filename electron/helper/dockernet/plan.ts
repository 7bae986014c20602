// The helper's view of a dockernet plan: the shared, runtime-free plan (electron/shared/dockernet/plan.ts)
// plus the rule scenario dockerd would have on each host.
import type { BridgeNetwork, DockerScenario } from './rules.js';
import type { DockernetPlan } from '../../shared/dockernet/plan.js';

export * from '../../shared/dockernet/plan.js';

/** The rule scenario dockerd would have on one host (bridge mode only). */
export function scenarioOf(plan: DockernetPlan, hostIndex = 0): DockerScenario {
  const host = plan.hosts[hostIndex]!;
  const ipOf = new Map(host.networks.flatMap((n) => n.containers.map((c) => [c.name, { ip: c.ip!, net: n.bridge }] as const)));
  const networks: BridgeNetwork[] = host.networks.map((n) => ({
    bridge: n.bridge,
    subnet: n.subnet,
    ports: plan.params.publish
      .filter((p) => ipOf.get(p.container)?.net === n.bridge)
      .map((p) => ({ proto: 'tcp' as const, hostPort: p.hostPort, containerIp: ipOf.get(p.container)!.ip, containerPort: p.containerPort })),
  }));
  return { engine: plan.params.engine, networks };
}

