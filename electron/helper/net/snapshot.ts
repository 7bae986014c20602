// Reads nslab namespaces with one `ip -batch` process each and resolves veth peers across them.
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinkSnapshot, NodeSnapshot, TopologySnapshot } from '../../shared/contract/index.js';
import { isMarked, nodeOf } from '../../shared/names.js';
import type { Ledger } from '../ledger/journal.js';
import { ipJson, ipJsonBatch, type Netns } from './ip.js';
import { parseLinkRpFilters, parseLinks, parseNetconf, parseNetnsList, parseNsids, parseRoutes, type PendingPeer } from './parse.js';

/** Where `ip netns` keeps its named namespaces (a private tmpfs in sandbox mode). */
export const NETNS_RUN_DIR = '/run/netns';

/**
 * The named namespaces. `ip netns list` only lists this directory; reading it directly saves a process
 * spawn (~3 ms) on every check, which dominated a topology's teardown. `ip` remains the fallback.
 */
export async function listNetns(): Promise<string[]> {
  try {
    return (await readdir(NETNS_RUN_DIR, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return parseNetnsList(await ipJson(null, ['netns', 'list']));
  }
}

export const listMarkedNetns = async (): Promise<string[]> => (await listNetns()).filter(isMarked);

export interface NamespaceState {
  netns: Netns;
  links: LinkSnapshot[];
  node: Omit<NodeSnapshot, 'name' | 'netns' | 'topology' | 'recorded'>;
  pending: PendingPeer[];
}

async function readNamespaceNow(netns: Netns): Promise<NamespaceState> {
  const [addrs, routes, netconf, nsids] = await ipJsonBatch(netns, [
    ['addr', 'show'],
    ['route', 'show', 'table', 'all'],
    ['netconf', 'show'],
    ['netns', 'list-id'],
  ]);
  const { links, pending } = parseLinks(addrs, parseNsids(nsids));
  const rpFilters = parseLinkRpFilters(netconf);
  for (const l of links) {
    const rp = rpFilters.get(l.name);
    if (rp !== undefined) l.rpFilter = rp;
  }
  return { netns, links, pending, node: { ...parseNetconf(netconf), links, routes: parseRoutes(routes) } };
}

/** A namespace's read in progress, and the one that will start when it ends (shared by whoever asks meanwhile). */
interface Flight {
  running: Promise<NamespaceState>;
  queued: Promise<NamespaceState> | null;
}
const flights = new Map<string, Flight>();
const ignore = (): void => undefined;

function launch(key: string, netns: Netns): Promise<NamespaceState> {
  const flight: Flight = { running: readNamespaceNow(netns), queued: null };
  flights.set(key, flight);
  const settled = (): void => {
    if (flights.get(key) === flight && flight.queued === null) flights.delete(key);
  };
  flight.running.then(settled, settled);
  return flight.running;
}

/**
 * One namespace's links, addresses, routes and netconf (one `ip -batch` process). Concurrent reads of the
 * same namespace share processes: a read asked while another runs waits for the next one, which starts after
 * the running one ends and answers everyone who asked meanwhile — so every answer was read after it was asked
 * (a change made before the call is always seen), but a burst of N reads costs 2 spawns, not N. Spawning is
 * synchronous on the helper's thread and costs ~5–10 ms at the helper's RSS (fork copies its page tables):
 * under a load of snapshots it was 2/3 of the helper's time (issue 17.5). Each caller gets its own copy,
 * since callers fill in peers.
 */
export async function readNamespace(netns: Netns): Promise<NamespaceState> {
  const key = netns ?? '';
  const flight = flights.get(key);
  let shared: Promise<NamespaceState>;
  if (!flight) shared = launch(key, netns);
  else shared = flight.queued ??= flight.running.then(ignore, ignore).then(() => launch(key, netns));
  return structuredClone(await shared);
}

/** Runs `fn` over items with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface NetnsOwnership {
  topology: string | null;
  recorded: boolean;
}

/** Whether the named namespace is still there (its bind mount under /run/netns). */
const stillThere = (netns: string): Promise<boolean> =>
  access(join(NETNS_RUN_DIR, netns)).then(
    () => true,
    () => false,
  );

/**
 * Reads one namespace of a listing, or null when it was deleted between the listing and the read (another
 * request's delete, a topology being destroyed): a snapshot shows the namespaces that exist, and a read
 * racing a delete is not an error. Any other failure is.
 */
async function readListed(netns: string): Promise<NamespaceState | null> {
  try {
    return await readNamespace(netns);
  } catch (err) {
    if (!(await stillThere(netns))) return null;
    throw err;
  }
}

/**
 * Snapshots of `namespaces`. A veth's peer is named when its namespace is read: one of `namespaces`, the root
 * namespace, or one of `peersFrom` (read only when a peer lives there — a single node's snapshot reads its
 * own namespace and its peers', not every namespace).
 */
export async function snapshotNamespaces(namespaces: string[], ownership: (netns: string) => NetnsOwnership, peersFrom: readonly string[] = []): Promise<NodeSnapshot[]> {
  const states = (await mapLimit(namespaces, 8, readListed)).filter((s): s is NamespaceState => s !== null);
  const byNetns = new Map<Netns, NamespaceState>(states.map((s) => [s.netns, s]));
  const pending = states.flatMap((s) => s.pending);
  if (pending.some((p) => p.peerNetns === null)) byNetns.set(null, await readNamespace(null));
  const readable = new Set(peersFrom);
  const peerNetns = [...new Set(pending.map((p) => p.peerNetns))].filter((ns): ns is string => ns !== null && readable.has(ns) && !byNetns.has(ns));
  for (const s of await mapLimit(peerNetns, 8, readListed)) if (s) byNetns.set(s.netns, s);
  for (const p of pending) {
    const peer = byNetns.get(p.peerNetns)?.links.find((l) => l.ifindex === p.peerIfindex);
    if (peer) p.link.peer = peer.name;
  }
  return states.map((s) => ({
    name: nodeOf(s.netns as string),
    netns: s.netns as string,
    ...ownership(s.netns as string),
    ...s.node,
  }));
}

/** Whether the ledger records a namespace, and which applied topology it belongs to (owner `topology:<name>`). */
export function ownershipOf(ledger: Ledger): (netns: string) => NetnsOwnership {
  const owners = new Map(ledger.objects((o) => o.kind === 'netns').map((o) => [o.name, o.owner]));
  return (netns) => {
    const owner = owners.get(netns);
    return { topology: owner?.startsWith('topology:') ? owner.slice('topology:'.length) : null, recorded: owner !== undefined };
  };
}

/**
 * The marked namespaces (those `wanted`, or all), each with the topology it belongs to (`net.snapshot`,
 * `topology.show`). A link's peer is named when the peer's namespace is among those read.
 */
export async function snapshotMarked(ledger: Ledger, wanted?: (netns: string) => boolean): Promise<TopologySnapshot> {
  const marked = await listMarkedNetns();
  return { name: null, nodes: await snapshotNamespaces(wanted ? marked.filter(wanted) : marked, ownershipOf(ledger)) };
}

/**
 * One marked namespace, its veths' peers named as in the snapshot of all (`net.snapshot` with a node): only
 * the namespaces its peers live in are read, where reading all of them cost one process per namespace.
 */
export async function snapshotOne(ledger: Ledger, netns: string): Promise<TopologySnapshot> {
  const marked = await listMarkedNetns();
  if (!marked.includes(netns)) return { name: null, nodes: [] };
  return { name: null, nodes: await snapshotNamespaces([netns], ownershipOf(ledger), marked) };
}
