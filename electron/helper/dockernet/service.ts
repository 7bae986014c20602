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
import { rulesWithComment } from '../firewall/iptables.js';
import { ipBatch } from '../net/ip.js';
import { applyTopology, destroyTopology } from '../topology/engine.js';
import { ownerOf } from '../topology/plan.js';
import { explainObjects } from './explain.js';
import { CONTAINER_SYSCTLS, HOST_SYSCTLS, parseSubnet, planDockernet, ruleCommentOf, scenarioOf, subnetsOverlap, topologyNameOf, topologyOf, type DockernetPlan, type UpParams } from './plan.js';
import { dockerRules, type DockerRuleset } from './rules.js';
import { normalizeSave } from './save-format.js';

const PREFIX = 'dockernet ';

/** The params a dockernet was built with, kept in its topology's description. */
function storedParams(ctx: HelperContext, name: string): UpParams | null {
  const yaml = ctx.topologies.load(topologyNameOf(name));
  if (yaml === null) return null;
  const spec = JSON.parse(yaml) as { description?: string };
  return spec.description?.startsWith(PREFIX) ? (JSON.parse(spec.description.slice(PREFIX.length)) as UpParams) : null;
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
    throw new NslabError('unsupported-kernel', 'this kernel has no ipvlan driver (no /sys/module/ipvlan, and `ip link add … type ipvlan` fails): use --network macvlan, which gives the same "container on the parent\'s LAN" answer', { field: 'network' });
  }
  if (params.network === 'macvlan' || params.network === 'ipvlan') {
    throw new NslabError('invalid-params', `network ${params.network} is not built yet by this version of dockernet; bridge, host and none are`, { field: 'network' });
  }
  const previous = storedParams(ctx, params.name);
  if (previous && JSON.stringify(previous) !== JSON.stringify(params)) {
    throw new NslabError('exists', `dockernet ${params.name} is already up with other settings; run \`nslab dockernet down --name ${params.name}\` first`, { field: 'name' });
  }
  const mine = parseSubnet(params.subnet);
  for (const other of otherDockernets(ctx, params.name)) {
    if (params.network === 'bridge' && other.network === 'bridge' && subnetsOverlap(mine, parseSubnet(other.subnet))) {
      throw new NslabError('invalid-params', `subnet ${params.subnet} overlaps dockernet ${other.name}'s ${other.subnet}`, { field: 'subnet' });
    }
  }
}

const sysctl = (netns: string, pairs: [string, string, string][]) =>
  run(['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', ...pairs.map(([k, v]) => `${k}=${v}`)], { change: true });

/** The iptables-restore input: Docker's chains and policies, then its rules, each with our comment. */
function restoreInput(set: DockerRuleset, comment: string): string {
  const tables = [...new Set(set.chains.map((c) => c.table))];
  return (
    tables
      .map((table) => [
        `*${table}`,
        ...set.chains.filter((c) => c.table === table).filter((c) => c.policy === '-' || (c.table === 'filter' && c.chain === 'FORWARD')).map((c) => `:${c.chain} ${c.policy} [0:0]`),
        ...set.rules.filter((r) => r.table === table).map((r) => ['-A', r.chain, '-m', 'comment', '--comment', comment, ...r.words].join(' ')),
        'COMMIT',
      ].join('\n'))
      .join('\n') + '\n'
  );
}

async function loadRules(ctx: HelperContext, plan: DockernetPlan): Promise<void> {
  const netns = netnsOf(plan.host);
  const comment = ruleCommentOf(plan.params.name);
  if ((await rulesWithComment(netns, comment)).length > 0) return; // a re-up: already there
  const set = dockerRules(scenarioOf(plan));
  const tx = ctx.ledger.begin([{ kind: 'rule', netns, name: comment, owner: ownerOf(topologyNameOf(plan.params.name)) }]);
  const shell = set.rules.map((r) => `ip netns exec ${netns} iptables -t ${r.table} -A ${r.chain} -m comment --comment ${comment} ${r.words.join(' ')}`);
  await run(['ip', 'netns', 'exec', netns, 'iptables-restore', '--noflush'], { input: restoreInput(set, comment), change: true, shell });
  ctx.ledger.commit(tx);
}

async function finishBridge(ctx: HelperContext, plan: DockernetPlan): Promise<void> {
  const hostNs = netnsOf(plan.host);
  // bridge-nf-call-iptables exists per namespace only while br_netfilter is loaded (Docker loads it; here
  // the machine has it loaded already).
  await sysctl(hostNs, HOST_SYSCTLS);
  for (const c of plan.containers) {
    await ipBatch(netnsOf(c.node), [['link', 'set', 'eth0', 'address', c.mac!]]);
    await sysctl(netnsOf(c.node), CONTAINER_SYSCTLS);
  }
  await loadRules(ctx, plan);
}

export async function dockernetUp(ctx: HelperContext, params: ParsedParams<'dockernet.up'>): Promise<Result<'dockernet.up'>> {
  const started = performance.now();
  refuseBadCombination(ctx, params);
  const plan = planDockernet(params);
  const applied = await applyTopology(ctx, JSON.stringify(topologyOf(plan)), topologyNameOf(params.name));
  try {
    if (params.network === 'bridge') await finishBridge(ctx, plan);
    else if (params.network === 'none') for (const c of plan.containers) await sysctl(netnsOf(c.node), CONTAINER_SYSCTLS);
  } catch (err) {
    await destroyTopology(ctx, topologyNameOf(params.name)).catch(() => undefined);
    throw err;
  }
  return { name: params.name, created: applied.created, ms: Math.round(performance.now() - started) };
}

export async function dockernetShow(ctx: HelperContext, name: string): Promise<Result<'dockernet.show'>> {
  const params = storedParams(ctx, name);
  if (params === null) throw new NslabError('not-found', `no dockernet named ${name} is up`, { field: 'name' });
  const plan = planDockernet(params);
  const { stdout } = await run(['ip', 'netns', 'exec', netnsOf(plan.host), 'iptables-save']);
  const objects: DockernetObject[] = explainObjects(plan);
  return { name, engine: params.engine, network: params.network, objects, rules: normalizeSave(stdout) };
}

export async function dockernetDown(ctx: HelperContext, name: string): Promise<Result<'dockernet.down'>> {
  if (storedParams(ctx, name) === null) throw new NslabError('not-found', `no dockernet named ${name} is up`, { field: 'name' });
  const { removed } = await destroyTopology(ctx, topologyNameOf(name));
  return { name, removed };
}
