// The page's route and sysctl changes (net.node.*): the same drivers as the CLI's net.route.* and
// net.sysctl.set, behind one gate — the namespace must be a node nslab recorded, never the root namespace
// and never a marked namespace nslab has no record of (adopt it first).
import type { ParsedParams } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import { parseNodeSysctl, sysctlPath } from '../../shared/sysctl.js';
import type { HelperContext } from '../context.js';
import { announceTopologyChange } from '../events.js';
import { run } from '../exec/run.js';
import { changeRoute } from './driver.js';
import { ipJson } from './ip.js';
import { listNetns } from './snapshot.js';

/** The namespace of `node` if nslab owns it; a typed refusal otherwise. Checks only, changes nothing. */
export async function requireOwnedNode(ctx: HelperContext, node: string | undefined): Promise<string> {
  if (node === undefined) {
    throw new NslabError('permission-denied', "node is required: a page changes routes and sysctls only inside an nslab node, never in the root namespace (the host's own; the CLI's `nslab net` can, in host mode)", { field: 'node' });
  }
  const netns = netnsOf(node);
  if (!ctx.ledger.has({ kind: 'netns', netns: null, name: netns })) {
    const exists = (await listNetns()).includes(netns);
    throw exists
      ? new NslabError('permission-denied', `nslab has no record of namespace ${netns}, so it leaves it alone; adopt it first (Adopt in its details, or \`nslab adopt ${netns}\`)`, { field: 'node', netns })
      : new NslabError('not-found', `namespace ${netns} does not exist (nodes are created from the Topology panel or a topology file)`, { field: 'node', netns });
  }
  if (!(await listNetns()).includes(netns)) throw new NslabError('not-found', `namespace ${netns} is recorded but no longer exists; \`nslab gc\` drops its record`, { field: 'node', netns });
  return netns;
}

export async function nodeRoute(ctx: HelperContext, op: 'replace' | 'del', p: ParsedParams<'net.node.route.add'>): Promise<{ node: string; to: string }> {
  await requireOwnedNode(ctx, p.node);
  const { to } = await changeRoute(ctx, op, p);
  return { node: p.node!, to };
}

export async function nodeSysctl(ctx: HelperContext, p: ParsedParams<'net.node.sysctl.set'>): Promise<{ node: string; name: string; value: number }> {
  const netns = await requireOwnedNode(ctx, p.node);
  const sysctl = parseNodeSysctl(p.name);
  if (typeof sysctl === 'string') throw new NslabError('invalid-params', sysctl, { field: 'name' }); // the schema said so already
  if (sysctl.scope !== null && sysctl.scope !== 'all' && sysctl.scope !== 'default') {
    const links = (await ipJson(netns, ['link', 'show'])) as { ifname: string }[];
    if (!links.some((l) => l.ifname === sysctl.scope)) {
      throw new NslabError('not-found', `interface ${sysctl.scope} does not exist in ${netns} (its interfaces: ${links.map((l) => l.ifname).join(', ')})`, { field: 'name' });
    }
  }
  await run(['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', `${sysctlPath(sysctl)}=${p.value}`], { change: true });
  announceTopologyChange(ctx.bus, 'sysctl', null, false);
  return { node: p.node!, name: p.name, value: p.value };
}
