// `dockernet up|show|down`: applies the planned topology through the topology engine (ledger, rollback,
// collisions), then sets Docker's MACs and sysctls and loads Docker's rules into the host node with one
// `iptables-restore --noflush`, each rule tagged with nslab's comment and recorded as a ledger `rule`.
import { existsSync } from 'node:fs';
import type { ParsedParams, Result } from '../../shared/contract/index.js';
import type { DockernetObject } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { run } from '../exec/run.js';
import { mappedGroupRange } from '../procfs.js';
import { rulesWithComment } from '../firewall/iptables.js';
import { ipBatch } from '../net/ip.js';
import { settled } from '../concurrency.js';
import { applyTopology, destroyTopology } from '../topology/engine.js';
import type { NetnsSysctls } from '../exec/netns-sysctl.js';
import { ownerOf } from '../topology/plan.js';
import { explainObjects } from './explain.js';
import { DOCKERNET_LAN } from '../../shared/contract/index.js';
import { fdbArgs, multihostRules, vxlanLines } from './multihost.js';
import { CONTAINER_SYSCTLS, HOST_SYSCTLS, VXLAN, parseSubnet, planDockernet, ruleCommentOf, scenarioOf, subnetsOverlap, topologyNameOf, topologyOf, type DockernetPlan, type UpParams } from './plan.js';
import { httpdProcess, proxyProcess, startProcess, type ManagedProcess } from './processes.js';
import { dockerRules, type DockerRule, type DockerRuleset } from './rules.js';
import { normalizeSave } from './save-format.js';

const PREFIX = 'dockernet ';
/** Not a table, chain, rule or COMMIT: iptables-restore answers `line N failed` once the lines before it are done. */
const END_OF_INPUT = 'nslab-end-of-input';

/** The params a dockernet was built with, kept in its topology's description. */
function storedParams(ctx: HelperContext, name: string): UpParams | null {
  const yaml = ctx.topologies.load(topologyNameOf(name));
  if (yaml === null) return null;
  const spec = JSON.parse(yaml) as { description?: string };
  if (!spec.description?.startsWith(PREFIX)) return null;
  const params = JSON.parse(spec.description.slice(PREFIX.length)) as UpParams;
  // A record whose host namespace is gone (a kill -9, then gc) describes nothing: it neither blocks a new
  // dockernet's subnet nor makes a fresh `up` of the same name look done.
  return existsSync(`/run/netns/${netnsOf(planDockernet(params).host)}`) ? params : null;
}

function otherDockernets(ctx: HelperContext, name: string): UpParams[] {
  return ctx.topologies
    .list()
    .filter((t) => t.name.startsWith('dockernet-') && t.name !== topologyNameOf(name))
    .map((t) => storedParams(ctx, t.name.slice('dockernet-'.length)))
    .filter((p): p is UpParams => p !== null);
}

function refuseBadCombination(ctx: HelperContext, params: UpParams): void {
  if (params.network === 'ipvlan' && !existsSync('/sys/module/ipvlan')) {
    throw new NslabError('unsupported-kernel', 'this kernel has no ipvlan driver (no /sys/module/ipvlan, and `ip link add … type ipvlan` fails; `nslab doctor` lists it under link kinds): use --network macvlan, which gives the same "container on the parent\'s LAN" answer', { field: 'network', kind: 'ipvlan' });
  }
  const previous = storedParams(ctx, params.name);
  if (previous && JSON.stringify(previous) !== JSON.stringify(params)) {
    throw new NslabError('exists', `dockernet ${params.name} is already up with other settings; run \`nslab dockernet down --name ${params.name}\` first`, { field: 'name' });
  }
  const lan = parseSubnet(DOCKERNET_LAN);
  const mine = parseSubnet(params.subnet);
  if (params.network === 'bridge' && params.hosts === 1 && subnetsOverlap(mine, lan)) {
    throw new NslabError('invalid-params', `subnet ${params.subnet} overlaps the outside LAN ${DOCKERNET_LAN} every dockernet host is plugged into`, { field: 'subnet' });
  }
  if (params.userNetwork) {
    const user = parseSubnet(params.userNetwork.subnet);
    if (subnetsOverlap(user, mine)) throw new NslabError('invalid-params', `user network subnet ${params.userNetwork.subnet} overlaps ${params.subnet}`, { field: 'userNetwork.subnet' });
    if (subnetsOverlap(user, lan)) throw new NslabError('invalid-params', `user network subnet ${params.userNetwork.subnet} overlaps the outside LAN ${DOCKERNET_LAN}`, { field: 'userNetwork.subnet' });
  }
  for (const other of otherDockernets(ctx, params.name)) {
    if (params.network === 'bridge' && other.network === 'bridge' && params.hosts === 1 && other.hosts === 1 && subnetsOverlap(mine, parseSubnet(other.subnet))) {
      throw new NslabError('invalid-params', `subnet ${params.subnet} overlaps dockernet ${other.name}'s ${other.subnet}`, { field: 'subnet' });
    }
  }
}

const sysctl = (netns: string, pairs: [string, string][]): NetnsSysctls => ({ netns, pairs: pairs.map(([k, v]) => [k, groupRangeFor(k, v)]) });

/** Every sysctl dockerd sets for this dockernet (written with the topology's own, by one process). */
function dockerSysctls(plan: DockernetPlan): NetnsSysctls[] {
  const mode = plan.params.network;
  if (mode !== 'bridge' && mode !== 'macvlan' && mode !== 'none') return [];
  return [
    ...(mode === 'bridge' ? plan.hosts.map((h) => sysctl(netnsOf(h.node), HOST_SYSCTLS)) : []),
    ...plan.containers.map((c) => sysctl(netnsOf(c.node), CONTAINER_SYSCTLS)),
  ];
}

/** Docker's MAC on each bridged container's eth0, first in the container's own batch. */
const macLines = (plan: DockernetPlan): Map<string, string[][]> =>
  new Map(plan.params.network === 'bridge' ? plan.containers.map((c) => [netnsOf(c.node), [['link', 'set', 'eth0', 'address', c.mac!]]] as const) : []);

/** Docker's ping_group_range (0–2³¹) narrowed to the groups this helper's user namespace maps (the sandbox maps only 0). */
function groupRangeFor(key: string, value: string): string {
  if (key !== 'net.ipv4.ping_group_range') return value;
  const mapped = mappedGroupRange();
  const [lo, hi] = value.split(/\s+/).map(Number) as [number, number];
  return mapped ? `${Math.max(lo, mapped[0])} ${Math.min(hi, mapped[1])}` : value;
}

/** The iptables-restore input: Docker's chains and policies, then its rules, each with our comment; `extra` go first in their chains. */
function restoreInput(set: DockerRuleset, extra: DockerRule[], comment: string): string {
  const tables = [...new Set(set.chains.map((c) => c.table))];
  return (
    tables
      .map((table) => [
        `*${table}`,
        ...set.chains.filter((c) => c.table === table).filter((c) => c.policy === '-' || (c.table === 'filter' && c.chain === 'FORWARD')).map((c) => `:${c.chain} ${c.policy} [0:0]`),
        ...set.rules.filter((r) => r.table === table).map((r) => ['-A', r.chain, '-m', 'comment', '--comment', comment, ...r.words].join(' ')),
        ...extra.filter((r) => r.table === table).map((r) => ['-I', r.chain, '1', '-m', 'comment', '--comment', comment, ...r.words].join(' ')),
        'COMMIT',
      ].join('\n'))
      .join('\n') + '\n'
  );
}

async function loadRules(ctx: HelperContext, plan: DockernetPlan, index: number): Promise<void> {
  const host = plan.hosts[index]!;
  const netns = netnsOf(host.node);
  const comment = ruleCommentOf(plan.params.name);
  // Rules are only ever loaded after the ledger knows them: a ledger without them means a fresh namespace
  // (no iptables-save needed); with them, a re-up or a crashed up, and the kernel says which.
  const known = ctx.ledger.has({ kind: 'rule', netns, name: comment });
  if (known && (await rulesWithComment(netns, comment)).length > 0) return; // a re-up: already there
  const set = dockerRules(scenarioOf(plan, index));
  const extra = plan.params.hosts === 2 ? multihostRules(plan, host) : [];
  const tx = ctx.ledger.begin([{ kind: 'rule', netns, name: comment, owner: ownerOf(topologyNameOf(plan.params.name)) }]);
  const shell = [
    ...set.rules.map((r) => `ip netns exec ${netns} iptables -t ${r.table} -A ${r.chain} -m comment --comment ${comment} ${r.words.join(' ')}`),
    ...extra.map((r) => `ip netns exec ${netns} iptables -t ${r.table} -I ${r.chain} 1 -m comment --comment ${comment} ${r.words.join(' ')}`),
  ];
  // A last line iptables-restore fails on says every COMMIT before it is in (see RunOptions.endMark).
  const input = restoreInput(set, extra, comment);
  const endLine = input.split('\n').length;
  await run(['ip', 'netns', 'exec', netns, 'iptables-restore', '--noflush'], { input: `${input}${END_OF_INPUT}\n`, endMark: `: line ${endLine} failed`, change: true, shell });
  ctx.ledger.commit(tx);
}

/** Links the topology engine does not make (it knows veths and bridges): recorded first, then made. */
async function madeLinks(ctx: HelperContext, plan: DockernetPlan, links: { netns: string; name: string }[], make: () => Promise<void>): Promise<void> {
  const owner = ownerOf(topologyNameOf(plan.params.name));
  const fresh = links.filter((l) => !ctx.ledger.has({ kind: 'link', netns: l.netns, name: l.name }));
  if (fresh.length === 0) return;
  const tx = ctx.ledger.begin(fresh.map((l) => ({ kind: 'link' as const, netns: l.netns, name: l.name, owner })));
  await make();
  ctx.ledger.commit(tx);
}

/** macvlan (bridge mode): one child of the host's eth0 per container, made straight into its namespace as eth0. */
async function finishMacvlan(ctx: HelperContext, plan: DockernetPlan): Promise<void> {
  const hostNs = netnsOf(plan.host);
  const links = plan.containers.map((c) => ({ netns: netnsOf(c.node), name: 'eth0' }));
  await madeLinks(ctx, plan, links, () =>
    ipBatch(hostNs, plan.containers.map((c) => ['link', 'add', 'link', 'eth0', 'name', 'eth0', 'netns', netnsOf(c.node), 'address', c.mac!, 'type', 'macvlan', 'mode', 'bridge'])),
  );
  for (const c of plan.containers) {
    await ipBatch(netnsOf(c.node), [['addr', 'replace', `${c.ip!}/${plan.prefix}`, 'dev', 'eth0'], ['link', 'set', 'eth0', 'up'], ['route', 'replace', 'default', 'via', plan.outside!.ip]]);
  }
}

async function finishVxlan(ctx: HelperContext, plan: DockernetPlan): Promise<void> {
  for (const h of plan.hosts) {
    const ns = netnsOf(h.node);
    await madeLinks(ctx, plan, [{ netns: ns, name: VXLAN }], async () => {
      await ipBatch(ns, vxlanLines(plan, h));
      await run(['ip', 'netns', 'exec', ns, 'bridge', ...fdbArgs(plan, h)], { change: true });
    });
  }
}

const httpdProcesses = (ctx: HelperContext, plan: DockernetPlan, owner: string): ManagedProcess[] =>
  plan.params.httpd.map((c) => httpdProcess(ctx, plan.params.name, c, netnsOf(plan.containers.find((x) => x.name === c)!.node), owner));
const proxyProcesses = (ctx: HelperContext, plan: DockernetPlan, owner: string): ManagedProcess[] =>
  plan.params.publish.map((p) => proxyProcess(ctx.stateDir, plan.params.name, netnsOf(plan.host), owner, p.hostPort, plan.containers.find((x) => x.name === p.container)!.ip!, p.containerPort));

const startAll = (ctx: HelperContext, processes: ManagedProcess[]): Promise<void> => settled(processes.map((p) => startProcess(ctx, p)));

export async function dockernetUp(ctx: HelperContext, params: ParsedParams<'dockernet.up'>): Promise<Result<'dockernet.up'>> {
  const started = performance.now();
  refuseBadCombination(ctx, params);
  const plan = planDockernet(params);
  const owner = ownerOf(topologyNameOf(params.name));
  let created: string[];
  try {
    // One pass: the root batch makes every namespace and veth; then, all at once, each node's batch (with
    // Docker's MACs), every sysctl (one process), Docker's rules (one iptables-restore per host) and the
    // programs (docker-proxy, httpd) — none needs more than its namespace, as dockerd sets containers up
    // concurrently. A published port works when `up` returns: startProcess waits until it listens.
    const withNamespaces = (): Promise<void> =>
      settled([
        ...(params.network === 'bridge' ? plan.hosts.map((_, i) => loadRules(ctx, plan, i)) : []),
        startAll(ctx, [...proxyProcesses(ctx, plan, owner), ...httpdProcesses(ctx, plan, owner)]),
      ]);
    const spec = topologyOf(plan);
    created = (await applyTopology(ctx, JSON.stringify(spec), topologyNameOf(params.name), { spec, sysctls: dockerSysctls(plan), nodeLines: macLines(plan), withNamespaces })).created;
    if (params.network === 'macvlan') await finishMacvlan(ctx, plan);
    if (params.hosts === 2 && params.underlay === 'vxlan') await finishVxlan(ctx, plan);
  } catch (err) {
    if (ctx.ledger.objects((o) => o.owner === owner).length) await destroyTopology(ctx, topologyNameOf(params.name)).catch(() => undefined);
    throw err;
  }
  return { name: params.name, created, ms: Math.round(performance.now() - started) };
}

export async function dockernetShow(ctx: HelperContext, name: string): Promise<Result<'dockernet.show'>> {
  const params = storedParams(ctx, name);
  if (params === null) throw new NslabError('not-found', `no dockernet named ${name} is up`, { field: 'name' });
  const plan = planDockernet(params);
  const saves = await Promise.all(plan.hosts.map(async (h) => [h.node, normalizeSave((await run(['ip', 'netns', 'exec', netnsOf(h.node), 'iptables-save'])).stdout)] as const));
  const objects: DockernetObject[] = explainObjects(plan);
  const result: Result<'dockernet.show'> = { name, engine: params.engine, network: params.network, objects, rules: saves[0]![1] };
  if (params.hosts === 2) result.hostRules = Object.fromEntries(saves);
  if (params.hosts === 2 && params.underlay === 'vxlan') {
    const fdb = await Promise.all(plan.hosts.map(async (h) => [h.node, (await run(['ip', 'netns', 'exec', netnsOf(h.node), 'bridge', 'fdb', 'show', 'dev', VXLAN])).stdout.split('\n').filter(Boolean)] as const));
    result.fdb = Object.fromEntries(fdb);
  }
  return result;
}

export async function dockernetDown(ctx: HelperContext, name: string): Promise<Result<'dockernet.down'>> {
  if (storedParams(ctx, name) === null) throw new NslabError('not-found', `no dockernet named ${name} is up`, { field: 'name' });
  const { removed } = await destroyTopology(ctx, topologyNameOf(name));
  return { name, removed };
}
