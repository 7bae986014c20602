// The iptables rules dockerd writes for bridge networks and published ports, generated from a scenario
// (networks in creation order, containers in start order) for two engines: dockerd 20.10 (Debian 12's
// docker.io, checked against a capture of the real daemon) and moby 28 (DOCKER-FORWARD / DOCKER-CT /
// DOCKER-BRIDGE and the raw-table direct-access drop, checked against moby's own documented rulesets).
// Each rule carries one sentence of why Docker made it. Pure: no kernel access.

export const ENGINES = ['20.10', '28'] as const;
export type Engine = (typeof ENGINES)[number];
export type Table = 'filter' | 'nat' | 'raw';

export interface PublishedPort {
  proto: 'tcp' | 'udp';
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

export interface BridgeNetwork {
  /** The Linux bridge (`docker0`, `br-<id>`). */
  bridge: string;
  /** The network's subnet, e.g. 172.17.0.0/16. */
  subnet: string;
  /** Published ports in container start order. */
  ports: PublishedPort[];
}

export interface DockerScenario {
  engine: Engine;
  /** In creation order: docker0 first. */
  networks: BridgeNetwork[];
}

export interface DockerRule {
  table: Table;
  chain: string;
  /** The rule after `-A <chain>`, as iptables-save prints it. */
  words: string[];
  why: string;
}

export interface DockerChain {
  table: Table;
  chain: string;
  /** Built-in chains have a policy; Docker's own chains print `-`. */
  policy: 'ACCEPT' | 'DROP' | '-';
  why: string;
}

export interface DockerRuleset {
  chains: DockerChain[];
  rules: DockerRule[];
}

const BUILTIN: Record<Table, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
};

const CHAIN_WHY: Record<string, string> = {
  DOCKER: 'Docker keeps the per-port rules of published ports here (filter: ACCEPT to the container; nat: the DNAT).',
  'DOCKER-USER': 'Docker leaves this chain for the administrator: rules here run before any of Docker’s own forwarding rules.',
  'DOCKER-ISOLATION-STAGE-1': 'The first stage of network isolation: traffic leaving one Docker bridge for another is sent to stage 2.',
  'DOCKER-ISOLATION-STAGE-2': 'DOCKER-ISOLATION-STAGE-2 drops traffic between two Docker bridges, so networks cannot reach each other.',
  'DOCKER-FORWARD': 'moby 28 moved every Docker forwarding rule out of FORWARD into this one chain, reached by a single jump.',
  'DOCKER-CT': 'moby 28 accepts replies of connections a container opened (conntrack RELATED,ESTABLISHED) here, per bridge.',
  'DOCKER-BRIDGE': 'moby 28 sends traffic heading into each bridge to the DOCKER chain from here.',
};

const builtinWhy = (table: Table, chain: string, policy: string): string =>
  table === 'filter' && chain === 'FORWARD' && policy === 'DROP'
    ? 'Docker turned on ip_forward and, because it did, set the FORWARD policy to DROP so that only what its rules accept is routed.'
    : `The kernel’s built-in ${table} ${chain} hook (policy ${policy}).`;

function chainsOf(engine: Engine, hasRaw: boolean): DockerChain[] {
  const custom: Record<Table, string[]> = {
    filter:
      engine === '20.10'
        ? ['DOCKER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2', 'DOCKER-USER']
        : ['DOCKER', 'DOCKER-BRIDGE', 'DOCKER-CT', 'DOCKER-FORWARD', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2', 'DOCKER-USER'],
    nat: ['DOCKER'],
    raw: [],
  };
  const tables: Table[] = hasRaw ? ['filter', 'nat', 'raw'] : ['filter', 'nat'];
  return tables.flatMap((table) => [
    ...BUILTIN[table].map((chain) => {
      const policy = table === 'filter' && chain === 'FORWARD' ? ('DROP' as const) : ('ACCEPT' as const);
      return { table, chain, policy, why: builtinWhy(table, chain, policy) };
    }),
    ...custom[table].map((chain) => ({ table, chain, policy: '-' as const, why: CHAIN_WHY[chain]! })),
  ]);
}

const host = (ip: string): string => `${ip}/32`;
const dport = (p: PublishedPort): string[] => ['-p', p.proto, '-m', p.proto, '--dport', String(p.containerPort)];

/** A chain's rules, built from per-network parts in the order dockerd leaves them. */
class RuleList {
  readonly rules: DockerRule[] = [];
  add(table: Table, chain: string, words: string[], why: string): void {
    this.rules.push({ table, chain, words, why });
  }
  /** Rules of networks dockerd inserts at the head of a chain: the newest network comes first. */
  addNewestFirst(nets: BridgeNetwork[], table: Table, chain: string, words: (n: BridgeNetwork) => string[], why: (n: BridgeNetwork) => string): void {
    for (const n of [...nets].reverse()) this.add(table, chain, words(n), why(n));
  }
  addInOrder(nets: BridgeNetwork[], table: Table, chain: string, words: (n: BridgeNetwork) => string[], why: (n: BridgeNetwork) => string): void {
    for (const n of nets) this.add(table, chain, words(n), why(n));
  }
}

const ports = (nets: BridgeNetwork[]): { net: BridgeNetwork; port: PublishedPort }[] => nets.flatMap((net) => net.ports.map((port) => ({ net, port })));

function natRules(list: RuleList, engine: Engine, nets: BridgeNetwork[]): void {
  list.add('nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER'], 'Packets arriving for any of the host’s own addresses go to nat DOCKER, where published ports are DNATed.');
  list.add('nat', 'OUTPUT', ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER'], 'The host’s own connections to its addresses (but not 127.0.0.0/8, which docker-proxy serves) are DNATed too.');
  list.addNewestFirst(nets, 'nat', 'POSTROUTING', (n) => ['-s', n.subnet, '!', '-o', n.bridge, '-j', 'MASQUERADE'], (n) => `Containers of ${n.subnet} leaving through any interface but ${n.bridge} get the host’s address (MASQUERADE), so replies find their way back.`);
  if (engine === '20.10') {
    for (const { port: p } of ports(nets)) {
      list.add('nat', 'POSTROUTING', ['-s', host(p.containerIp), '-d', host(p.containerIp), ...dport(p), '-j', 'MASQUERADE'], `Hairpin: a container reaching its own published port ${p.hostPort} is masqueraded so the reply goes back through the host.`);
    }
  }
  list.addNewestFirst(nets, 'nat', 'DOCKER', (n) => ['-i', n.bridge, '-j', 'RETURN'], (n) => `Traffic from containers on ${n.bridge} is never DNATed by a published port of the host.`);
  for (const { net, port: p } of ports(nets)) {
    list.add('nat', 'DOCKER', ['!', '-i', net.bridge, '-p', p.proto, '-m', p.proto, '--dport', String(p.hostPort), '-j', 'DNAT', '--to-destination', `${p.containerIp}:${p.containerPort}`], `-p ${p.hostPort}:${p.containerPort}: connections to the host’s port ${p.hostPort} are rewritten to the container ${p.containerIp}:${p.containerPort}.`);
  }
}

const acceptPort = (net: BridgeNetwork, p: PublishedPort): string[] => ['-d', host(p.containerIp), '!', '-i', net.bridge, '-o', net.bridge, ...dport(p), '-j', 'ACCEPT'];
const acceptWhy = (p: PublishedPort): string => `The DNATed packets of published port ${p.hostPort} may be forwarded into the container ${p.containerIp}:${p.containerPort}.`;
const ctWords = (n: BridgeNetwork): string[] => ['-o', n.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'];
const ctWhy = (n: BridgeNetwork): string => `Replies to connections containers on ${n.bridge} opened are let back in.`;
const isolation1 = (n: BridgeNetwork): string[] => ['-i', n.bridge, '!', '-o', n.bridge, '-j', 'DOCKER-ISOLATION-STAGE-2'];
const isolation1Why = (n: BridgeNetwork): string => `Traffic leaving ${n.bridge} for another interface is checked by stage 2.`;
const isolation2 = (n: BridgeNetwork): string[] => ['-o', n.bridge, '-j', 'DROP'];
const isolation2Why = (n: BridgeNetwork): string => `DOCKER-ISOLATION-STAGE-2 drops traffic from another Docker bridge into ${n.bridge}.`;

function filter2010(list: RuleList, nets: BridgeNetwork[]): void {
  list.add('filter', 'FORWARD', ['-j', 'DOCKER-USER'], 'The administrator’s DOCKER-USER rules come first.');
  list.add('filter', 'FORWARD', ['-j', 'DOCKER-ISOLATION-STAGE-1'], 'Then network isolation: one Docker bridge may not reach another.');
  // Each new network's four rules are inserted right below the two jumps: the newest network comes first.
  for (const n of [...nets].reverse()) {
    list.add('filter', 'FORWARD', ctWords(n), ctWhy(n));
    list.add('filter', 'FORWARD', ['-o', n.bridge, '-j', 'DOCKER'], `New traffic into ${n.bridge} must be accepted by a published port in filter DOCKER.`);
    list.add('filter', 'FORWARD', ['-i', n.bridge, '!', '-o', n.bridge, '-j', 'ACCEPT'], `Containers on ${n.bridge} may go out to anywhere else.`);
    list.add('filter', 'FORWARD', ['-i', n.bridge, '-o', n.bridge, '-j', 'ACCEPT'], `Containers on ${n.bridge} may talk to each other (inter-container communication).`);
  }
  for (const { net, port } of ports(nets)) list.add('filter', 'DOCKER', acceptPort(net, port), acceptWhy(port));
  list.addNewestFirst(nets, 'filter', 'DOCKER-ISOLATION-STAGE-1', isolation1, isolation1Why);
  list.add('filter', 'DOCKER-ISOLATION-STAGE-1', ['-j', 'RETURN'], 'Not leaving a Docker bridge: back to FORWARD.');
  list.addNewestFirst(nets, 'filter', 'DOCKER-ISOLATION-STAGE-2', isolation2, isolation2Why);
  list.add('filter', 'DOCKER-ISOLATION-STAGE-2', ['-j', 'RETURN'], 'Not entering another Docker bridge: back to FORWARD.');
  list.add('filter', 'DOCKER-USER', ['-j', 'RETURN'], 'Empty until the administrator adds rules: back to FORWARD.');
}

function filter28(list: RuleList, nets: BridgeNetwork[]): void {
  list.add('filter', 'FORWARD', ['-j', 'DOCKER-USER'], 'The administrator’s DOCKER-USER rules come first.');
  list.add('filter', 'FORWARD', ['-j', 'DOCKER-FORWARD'], 'Then every Docker forwarding rule, in one chain.');
  // Per-port ACCEPTs are inserted at the head of DOCKER, ahead of each network's DROP (appended).
  for (const { net, port } of ports(nets).reverse()) list.add('filter', 'DOCKER', acceptPort(net, port), acceptWhy(port));
  list.addInOrder(nets, 'filter', 'DOCKER', (n) => ['!', '-i', n.bridge, '-o', n.bridge, '-j', 'DROP'], (n) => `Anything else entering ${n.bridge} from outside it is dropped: only published ports get in.`);
  list.addInOrder(nets, 'filter', 'DOCKER-BRIDGE', (n) => ['-o', n.bridge, '-j', 'DOCKER'], (n) => `Traffic into ${n.bridge} is judged by filter DOCKER.`);
  list.addInOrder(nets, 'filter', 'DOCKER-CT', ctWords, ctWhy);
  list.add('filter', 'DOCKER-FORWARD', ['-j', 'DOCKER-CT'], 'Replies first (conntrack).');
  list.add('filter', 'DOCKER-FORWARD', ['-j', 'DOCKER-ISOLATION-STAGE-1'], 'Then isolation between Docker bridges.');
  list.add('filter', 'DOCKER-FORWARD', ['-j', 'DOCKER-BRIDGE'], 'Then the rules for traffic entering each bridge.');
  list.addInOrder(nets, 'filter', 'DOCKER-FORWARD', (n) => ['-i', n.bridge, '-j', 'ACCEPT'], (n) => `Containers on ${n.bridge} may send anywhere (to each other and out).`);
  list.addInOrder(nets, 'filter', 'DOCKER-ISOLATION-STAGE-1', isolation1, isolation1Why);
  list.addNewestFirst(nets, 'filter', 'DOCKER-ISOLATION-STAGE-2', isolation2, isolation2Why);
}

function raw28(list: RuleList, nets: BridgeNetwork[]): void {
  const seen = new Set<string>();
  for (const { net, port } of ports(nets)) {
    if (seen.has(port.containerIp)) continue;
    seen.add(port.containerIp);
    list.add('raw', 'PREROUTING', ['-d', host(port.containerIp), '!', '-i', net.bridge, '-j', 'DROP'], `moby 28 drops packets sent straight to the container address ${port.containerIp} from outside ${net.bridge}: only the published port may reach it.`);
  }
}

/** The chains and rules dockerd would leave in its namespace, in iptables-save order per chain. */
export function dockerRules(scenario: DockerScenario): DockerRuleset {
  const list = new RuleList();
  const nets = scenario.networks;
  if (scenario.engine === '20.10') filter2010(list, nets);
  else filter28(list, nets);
  natRules(list, scenario.engine, nets);
  if (scenario.engine === '28') raw28(list, nets);
  const hasRaw = list.rules.some((r) => r.table === 'raw');
  return { chains: chainsOf(scenario.engine, hasRaw), rules: list.rules };
}
