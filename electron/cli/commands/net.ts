// `nslab net netns|link|addr|route|sysctl|show`: one verb per `net.*` method of the contract. The table
// below is typed by the contract's method names, so a `net.*` method without a verb does not compile; each
// verb only maps words to params (the helper validates them) and a result to one human line.
import type { Command } from 'commander';
import type { MethodName, Params, Result } from '../../shared/contract/index.js';
import { netnsOf } from '../../shared/names.js';
import { printJson, withClient } from '../output.js';
import { printNode } from './topo.js';

type NetMethod = Extract<MethodName, `net.${string}`>;
type Opts = Record<string, string | boolean | undefined>;

interface Verb<M extends NetMethod> {
  /** `['link', 'add']` → `nslab net link add`. */
  path: [string, string] | [string];
  description: string;
  args?: [string, string][];
  options?: [string, string][];
  params(args: string[], opts: Opts): Params<M>;
  /** The human line (or nothing, when it printed its own lines). */
  say(result: Result<M>, params: Params<M>): string | void;
}

const NODE_OPTION: [string, string] = ['--node <node>', 'the node whose namespace (nslab-<node>) it runs in; the root namespace when omitted'];

/** A number option as the schema sees it: absent stays absent, anything else is Number()-ed (NaN is refused by name). */
const num = (v: string | boolean | undefined): number | undefined => (typeof v === 'string' ? Number(v) : undefined);
const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
/** Drops absent options, so the helper sees exactly what was typed. */
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const where = (node: string | undefined): string => (node ? ` in ${netnsOf(node)}` : ' in the root namespace');

/** `addr add|del`: the same words for both. */
const addrVerb = <M extends 'net.addr.add' | 'net.addr.delete'>(word: string, description: string, say: Verb<M>['say']): Verb<M> => ({
  path: ['addr', word],
  description,
  args: [['<address>', 'e.g. 10.0.0.1/24 or fd00::1/64']],
  options: [['--dev <name>', 'the link'], NODE_OPTION],
  params: ([address], o) => defined({ address: address!, dev: str(o.dev)!, node: str(o.node) }) as Params<M>,
  say,
});

/** `route add|del`: the same words for both. */
const routeVerb = <M extends 'net.route.add' | 'net.route.delete'>(word: string, description: string, say: Verb<M>['say']): Verb<M> => ({
  path: ['route', word],
  description,
  args: [['<to>', "'default' or a prefix such as 10.1.0.0/16"]],
  options: [['--via <ip>', 'gateway'], ['--dev <name>', 'outgoing link'], NODE_OPTION],
  params: ([to], o) => defined({ to: to!, via: str(o.via), dev: str(o.dev), node: str(o.node) }) as Params<M>,
  say,
});

const VERBS: { [M in NetMethod]: Verb<M> } = {
  'net.netns.list': {
    path: ['netns', 'ls'],
    description: 'list network namespaces (nslab ones marked)',
    params: () => ({}),
    say: (r) => r.namespaces.map((n) => `${n.name}${n.owned ? '  (nslab, recorded)' : n.marked ? '  (nslab mark, not recorded)' : ''}`).join('\n'),
  },
  'net.netns.create': {
    path: ['netns', 'add'],
    description: 'create the namespace nslab-<node>',
    args: [['<node>', 'node name']],
    params: ([node]) => ({ node: node! }),
    say: (r) => `created ${r.netns}`,
  },
  'net.netns.delete': {
    path: ['netns', 'del'],
    description: 'delete a namespace nslab created',
    args: [['<node>', 'node name']],
    params: ([node]) => ({ node: node! }),
    say: (r) => `deleted ${r.netns}`,
  },
  'net.link.create': {
    path: ['link', 'add'],
    description: 'create a link: veth (with --peer), bridge, macvlan/ipvlan (with --parent), vxlan (with --vni)',
    args: [['<name>', 'interface name (at most 15 bytes)']],
    options: [
      ['--kind <kind>', 'veth, bridge, macvlan, vxlan, ipvlan or dummy'],
      NODE_OPTION,
      ['--peer <name>', 'veth: the other end'],
      ['--peer-node <node>', 'veth: the node the other end goes to (default: the root namespace)'],
      ['--parent <dev>', 'macvlan/ipvlan: the parent interface'],
      ['--mode <mode>', 'macvlan/ipvlan mode'],
      ['--mtu <bytes>', 'MTU'],
      ['--vni <n>', 'vxlan: the network identifier'],
      ['--remote <ip>', 'vxlan: remote endpoint'],
      ['--local <ip>', 'vxlan: local endpoint'],
      ['--dstport <port>', 'vxlan: UDP port'],
      ['--down', 'leave it down (default: up)'],
    ],
    params: ([name], o) =>
      defined({
        name: name!,
        kind: str(o.kind) as Params<'net.link.create'>['kind'],
        node: str(o.node),
        peer: typeof o.peer === 'string' ? defined({ name: o.peer, node: str(o.peerNode) }) : undefined,
        parent: str(o.parent),
        mode: str(o.mode) as Params<'net.link.create'>['mode'],
        mtu: num(o.mtu),
        vni: num(o.vni),
        remote: str(o.remote),
        local: str(o.local),
        dstport: num(o.dstport),
        up: o.down ? false : undefined,
      }),
    say: (r) => `created ${r.name} in ${r.netns ?? 'the root namespace'}`,
  },
  'net.link.delete': {
    path: ['link', 'del'],
    description: 'delete a link nslab created',
    args: [['<name>', 'interface name']],
    options: [NODE_OPTION],
    params: ([name], o) => defined({ name: name!, node: str(o.node) }),
    say: (r, p) => `deleted ${r.name}${where(p.node)}`,
  },
  'net.link.set': {
    path: ['link', 'set'],
    description: 'set a link up or down, its MTU, or its master bridge',
    args: [['<name>', 'interface name']],
    options: [NODE_OPTION, ['--up', 'bring it up'], ['--down', 'bring it down'], ['--mtu <bytes>', 'MTU'], ['--master <bridge>', 'enslave it to this bridge'], ['--nomaster', 'release it from its bridge']],
    params: ([name], o) =>
      defined({
        name: name!,
        node: str(o.node),
        up: o.up ? true : o.down ? false : undefined,
        mtu: num(o.mtu),
        master: o.nomaster ? null : str(o.master),
      }),
    say: (r, p) => `set ${r.name}${where(p.node)}`,
  },
  'net.addr.add': addrVerb('add', 'add an IPv4/IPv6 address (with prefix) to a link', (r, p) => `added ${r.address} to ${p.dev}${where(p.node)}`),
  'net.addr.delete': addrVerb('del', 'remove an address from a link', (r, p) => `removed ${r.address} from ${p.dev}${where(p.node)}`),
  'net.route.add': routeVerb('add', 'add (or replace) a route, default included', (r, p) => `added route ${r.to}${where(p.node)}`),
  'net.route.delete': routeVerb('del', 'delete a route', (r, p) => `deleted route ${r.to}${where(p.node)}`),
  'net.sysctl.set': {
    path: ['sysctl', 'set'],
    description: 'set ip_forward, ipv6_forward (0/1) or rp_filter (0-2) in a namespace',
    args: [
      ['<key>', 'ip_forward, ipv6_forward or rp_filter'],
      ['<value>', '0, 1 (or 2 for rp_filter)'],
    ],
    options: [NODE_OPTION],
    params: ([key, value], o) => defined({ key: key as Params<'net.sysctl.set'>['key'], value: Number(value), node: str(o.node) }),
    say: (r, p) => `${r.key} = ${r.value}${where(p.node)}`,
  },
  // The page's node-only twins (net.node.*): a node nslab recorded, never the root namespace.
  'net.node.route.add': {
    path: ['node', 'route-add'],
    description: 'add (or replace) a route inside an nslab node (never the root namespace)',
    args: [['<node>', 'the node'], ['<to>', "'default' or a prefix such as 10.1.0.0/16"]],
    options: [['--via <ip>', 'gateway'], ['--dev <name>', 'outgoing link']],
    params: ([node, to], o) => defined({ node: node!, to: to!, via: str(o.via), dev: str(o.dev) }),
    say: (r) => `added route ${r.to} in ${netnsOf(r.node)}`,
  },
  'net.node.route.delete': {
    path: ['node', 'route-del'],
    description: 'delete a route inside an nslab node',
    args: [['<node>', 'the node'], ['<to>', "'default' or a prefix"]],
    options: [['--via <ip>', 'gateway'], ['--dev <name>', 'outgoing link']],
    params: ([node, to], o) => defined({ node: node!, to: to!, via: str(o.via), dev: str(o.dev) }),
    say: (r) => `deleted route ${r.to} in ${netnsOf(r.node)}`,
  },
  'net.node.sysctl.set': {
    path: ['node', 'sysctl'],
    description: 'set net.ipv4.ip_forward or net.ipv4.conf.<all|default|ifname>.rp_filter|forwarding inside an nslab node',
    args: [['<node>', 'the node'], ['<name>', 'e.g. net.ipv4.conf.veth0.rp_filter'], ['<value>', '0 or 1 (rp_filter: 0 off, 1 strict, 2 loose)']],
    params: ([node, name, value]) => ({ node: node!, name: name!, value: Number(value) }),
    say: (r) => `${r.name} = ${r.value} in ${netnsOf(r.node)}`,
  },
  'net.snapshot': {
    path: ['show'],
    description: 'links, addresses, routes and forwarding of every nslab namespace (or one node)',
    options: [NODE_OPTION],
    params: (_args, o) => defined({ node: str(o.node) }),
    say: (r) => r.nodes.forEach(printNode),
  },
};

/** The verbs, for tests and help: method → `nslab net …` words. */
export const NET_VERBS: Readonly<Record<NetMethod, string>> = Object.fromEntries(
  Object.entries(VERBS).map(([m, v]) => [m, `net ${v.path.join(' ')}`]),
) as Record<NetMethod, string>;

function addVerb<M extends NetMethod>(parent: Command, method: M, verb: Verb<M>): void {
  const cmd = parent.command(verb.path[verb.path.length - 1]!).description(`${verb.description}  (${method})`);
  for (const [name, help] of verb.args ?? []) cmd.argument(name, help);
  for (const [flags, help] of verb.options ?? []) cmd.option(flags, help);
  cmd.option('--json', 'print the result as JSON');
  cmd.action((...all: unknown[]) => {
    const args = all.slice(0, verb.args?.length ?? 0) as string[];
    const opts = all[args.length] as Opts;
    return withClient(!!opts.json, async (client) => {
      const params = verb.params(args, opts);
      const result = await client.call(method, params);
      if (opts.json) return printJson(result);
      const line = verb.say(result, params);
      if (line !== undefined) process.stdout.write(`${line}\n`);
    });
  });
}

export function registerNet(program: Command): void {
  const net = program.command('net').description('namespaces, links, addresses, routes and sysctls, one helper method per verb');
  const groups = new Map<string, Command>();
  for (const [method, verb] of Object.entries(VERBS) as [NetMethod, Verb<NetMethod>][]) {
    const group = verb.path.length === 1 ? net : (groups.get(verb.path[0]) ?? groups.set(verb.path[0], net.command(verb.path[0]).description(`net.${verb.path[0]}.*`)).get(verb.path[0])!);
    addVerb(group, method, verb);
  }
}
