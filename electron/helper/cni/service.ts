// `cni.add|check|del|ls|plugins`: the small CNI runtime. ADD is journaled before the first plugin runs
// (ledger intent + cached record), undone by a DEL of the whole list if any plugin fails, and finished
// with the result cached for CHECK and DEL. Both namespaces must be nodes nslab made.
import { existsSync } from 'node:fs';
import type { CniAttachment, CniCall, LedgerObject, ParsedParams, Result } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { readConfList, pluginTypesOf } from './conflist.js';
import { listPlugins, pluginDirsOf, pluginInfo, resolvePlugins } from './plugins.js';
import { hostObjects, madeBy, removeLeftovers, type HostObjects } from './leftovers.js';
import { AddFailed, addList, checkList, delIpamOnly, delList, type ListRun } from './runner.js';
import { attachmentIdOf, hasRecord, listRecords, publicOf, removeRecord, saveRecord, type AttachmentRecord } from './store.js';

const NETNS_DIR = '/run/netns';
export const netnsPathOf = (node: string): string => `${NETNS_DIR}/${netnsOf(node)}`;

export const cniObjectOf = (r: Pick<AttachmentRecord, 'node' | 'id'>, owner: string): LedgerObject => ({ kind: 'cni', netns: netnsOf(r.node), name: r.id, owner });

/** A node nslab made and that exists now; the plugins never run anywhere else. */
function requireOwnNode(ctx: HelperContext, node: string, field: string): void {
  const netns = netnsOf(node);
  if (!existsSync(`${NETNS_DIR}/${netns}`)) throw new NslabError('not-found', `${field}: no namespace ${netns} (node ${node}); create the node first (nslab net netns create ${node}, or a topology)`, { field });
  if (!ctx.ledger.has({ kind: 'netns', netns: null, name: netns })) {
    throw new NslabError('permission-denied', `${field}: ${netns} is not a namespace nslab made; \`nslab adopt ${netns}\` takes it over first`, { field });
  }
}

export function runOf(record: AttachmentRecord, paths: Map<string, string>, hostNetns: string | null): ListRun {
  return {
    list: record.list,
    containerId: record.containerId,
    netnsPath: netnsPathOf(record.node),
    ifname: record.ifname,
    args: record.args,
    portMappings: record.portMappings,
    cniPath: record.cniPath,
    hostNetns,
    paths,
  };
}

const union = (a: HostObjects, b: HostObjects): HostObjects => ({ links: [...new Set([...a.links, ...b.links])], chains: [...new Set([...a.chains, ...b.chains])] });

/** What an ADD made in the host node: recorded when it finished; after a crash, the CNI chains and the list's bridges that were not there before. */
async function madeOf(record: AttachmentRecord, hostNetns: string): Promise<HostObjects> {
  if (record.made) return record.made;
  if (!record.before) return { links: [], chains: [] };
  const bridges = record.list.plugins.filter((p) => p.type === 'bridge').map((p) => (typeof p.bridge === 'string' ? p.bridge : 'cni0'));
  const made = madeBy(record.before, await hostObjects(hostNetns));
  return { links: made.links.filter((l) => bridges.includes(l)), chains: made.chains.filter((c) => c.split(' ')[2]!.startsWith('CNI-')) };
}

/**
 * DEL of a recorded attachment, then forget it. Used by `cni.del`, by a failed ADD, and by gc. What the
 * plugins keep for the next container (the bridge, portmap's shared chains) goes with the host node's
 * last attachment; until then it is handed on to one that stays.
 */
export async function tearDown(stateDir: string, record: AttachmentRecord): Promise<CniCall[]> {
  const paths = resolvePlugins(pluginTypesOf(record.list), record.cniPath);
  const hostNetns = netnsOf(record.host);
  if (!existsSync(`${NETNS_DIR}/${hostNetns}`)) {
    const calls = await delIpamOnly(runOf(record, paths, null));
    removeRecord(stateDir, record);
    return calls;
  }
  const leftovers = union(await madeOf(record, hostNetns), record.carried);
  const calls = await delList(runOf(record, paths, hostNetns), record.result);
  const stays = listRecords(stateDir).find((r) => r.id !== record.id && r.host === record.host);
  if (stays) saveRecord(stateDir, { ...stays, carried: union(stays.carried, leftovers) });
  else await removeLeftovers(hostNetns, leftovers);
  removeRecord(stateDir, record);
  return calls;
}

export async function cniAdd(ctx: HelperContext, p: ParsedParams<'cni.add'>, owner = 'manual'): Promise<Result<'cni.add'>> {
  const list = readConfList(p.config, ctx.stateDir);
  requireOwnNode(ctx, p.host, 'host');
  requireOwnNode(ctx, p.node, 'node');
  if (p.host === p.node) throw new NslabError('invalid-params', 'node and host must be different nodes: the plugins build the host side in host and the container side in node', { field: 'node' });
  const cniPath = pluginDirsOf(p.pluginDirs);
  const paths = resolvePlugins(pluginTypesOf(list), cniPath);
  const containerId = p.containerId ?? p.node;
  const id = attachmentIdOf(list.name, containerId, p.ifname);
  if (hasRecord(ctx.stateDir, id)) throw new NslabError('exists', `network ${list.name} is already attached to ${containerId} as ${p.ifname}; \`nslab cni del ${p.node} --network ${list.name}\` first`, { field: 'ifname' });
  const record: AttachmentRecord = {
    id,
    network: list.name,
    containerId,
    node: p.node,
    host: p.host,
    ifname: p.ifname,
    plugins: list.plugins.map((pl) => pl.type),
    portMappings: p.portMappings,
    result: null,
    createdAt: new Date().toISOString(),
    list,
    args: p.args,
    cniPath,
    before: null,
    made: null,
    carried: { links: [], chains: [] },
  };
  // The ledger's intent, then the record, both before any plugin runs: a crash from here on leaves an
  // open transaction that start-up (or gc) undoes with a DEL of this record (or, with no record yet,
  // simply forgets, since nothing was built).
  const object = cniObjectOf(record, owner);
  const tx = ctx.ledger.begin([object]);
  saveRecord(ctx.stateDir, record);
  const hostNetns = netnsOf(p.host);
  try {
    record.before = await hostObjects(hostNetns);
    saveRecord(ctx.stateDir, record);
    const { result, calls } = await addList(runOf(record, paths, hostNetns));
    record.result = result;
    record.made = madeBy(record.before, await hostObjects(hostNetns));
    saveRecord(ctx.stateDir, record);
    ctx.ledger.commit(tx);
    return { attachment: publicOf(record), calls };
  } catch (err) {
    const failure = err instanceof AddFailed ? err : new AddFailed(err, null, []);
    // Nothing half-built: DEL the whole list with what had been built (plugins tolerate missing parts).
    await tearDown(ctx.stateDir, { ...record, result: failure.partial }).catch(() => undefined);
    ctx.ledger.removed([object], tx);
    throw failure.reason;
  }
}

function findRecord(ctx: HelperContext, p: ParsedParams<'cni.check'>): AttachmentRecord {
  const containerId = p.containerId ?? p.node;
  const mine = listRecords(ctx.stateDir).filter((r) => r.node === p.node && r.containerId === containerId && r.ifname === p.ifname && (p.network === undefined || r.network === p.network));
  if (mine.length === 0) throw new NslabError('not-found', `no CNI attachment of ${p.network ? `network ${p.network} ` : ''}for ${p.node} (${containerId}, ${p.ifname}); \`nslab cni ls\` lists them`, { field: 'node' });
  if (mine.length > 1) throw new NslabError('invalid-params', `${p.node} has ${mine.length} attachments on ${p.ifname} (${mine.map((r) => r.network).join(', ')}): name one with --network`, { field: 'network' });
  return mine[0]!;
}

export async function cniCheck(ctx: HelperContext, p: ParsedParams<'cni.check'>): Promise<Result<'cni.check'>> {
  const record = findRecord(ctx, p);
  if (record.result === null) throw new NslabError('busy', `${record.id}: ADD has not finished`, { field: 'node' });
  if (record.list.disableCheck) return { attachment: publicOf(record), calls: [] };
  requireOwnNode(ctx, record.host, 'host');
  const paths = resolvePlugins(pluginTypesOf(record.list), record.cniPath);
  const calls = await checkList(runOf(record, paths, netnsOf(record.host)), record.result);
  return { attachment: publicOf(record), calls };
}

export async function cniDel(ctx: HelperContext, p: ParsedParams<'cni.del'>): Promise<Result<'cni.del'>> {
  const record = findRecord(ctx, p);
  const object = ctx.ledger.objects((o) => o.kind === 'cni' && o.name === record.id);
  const calls = await tearDown(ctx.stateDir, record);
  ctx.ledger.removed(object);
  return { id: record.id, calls };
}

export const cniLs = (ctx: HelperContext): { attachments: CniAttachment[] } => ({ attachments: listRecords(ctx.stateDir).map(publicOf) });

export async function cniPlugins(extra: string[]): Promise<Result<'cni.plugins'>> {
  const dirs = pluginDirsOf(extra);
  const found = listPlugins(dirs);
  return { dirs, plugins: await Promise.all([...found].map(([plugin, path]) => pluginInfo(plugin, path))) };
}
