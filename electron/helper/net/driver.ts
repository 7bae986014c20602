// Single network operations (the Topology panel's buttons, `nslab rpc net.*`): validated, recorded in
// the ledger when they create something, refused when they would touch an object nslab did not make.
import type { LedgerObject, LinkCreateParams, ParsedParams } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { MARK, isIpv6, netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { announceTopologyChange } from '../events.js';
import { run } from '../exec/run.js';
import { ipBatch, ipJson, type Netns } from './ip.js';
import { listNetns } from './snapshot.js';

const MANUAL = 'manual';
const nsOf = (node: string | undefined): Netns => (node === undefined ? null : netnsOf(node));
const where = (netns: Netns): string => netns ?? 'the root namespace';

async function requireNetns(netns: Netns, field: string): Promise<void> {
  if (netns !== null && !(await listNetns()).includes(netns)) {
    throw new NslabError('not-found', `namespace ${netns} does not exist`, { field });
  }
}

async function linkExists(netns: Netns, name: string): Promise<boolean> {
  return (await linkNames(netns)).has(name);
}

async function linkNames(netns: Netns): Promise<Set<string>> {
  const links = (await ipJson(netns, ['link', 'show'])) as { ifname: string }[];
  return new Set(links.map((l) => l.ifname));
}

/**
 * `linkExists` for several checks of one request: each namespace's links are listed once (a veth with both
 * ends in one node was two `ip link show` processes; each spawn costs the helper's thread ~5 ms, issue 17.5).
 */
function linkChecker(): (netns: Netns, name: string) => Promise<boolean> {
  const lists = new Map<Netns, Promise<Set<string>>>();
  return async (netns, name) => {
    let names = lists.get(netns);
    if (!names) lists.set(netns, (names = linkNames(netns)));
    return (await names).has(name);
  };
}

/**
 * Changes to links are allowed on anything that carries the mark, or anything inside an nslab namespace —
 * recorded or not, the same rule as namespaces and cgroups (an exported script's rebuild is nslab's too).
 */
function requireOwnable(netns: Netns, name: string, field: string): void {
  if (netns !== null) return;
  if (!name.startsWith(MARK)) {
    throw new NslabError('permission-denied', `${name} in the root namespace was not created by nslab (its name does not start with ${MARK}); nslab leaves it alone`, { field });
  }
}

/** Creating in the root namespace is host mode only, and names there carry the mark. */
function requireMarkedInRoot(netns: Netns, name: string, field: string): void {
  if (netns === null && !name.startsWith(MARK)) {
    throw new NslabError('invalid-params', `an interface created in the root namespace must be named ${MARK}…`, { field });
  }
}

async function created(ctx: HelperContext, objects: LedgerObject[], make: () => Promise<void>): Promise<void> {
  const tx = ctx.ledger.begin(objects);
  try {
    await make();
    ctx.ledger.commit(tx);
  } catch (err) {
    ctx.ledger.removed(objects, tx);
    throw err;
  }
  announceTopologyChange(ctx.bus, 'create', null);
}

export async function createNetns(ctx: HelperContext, node: string): Promise<{ netns: string }> {
  const netns = netnsOf(node);
  if ((await listNetns()).includes(netns)) throw new NslabError('exists', `namespace ${netns} already exists`, { field: 'node' });
  await created(ctx, [{ kind: 'netns', netns: null, name: netns, owner: MANUAL }], async () => {
    await ipBatch(null, [['netns', 'add', netns]]);
    await ipBatch(netns, [['link', 'set', 'lo', 'up']]);
  });
  return { netns };
}

export async function deleteNetns(ctx: HelperContext, node: string): Promise<{ netns: string }> {
  const netns = netnsOf(node);
  // Every marked namespace may be deleted on request, recorded or not: the same rule as links and cgroups.
  // A recorded one that is already gone only has its record dropped.
  if (!ctx.ledger.has({ kind: 'netns', netns: null, name: netns })) await requireNetns(netns, 'node');
  await ipBatch(null, [['netns', 'del', netns]]).catch((err: NslabError) => {
    if (err.code !== 'not-found') throw err;
  });
  ctx.ledger.removed(ctx.ledger.objects((o) => (o.kind === 'netns' && o.name === netns) || o.netns === netns));
  announceTopologyChange(ctx.bus, 'delete', null, false);
  return { netns };
}

// A veth is made from the root namespace so each end can be placed straight into its node.
function kindArgs(p: LinkCreateParams, peerNetns: Netns): string[] {
  switch (p.kind) {
    case 'veth':
      return ['type', 'veth', 'peer', 'name', p.peer!.name, ...(peerNetns ? ['netns', peerNetns] : [])];
    case 'bridge':
    case 'dummy':
      return ['type', p.kind];
    case 'macvlan':
    case 'ipvlan':
      return ['link', p.parent!, 'type', p.kind, ...(p.mode ? ['mode', p.mode] : [])];
    case 'vxlan':
      return [
        'type', 'vxlan', 'id', String(p.vni),
        ...(p.remote ? ['remote', p.remote] : []),
        ...(p.local ? ['local', p.local] : []),
        'dstport', String(p.dstport ?? 4789),
        ...(p.parent ? ['dev', p.parent] : []),
      ];
  }
}

export async function createLink(ctx: HelperContext, p: ParsedParams<'net.link.create'>): Promise<{ name: string; netns: string | null }> {
  const netns = nsOf(p.node);
  const peerNetns = p.kind === 'veth' ? nsOf(p.peer!.node) : null;
  requireMarkedInRoot(netns, p.name, 'name');
  await requireNetns(netns, 'node');
  const exists = linkChecker();
  if (p.kind === 'veth') {
    requireMarkedInRoot(peerNetns, p.peer!.name, 'peer.name');
    await requireNetns(peerNetns, 'peer.node');
    if (peerNetns === netns && p.peer!.name === p.name) throw new NslabError('invalid-params', 'a veth needs two different names', { field: 'peer.name' });
    if (await exists(peerNetns, p.peer!.name)) throw new NslabError('exists', `${p.peer!.name} already exists in ${where(peerNetns)}`, { field: 'peer.name' });
  }
  if (await exists(netns, p.name)) throw new NslabError('exists', `${p.name} already exists in ${where(netns)}`, { field: 'name' });
  if (p.parent && !(await exists(netns, p.parent))) throw new NslabError('not-found', `parent ${p.parent} does not exist in ${where(netns)}`, { field: 'parent' });

  const objects: LedgerObject[] = [{ kind: 'link', netns, name: p.name, owner: MANUAL }];
  await created(ctx, objects, async () => {
    await ipBatch(p.kind === 'veth' ? null : netns, [['link', 'add', p.name, ...(p.kind === 'veth' && netns ? ['netns', netns] : []), ...kindArgs(p, peerNetns)]]).catch(
      (err: NslabError) => {
        throw err.code === 'unsupported-kernel'
          ? new NslabError('unsupported-kernel', `this kernel has no ${p.kind} support (CONFIG_${p.kind.toUpperCase()} is not built in or loaded); \`nslab doctor\` lists what it lacks`, { field: 'kind', kind: p.kind })
          : err;
      },
    );
    const up = (ns: Netns, name: string): string[][] => [...(p.mtu ? [['link', 'set', name, 'mtu', String(p.mtu)]] : []), ...(p.up ? [['link', 'set', name, 'up']] : [])];
    await ipBatch(netns, up(netns, p.name));
    if (p.kind === 'veth') await ipBatch(peerNetns, up(peerNetns, p.peer!.name));
  });
  return { name: p.name, netns };
}

export async function deleteLink(ctx: HelperContext, p: ParsedParams<'net.link.delete'>): Promise<{ name: string }> {
  const netns = nsOf(p.node);
  requireOwnable(netns, p.name, 'name');
  await requireNetns(netns, 'node');
  if (!(await linkExists(netns, p.name))) throw new NslabError('not-found', `${p.name} does not exist in ${where(netns)}`, { field: 'name' });
  await ipBatch(netns, [['link', 'del', p.name]]);
  ctx.ledger.removed(ctx.ledger.objects((o) => o.kind === 'link' && o.netns === netns && o.name === p.name));
  announceTopologyChange(ctx.bus, 'delete', null, false);
  return { name: p.name };
}

export async function setLink(ctx: HelperContext, p: ParsedParams<'net.link.set'>): Promise<{ name: string }> {
  const netns = nsOf(p.node);
  requireOwnable(netns, p.name, 'name');
  await requireNetns(netns, 'node');
  const exists = linkChecker();
  if (!(await exists(netns, p.name))) throw new NslabError('not-found', `${p.name} does not exist in ${where(netns)}`, { field: 'name' });
  if (p.master && !(await exists(netns, p.master))) throw new NslabError('not-found', `bridge ${p.master} does not exist in ${where(netns)}`, { field: 'master' });
  const lines: string[][] = [];
  if (p.mtu !== undefined) lines.push(['link', 'set', p.name, 'mtu', String(p.mtu)]);
  if (p.master === null) lines.push(['link', 'set', p.name, 'nomaster']);
  else if (p.master !== undefined) lines.push(['link', 'set', p.name, 'master', p.master]);
  if (p.up !== undefined) lines.push(['link', 'set', p.name, p.up ? 'up' : 'down']);
  if (lines.length === 0) throw new NslabError('invalid-params', 'nothing to change: give up, mtu or master', { field: 'up' });
  await ipBatch(netns, lines);
  announceTopologyChange(ctx.bus, 'set', null);
  return { name: p.name };
}

export async function changeAddress(ctx: HelperContext, op: 'add' | 'del', p: ParsedParams<'net.addr.add'>): Promise<{ address: string }> {
  const netns = nsOf(p.node);
  requireOwnable(netns, p.dev, 'dev');
  await requireNetns(netns, 'node');
  if (!(await linkExists(netns, p.dev))) throw new NslabError('not-found', `${p.dev} does not exist in ${where(netns)}`, { field: 'dev' });
  await ipBatch(netns, [['addr', op, p.address, 'dev', p.dev]]);
  announceTopologyChange(ctx.bus, `addr-${op}`, null, false);
  return { address: p.address };
}

export async function changeRoute(ctx: HelperContext, op: 'replace' | 'del', p: ParsedParams<'net.route.add'>): Promise<{ to: string }> {
  const netns = nsOf(p.node);
  // In the root namespace a route may only lead through a link nslab made: the host's own routing stays as it is.
  if (netns === null) {
    if (!p.dev) throw new NslabError('permission-denied', 'a route in the root namespace must name an nslab- device (dev)', { field: 'dev' });
    requireOwnable(null, p.dev, 'dev');
  }
  await requireNetns(netns, 'node');
  if (p.dev && !(await linkExists(netns, p.dev))) throw new NslabError('not-found', `${p.dev} does not exist in ${where(netns)}`, { field: 'dev' });
  const family = isIpv6(p.to) || (p.via !== undefined && isIpv6(p.via)) ? ['-6'] : [];
  await ipBatch(netns, [[...family, 'route', op, p.to, ...(p.via ? ['via', p.via] : []), ...(p.dev ? ['dev', p.dev] : [])]]);
  announceTopologyChange(ctx.bus, `route-${op}`, null, false);
  return { to: p.to };
}

const SYSCTL_NAMES = {
  ip_forward: ['net.ipv4.ip_forward'],
  ipv6_forward: ['net.ipv6.conf.all.forwarding'],
  rp_filter: ['net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter'],
} as const;

export async function setSysctl(ctx: HelperContext, p: ParsedParams<'net.sysctl.set'>): Promise<{ key: string; value: number }> {
  const netns = nsOf(p.node);
  if (netns === null) throw new NslabError('permission-denied', "nslab changes sysctls only inside its own namespaces, never the host's", { field: 'node' });
  await requireNetns(netns, 'node');
  await run(['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', ...SYSCTL_NAMES[p.key].map((k) => `${k}=${p.value}`)], { change: true });
  announceTopologyChange(ctx.bus, 'sysctl', null, false);
  return { key: p.key, value: p.value };
}
