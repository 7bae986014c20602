// The iptables rules dockerd writes for bridge networks and published ports, generated from a scenario
// (networks in creation order, containers in start order) for two engines: dockerd 20.10 (Debian 12's
// docker.io, checked against a capture of the real daemon) and moby 28 (DOCKER-FORWARD / DOCKER-CT /
// DOCKER-BRIDGE and the raw-table direct-access drop, checked against moby's own documented rulesets).
// Each rule carries one sentence of why Docker made it, in en and ko (shared/dockernet/why.ts). Pure: no kernel access.
import { dockernetWhy, type WhyText } from '../../shared/dockernet/why.js';

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
  why: WhyText;
}

export interface DockerChain {
  table: Table;
  chain: string;
  /** Built-in chains have a policy; Docker's own chains print `-`. */
  policy: 'ACCEPT' | 'DROP' | '-';
  why: WhyText;
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

const builtinWhy = (table: Table, chain: string, policy: string): WhyText =>
  table === 'filter' && chain === 'FORWARD' && policy === 'DROP' ? dockernetWhy('chain.forward-drop') : dockernetWhy('chain.builtin', { table, chain, policy });

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
    ...custom[table].map((chain) => ({ table, chain, policy: '-' as const, why: dockernetWhy(`chain.${chain}` as 'chain.DOCKER') })),
  ]);
}

const host = (ip: string): string => `${ip}/32`;
const dport = (p: PublishedPort): string[] => ['-p', p.proto, '-m', p.proto, '--dport', String(p.containerPort)];

/** A chain's rules, built from per-network parts in the order dockerd leaves them. */
class RuleList {
  readonly rules: DockerRule[] = [];
  add(table: Table, chain: string, words: string[], why: WhyText): void {
    this.rules.push({ table, chain, words, why });
  }
  /** Rules of networks dockerd inserts at the head of a chain: the newest network comes first. */
  addNewestFirst(nets: BridgeNetwork[], table: Table, chain: string, words: (n: BridgeNetwork) => string[], why: (n: BridgeNetwork) => WhyText): void {
    for (const n of [...nets].reverse()) this.add(table, chain, words(n), why(n));
  }
  addInOrder(nets: BridgeNetwork[], table: Table, chain: string, words: (n: BridgeNetwork) => string[], why: (n: BridgeNetwork) => WhyText): void {
    for (const n of nets) this.add(table, chain, words(n), why(n));
  }
}

const ports = (nets: BridgeNetwork[]): { net: BridgeNetwork; port: PublishedPort }[] => nets.flatMap((net) => net.ports.map((port) => ({ net, port })));

function natRules(list: RuleList, engine: Engine, nets: BridgeNetwork[]): void {
  list.add('nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER'], dockernetWhy('rule.prerouting-docker'));
  list.add('nat', 'OUTPUT', ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DOCKER'], dockernetWhy('rule.output-docker'));
  list.addNewestFirst(nets, 'nat', 'POSTROUTING', (n) => ['-s', n.subnet, '!', '-o', n.bridge, '-j', 'MASQUERADE'], (n) => dockernetWhy('rule.masquerade', { subnet: n.subnet, bridge: n.bridge }));
  if (engine === '20.10') {
    for (const { port: p } of ports(nets)) {
      list.add('nat', 'POSTROUTING', ['-s', host(p.containerIp), '-d', host(p.containerIp), ...dport(p), '-j', 'MASQUERADE'], dockernetWhy('rule.hairpin', { hostPort: p.hostPort }));
    }
  }
  list.addNewestFirst(nets, 'nat', 'DOCKER', (n) => ['-i', n.bridge, '-j', 'RETURN'], (n) => dockernetWhy('rule.nat-return', { bridge: n.bridge }));
  for (const { net, port: p } of ports(nets)) {
    list.add('nat', 'DOCKER', ['!', '-i', net.bridge, '-p', p.proto, '-m', p.proto, '--dport', String(p.hostPort), '-j', 'DNAT', '--to-destination', `${p.containerIp}:${p.containerPort}`], dockernetWhy('rule.dnat', { hostPort: p.hostPort, containerIp: p.containerIp, containerPort: p.containerPort }));
  }
}

const acceptPort = (net: BridgeNetwork, p: PublishedPort): string[] => ['-d', host(p.containerIp), '!', '-i', net.bridge, '-o', net.bridge, ...dport(p), '-j', 'ACCEPT'];
const acceptWhy = (p: PublishedPort): WhyText => dockernetWhy('rule.accept-port', { hostPort: p.hostPort, containerIp: p.containerIp, containerPort: p.containerPort });
const ctWords = (n: BridgeNetwork): string[] => ['-o', n.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'];
const ctWhy = (n: BridgeNetwork): WhyText => dockernetWhy('rule.ct', { bridge: n.bridge });
const isolation1 = (n: BridgeNetwork): string[] => ['-i', n.bridge, '!', '-o', n.bridge, '-j', 'DOCKER-ISOLATION-STAGE-2'];
const isolation1Why = (n: BridgeNetwork): WhyText => dockernetWhy('rule.isolation-1', { bridge: n.bridge });
const isolation2 = (n: BridgeNetwork): string[] => ['-o', n.bridge, '-j', 'DROP'];
const isolation2Why = (n: BridgeNetwork): WhyText => dockernetWhy('rule.isolation-2', { bridge: n.bridge });

function filter2010(list: RuleList, nets: BridgeNetwork[]): void {
  list.add('filter', 'FORWARD', ['-j', 'DOCKER-USER'], dockernetWhy('rule.forward-user'));
  list.add('filter', 'FORWARD', ['-j', 'DOCKER-ISOLATION-STAGE-1'], dockernetWhy('rule.forward-isolation'));
  // Each new network's four rules are inserted right below the two jumps: the newest network comes first.
  for (const n of [...nets].reverse()) {
    list.add('filter', 'FORWARD', ctWords(n), ctWhy(n));
    list.add('filter', 'FORWARD', ['-o', n.bridge, '-j', 'DOCKER'], dockernetWhy('rule.forward-docker', { bridge: n.bridge }));
    list.add('filter', 'FORWARD', ['-i', n.bridge, '!', '-o', n.bridge, '-j', 'ACCEPT'], dockernetWhy('rule.forward-out', { bridge: n.bridge }));
    list.add('filter', 'FORWARD', ['-i', n.bridge, '-o', n.bridge, '-j', 'ACCEPT'], dockernetWhy('rule.forward-icc', { bridge: n.bridge }));
  }
  for (const { net, port } of ports(nets)) list.add('filter', 'DOCKER', acceptPort(net, port), acceptWhy(port));
  list.addNewestFirst(nets, 'filter', 'DOCKER-ISOLATION-STAGE-1', isolation1, isolation1Why);
  list.add('filter', 'DOCKER-ISOLATION-STAGE-1', ['-j', 'RETURN'], dockernetWhy('rule.isolation-1-return'));
  list.addNewestFirst(nets, 'filter', 'DOCKER-ISOLATION-STAGE-2', isolation2, isolation2Why);
  list.add('filter', 'DOCKER-ISOLATION-STAGE-2', ['-j', 'RETURN'], dockernetWhy('rule.isolation-2-return'));
  list.add('filter', 'DOCKER-USER', ['-j', 'RETURN'], dockernetWhy('rule.user-return'));
}

function filter28(list: RuleList, nets: BridgeNetwork[]): void {
  list.add('filter', 'FORWARD', ['-j', 'DOCKER-USER'], dockernetWhy('rule.forward-user'));
  list.add('filter', 'FORWARD', ['-j', 'DOCKER-FORWARD'], dockernetWhy('rule.forward-docker-forward'));
  // Per-port ACCEPTs are inserted at the head of DOCKER, ahead of each network's DROP (appended).
  for (const { net, port } of ports(nets).reverse()) list.add('filter', 'DOCKER', acceptPort(net, port), acceptWhy(port));
  list.addInOrder(nets, 'filter', 'DOCKER', (n) => ['!', '-i', n.bridge, '-o', n.bridge, '-j', 'DROP'], (n) => dockernetWhy('rule.docker-drop', { bridge: n.bridge }));
  list.addInOrder(nets, 'filter', 'DOCKER-BRIDGE', (n) => ['-o', n.bridge, '-j', 'DOCKER'], (n) => dockernetWhy('rule.bridge-docker', { bridge: n.bridge }));
  list.addInOrder(nets, 'filter', 'DOCKER-CT', ctWords, ctWhy);
  list.add('filter', 'DOCKER-FORWARD', ['-j', 'DOCKER-CT'], dockernetWhy('rule.forward-ct'));
  list.add('filter', 'DOCKER-FORWARD', ['-j', 'DOCKER-ISOLATION-STAGE-1'], dockernetWhy('rule.forward-isolation-28'));
  list.add('filter', 'DOCKER-FORWARD', ['-j', 'DOCKER-BRIDGE'], dockernetWhy('rule.forward-bridge'));
  list.addInOrder(nets, 'filter', 'DOCKER-FORWARD', (n) => ['-i', n.bridge, '-j', 'ACCEPT'], (n) => dockernetWhy('rule.forward-accept-28', { bridge: n.bridge }));
  list.addInOrder(nets, 'filter', 'DOCKER-ISOLATION-STAGE-1', isolation1, isolation1Why);
  list.addNewestFirst(nets, 'filter', 'DOCKER-ISOLATION-STAGE-2', isolation2, isolation2Why);
}

function raw28(list: RuleList, nets: BridgeNetwork[]): void {
  const seen = new Set<string>();
  for (const { net, port } of ports(nets)) {
    if (seen.has(port.containerIp)) continue;
    seen.add(port.containerIp);
    list.add('raw', 'PREROUTING', ['-d', host(port.containerIp), '!', '-i', net.bridge, '-j', 'DROP'], dockernetWhy('rule.raw-drop', { containerIp: port.containerIp, bridge: net.bridge }));
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
