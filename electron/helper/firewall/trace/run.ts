// One packet walk: find the namespaces the probe may cross (the sender's, every nslab namespace joined to
// it by veth pairs, and the one holding the address), put a trace table and a listener in each, send the
// probe, wait for the events to settle, join them, take everything down (also on failure), report.
import { randomBytes, randomInt } from 'node:crypto';
import type { NodeSnapshot, TraceEvent, TraceParams, TraceWalk } from '../../../shared/contract/index.js';
import { NslabError } from '../../../shared/errors.js';
import { netnsOf, nodeOf } from '../../../shared/names.js';
import type { HelperContext } from '../../context.js';
import { listMarkedNetns, snapshotNamespaces } from '../../net/snapshot.js';
import { joinTrace } from './join.js';
import { traceTableObject } from './kind.js';
import { startTraceListener, type TimedTraceLine, type TraceListener } from './listener.js';
import { sendProbe } from './probe.js';
import { readRuleIndex } from './rule-index.js';
import { hasTraceTable, installTraceTable, removeTraceTable } from './table.js';

/** Events stop arriving this long after the last one: the walk is complete. */
const SETTLE_MS = 40;
const SETTLE_MAX_MS = 400;

/** Namespaces a walk runs in right now (one walk per namespace: each has one `nslab_trace` table). */
const busy = new Set<string>();

const addressesOf = (node: NodeSnapshot): string[] => node.links.flatMap((l) => l.addresses.map((a) => a.split('/')[0]!));

/** The sender's namespace and everything reachable from it over veth pairs, plus the address's holder. */
export function crossedNamespaces(nodes: NodeSnapshot[], from: string, to: string): { namespaces: string[]; holder: string | null } {
  const known = new Set(nodes.map((n) => n.netns));
  const neighbours = new Map<string, Set<string>>();
  const join = (a: string, b: string): void => void neighbours.set(a, (neighbours.get(a) ?? new Set()).add(b));
  for (const n of nodes) {
    for (const l of n.links) {
      if (!l.peerNetns || !known.has(l.peerNetns)) continue;
      join(n.netns, l.peerNetns);
      join(l.peerNetns, n.netns);
    }
  }
  const holder = nodes.find((n) => addressesOf(n).includes(to))?.netns ?? null;
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length) {
    for (const next of neighbours.get(queue.shift()!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  if (holder) seen.add(holder);
  return { namespaces: [...seen], holder };
}

async function plan(params: TraceParams): Promise<string[]> {
  const from = netnsOf(params.from);
  const marked = await listMarkedNetns();
  if (!marked.includes(from)) throw new NslabError('not-found', `node ${params.from} has no namespace (${from} does not exist)`, { field: 'from' });
  const nodes = await snapshotNamespaces(marked, () => ({ topology: null, recorded: false }));
  const { namespaces, holder } = crossedNamespaces(nodes, from, params.to);
  if (!holder) {
    const known = nodes.flatMap((n) => addressesOf(n).filter((a) => !a.startsWith('127.') && !a.includes(':')).map((a) => `${a} (${n.name})`));
    throw new NslabError('not-found', `no node has the address ${params.to}; addresses of your nodes: ${known.join(', ') || 'none'}`, { field: 'to' });
  }
  if (holder === from) throw new NslabError('invalid-params', `${params.to} is an address of ${params.from} itself: trace to another node`, { field: 'to' });
  return namespaces;
}

export async function runTrace(ctx: HelperContext, params: TraceParams, emit: (event: TraceEvent) => void): Promise<TraceWalk> {
  const namespaces = await plan(params);
  const taken = namespaces.filter((ns) => busy.has(ns));
  if (taken.length) throw new NslabError('busy', `another trace is running in ${taken.map(nodeOf).join(', ')}; wait for it to end`, { field: 'from' });
  const from = netnsOf(params.from);
  const trace = randomBytes(4).toString('hex');
  // The marker: an ICMP id, or an ephemeral source port no socket of the node is likely to hold.
  const marker = params.proto === 'icmp' ? randomInt(1, 65536) : randomInt(40_000, 61_000);
  for (const ns of namespaces) busy.add(ns);
  const listeners: TraceListener[] = [];
  const installed: string[] = [];
  const objects = namespaces.map((ns) => traceTableObject(ns, trace));
  try {
    const leftover = (await Promise.all(namespaces.map(async (ns) => ((await hasTraceTable(ns)) ? ns : null)))).filter((ns): ns is string => ns !== null);
    if (leftover.length)
      throw new NslabError('busy', `a trace table is already in ${leftover.map(nodeOf).join(', ')} (another trace, or one killed before it ended: nslab gc removes it)`, { field: 'from' });
    const tx = ctx.ledger.begin(objects);
    try {
      await Promise.all(namespaces.map(async (ns) => (await installTraceTable(ns, { proto: params.proto, marker }), installed.push(ns))));
    } finally {
      ctx.ledger.commit(tx);
    }
    const lines: TimedTraceLine[] = [];
    let lastLineAt = 0;
    listeners.push(...(await Promise.all(namespaces.map((ns) => startTraceListener(ns, (l) => (lines.push(l), (lastLineAt = performance.now())))))));
    emit({ kind: 'start', trace, from: params.from, to: params.to, proto: params.proto, marker, namespaces });

    const sentAt = performance.now();
    const probe = await sendProbe({ netns: from, proto: params.proto, to: params.to, dport: params.dport, marker, timeoutMs: params.timeoutMs });
    emit({ kind: 'probe', trace, ...probe });
    // The handles are resolved against what the kernel has now, read while the last events arrive.
    const indexRead = readRuleIndex(namespaces);
    const settleStart = performance.now();
    while (performance.now() - Math.max(lastLineAt, settleStart) < SETTLE_MS && performance.now() - settleStart < SETTLE_MAX_MS) await new Promise((r) => setTimeout(r, 10));
    const index = await indexRead;
    const joined = joinTrace({ lines, proto: params.proto, marker, from, index });
    // From the moment the probe's first packet met a hook (the probe program's start-up is not the walk's).
    const ms = Math.round(performance.now() - (lines.length ? Math.min(...lines.map((l) => l.at)) : sentAt));
    joined.hops.forEach((hop, i) => emit({ kind: 'hop', trace, index: i, hop }));
    for (const fate of joined.fates) emit({ kind: 'fate', trace, fate });
    emit({ kind: 'end', trace, hops: joined.hops.length, unjoined: joined.unjoined, ms });
    return { trace, from: params.from, to: params.to, proto: params.proto, marker, namespaces, hops: joined.hops, fates: joined.fates, probe, unjoined: joined.unjoined, ms };
  } finally {
    await Promise.all(listeners.map((l) => l.stop()));
    const removed = await Promise.all(
      installed.map(async (ns) => {
        try {
          await removeTraceTable(ns);
          return true;
        } catch {
          return false; // left in the ledger: gc removes it
        }
      }),
    );
    ctx.ledger.removed(objects.filter((o) => !installed.includes(o.netns!) || removed[installed.indexOf(o.netns!)]));
    for (const ns of namespaces) busy.delete(ns);
  }
}
