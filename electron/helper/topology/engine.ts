// Applies, destroys and shows declarative topologies: every new object recorded in the ledger before it
// is made, the whole build in one root batch plus one batch per namespace, rolled back on failure.
import type { LedgerObject, Result, TopologySnapshot, TopologySpecInput } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { announceTopologyChange } from '../events.js';
import { writeNetnsSysctls, type NetnsSysctls } from '../exec/netns-sysctl.js';
import { removeObjects } from '../ledger/gc.js';
import { settled } from '../concurrency.js';
import { ipBatch, ipJson } from '../net/ip.js';
import { listNetns, mapLimit, snapshotMarked } from '../net/snapshot.js';
import { checkTopologyObject, parseTopology } from './load.js';
import { ledgerObjects, nodeLines, ownerOf, planTopology, rootLines, sysctlAssignments, type PlannedLink } from './plan.js';

const toPair = (assignment: string): [string, string] => {
  const eq = assignment.indexOf('=');
  return [assignment.slice(0, eq), assignment.slice(eq + 1)];
};

const linkNamesIn = async (netns: string): Promise<Set<string>> =>
  new Set(((await ipJson(netns, ['link', 'show'])) as { ifname: string }[]).map((l) => l.ifname));

/** Which planned links already exist; a link that exists without being this topology's is a collision. */
function partition(ctx: HelperContext, owner: string, links: PlannedLink[], present: Map<string, Set<string>>, what: string) {
  const fresh: PlannedLink[] = [];
  const kept: PlannedLink[] = [];
  for (const link of links) {
    const ends = [link, ...(link.peer ? [link.peer] : [])];
    const existing = ends.filter((e) => present.get(e.netns)?.has(e.name));
    if (existing.length === 0) {
      fresh.push(link);
      continue;
    }
    const ours = ctx.ledger.objects((o) => o.owner === owner && o.kind === 'link' && o.netns === link.netns && o.name === link.name).length > 0;
    if (!ours || existing.length !== ends.length) {
      const e = existing[0]!;
      throw new NslabError('exists', `${what} ${e.name} already exists in ${e.netns} and was not made by this topology`, { netns: e.netns, name: e.name });
    }
    kept.push(link);
  }
  return { fresh, kept };
}

/** What a builder on top of the engine (dockernet) does in the same pass, once the namespaces exist. */
export interface ApplyExtras {
  /** More sysctls, written by the same one process as the topology's own. */
  sysctls?: NetnsSysctls[];
  /** Lines run first in a node's own batch (by namespace): e.g. Docker's MAC on a container's eth0. */
  nodeLines?: Map<string, string[][]>;
  /** Work that needs only the namespaces (rules, a process started in one): run alongside the node batches. */
  withNamespaces?: () => Promise<void>;
  /** The spec the text was made from, when code built it: the YAML parser is skipped (~3 ms of it here). */
  spec?: TopologySpecInput;
}

export async function applyTopology(ctx: HelperContext, yaml: string, file?: string, extras: ApplyExtras = {}): Promise<Result<'topology.apply'>> {
  const started = performance.now();
  const spec = extras.spec ? checkTopologyObject(extras.spec, yaml, file) : parseTopology(yaml, file);
  const plan = planTopology(spec);
  const ownedNs = (ns: string): boolean => ctx.ledger.objects((o) => o.kind === 'netns' && o.name === ns && o.owner === plan.owner).length > 0;

  // Everything is checked before anything is made: a collision changes nothing.
  const existingNs = new Set(await listNetns());
  plan.namespaces.forEach((ns, i) => {
    if (existingNs.has(ns) && !ownedNs(ns)) {
      throw new NslabError('exists', `namespace ${ns} already exists and was not made by topology ${spec.name}`, { field: `nodes.${i}.name`, netns: ns });
    }
  });
  const newNs = plan.namespaces.filter((ns) => !existingNs.has(ns));
  const kept = plan.namespaces.filter((ns) => existingNs.has(ns));
  const present = new Map(await Promise.all(kept.map(async (ns) => [ns, await linkNamesIn(ns)] as const)));
  const veths = partition(ctx, plan.owner, plan.veths, present, 'interface');
  const bridges = partition(ctx, plan.owner, plan.bridges, present, 'bridge');
  const vxlans = partition(ctx, plan.owner, plan.vxlans, present, 'vxlan');

  const created = ledgerObjects(plan.owner, newNs, [...veths.fresh, ...bridges.fresh, ...vxlans.fresh]);
  const tx = created.length ? ctx.ledger.begin(created) : null;
  try {
    await ipBatch(null, rootLines(newNs, veths.fresh));
    const fresh = [...bridges.fresh, ...vxlans.fresh];
    // Once the namespaces exist nothing below waits for anything else (a sysctl needs no link, a node's
    // batch no other node's): all at once, and every namespace's sysctls in one process.
    const sysctls = [...spec.nodes.map((node) => ({ netns: netnsOf(node.name), pairs: sysctlAssignments(node, existingNs.has(netnsOf(node.name))).map(toPair) })), ...(extras.sysctls ?? [])];
    await settled([
      // first: its programs take the longest (iptables-restore's commits, a daemon's start)
      extras.withNamespaces?.() ?? Promise.resolve(),
      mapLimit(spec.nodes, 8, async (node) => {
        const netns = netnsOf(node.name);
        const mine = new Set(fresh.filter((l) => l.netns === netns).map((l) => l.name));
        await ipBatch(netns, [...(extras.nodeLines?.get(netns) ?? []), ...nodeLines(spec, node, mine)]);
      }),
      writeNetnsSysctls(sysctls),
    ]);
    if (tx) ctx.ledger.commit(tx);
  } catch (err) {
    if (tx) {
      await removeObjects(ctx.ledger, ctx.drivers, created);
      ctx.ledger.removed([], tx);
    }
    throw err;
  }
  ctx.topologies.save(spec.name, yaml, spec.nodes.map((n) => n.name));
  announceTopologyChange(ctx.bus, 'apply', spec.name);
  const describe = (o: LedgerObject): string => (o.kind === 'netns' ? `netns ${o.name}` : `link ${o.netns}/${o.name}`);
  return {
    name: spec.name,
    created: created.map(describe),
    unchanged: ledgerObjects(plan.owner, kept, [...veths.kept, ...bridges.kept, ...vxlans.kept]).map(describe),
    ms: Math.round(performance.now() - started),
  };
}

export async function destroyTopology(ctx: HelperContext, name: string): Promise<Result<'topology.destroy'>> {
  const owner = ownerOf(name);
  const objects = ctx.ledger.objects((o) => o.owner === owner);
  if (objects.length === 0 && ctx.topologies.load(name) === null) {
    throw new NslabError('not-found', `no topology named ${name} has been applied`, { field: 'name' });
  }
  const result = await removeObjects(ctx.ledger, ctx.drivers, objects);
  if (result.failed.length) {
    throw new NslabError('busy', `could not remove ${result.failed.map((f) => f.object.name).join(', ')}`, { failed: result.failed });
  }
  ctx.topologies.remove(name);
  announceTopologyChange(ctx.bus, 'destroy', name);
  return { name, removed: result.deleted.map((o) => (o.kind === 'netns' ? o.name : `${o.netns}/${o.name}`)) };
}

export async function showTopology(ctx: HelperContext, name?: string): Promise<TopologySnapshot> {
  if (name === undefined) return snapshotMarked(ctx.ledger);
  const yaml = ctx.topologies.load(name);
  if (yaml === null) throw new NslabError('not-found', `no topology named ${name} has been applied`, { field: 'name' });
  const wanted = new Set(planTopology(parseTopology(yaml, name)).namespaces);
  return { ...(await snapshotMarked(ctx.ledger, (ns) => wanted.has(ns))), name };
}
