// The observed path: one probe through the packet-walk machinery (trace.run), the counters of every
// namespace on the way before and after it (/proc/net/snmp and netstat, `ip -s link` drops), and the
// kernel's own drop reasons (skb:kfree_skb). Drops carry no namespace: each is put where a matching counter
// moved, or where the walk saw the packet die, and says how sure that is.
import type { TraceWalk, WhyCheck, WhyDrop, WhyExplainParams, WhyObserved, WhyText } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf, nodeOf } from '../../shared/names.js';
import { renderWhy } from '../../shared/why/messages.js';
import type { HelperContext } from '../context.js';
import { run } from '../exec/run.js';
import { runTrace } from '../firewall/trace/run.js';
import { sendProbe } from '../firewall/trace/probe.js';
import { startDropWatch, type DropWatch, type KernelDrop } from './dropwatch.js';
import type { World } from './state.js';

type Counters = Map<string, number>;

/** `/proc/net/snmp` and `/proc/net/netstat`: pairs of header and value lines. */
export function parseSnmp(text: string): Counters {
  const out: Counters = new Map();
  const lines = text.split('\n').filter(Boolean);
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [hp, ...names] = lines[i]!.trim().split(/\s+/);
    const [vp, ...values] = lines[i + 1]!.trim().split(/\s+/);
    if (hp !== vp) {
      i -= 1;
      continue;
    }
    names.forEach((n, k) => out.set(`${hp!.replace(/:$/, '')}.${n}`, Number(values[k])));
  }
  return out;
}

/** Counters worth showing when they move (the ones a drop or a refusal moves). */
const WATCHED = new Set([
  'Ip.InAddrErrors', 'Ip.InNoRoutes', 'Ip.ForwDatagrams', 'Ip.InDiscards', 'Ip.OutNoRoutes', 'Ip.InHdrErrors', 'Ip.OutDiscards',
  'Icmp.OutDestUnreachs', 'Icmp.InDestUnreachs', 'Tcp.OutRsts', 'Tcp.AttemptFails', 'Udp.NoPorts', 'Udp.InErrors',
  'TcpExt.IPReversePathFilter', 'TcpExt.ListenDrops',
]);

/** Which counter a drop reason moves (to find its namespace). */
const REASON_COUNTER: Record<string, string[]> = {
  IP_INADDRERRORS: ['Ip.InAddrErrors'],
  IP_INNOROUTES: ['Ip.InNoRoutes'],
  IP_OUTNOROUTES: ['Ip.OutNoRoutes'],
  IP_RPFILTER: ['TcpExt.IPReversePathFilter'],
  NO_SOCKET: ['Udp.NoPorts', 'Tcp.OutRsts'],
  NETFILTER_DROP: [],
};

async function readCounters(netns: string): Promise<Counters> {
  const [snmp, links] = await Promise.all([
    run(['ip', 'netns', 'exec', netns, 'cat', '/proc/net/snmp', '/proc/net/netstat'], { allowFailure: true }),
    run(['ip', '-j', '-s', '-n', netns, 'link', 'show'], { allowFailure: true }),
  ]);
  const out = parseSnmp(snmp.stdout);
  try {
    for (const l of JSON.parse(links.stdout || '[]') as { ifname: string; stats64?: { rx?: { dropped?: number }; tx?: { dropped?: number } } }[]) {
      out.set(`link.${l.ifname}.rx_dropped`, l.stats64?.rx?.dropped ?? 0);
      out.set(`link.${l.ifname}.tx_dropped`, l.stats64?.tx?.dropped ?? 0);
    }
  } catch {
    // a namespace that vanished reads as nothing
  }
  return out;
}

function attribute(drop: KernelDrop, moved: { netns: string; name: string; delta: number }[], walk: TraceWalk | null): Pick<WhyDrop, 'netns' | 'confidence' | 'why'> {
  const names = REASON_COUNTER[drop.reason] ?? [];
  const hits = [...new Set(moved.filter((m) => names.includes(m.name)).map((m) => m.netns))];
  if (hits.length === 1) return { netns: hits[0]!, confidence: 'high', why: `${names.join('/')} moved in ${nodeOf(hits[0]!)} alone, at the same time.` };
  const dropped = walk?.fates.find((f) => f.kind === 'dropped' || f.kind === 'not-routed');
  if (drop.reason === 'NETFILTER_DROP' && dropped?.netns) return { netns: dropped.netns, confidence: 'high', why: `the packet walk saw netfilter drop it in ${nodeOf(dropped.netns)}.` };
  if (hits.length > 1) return { netns: hits[0]!, confidence: 'medium', why: `${names.join('/')} moved in ${hits.map(nodeOf).join(', ')}; the first on the path is taken.` };
  if (dropped?.netns) return { netns: dropped.netns, confidence: 'medium', why: `the packet walk's last sight of the packet was in ${nodeOf(dropped.netns)}.` };
  return { netns: null, confidence: 'low', why: 'no counter or walk step points at a namespace: it may be other traffic at the same moment.' };
}

/** Where simulation and observation disagree (a udp probe that got no answer proves nothing). */
export function disagreements(reachable: boolean, probe: { ok: boolean; detail: string }, proto: string): WhyText[] {
  const out: WhyText[] = [];
  if (reachable && !probe.ok) out.push(renderWhy('disagree.sim-ok', { detail: probe.detail }).title);
  if (!reachable && probe.ok && proto !== 'udp') out.push(renderWhy('disagree.sim-fail', { detail: probe.detail }).title);
  return out;
}

export async function observe(ctx: HelperContext, world: World, params: WhyExplainParams): Promise<{ observed: WhyObserved; checks: WhyCheck[] }> {
  const from = netnsOf(params.from);
  const namespaces = world.component(from);
  let dropWatch: string | null = null;
  const [before, watch] = await Promise.all([
    Promise.all(namespaces.map(readCounters)),
    startDropWatch(ctx).catch((err: Error): DropWatch | null => {
      dropWatch = `the drop watch could not start: ${err.message}`;
      return null;
    }),
  ]);
  const proto = params.proto ?? (params.port !== undefined ? 'tcp' : 'icmp');
  let walk: TraceWalk | null = null;
  let probe: { ok: boolean; detail: string };
  let drops: KernelDrop[];
  try {
    try {
      walk = await runTrace(ctx, { from: params.from, to: params.to, proto, ...(proto !== 'icmp' ? { dport: params.port ?? (proto === 'tcp' ? 80 : 53) } : {}), timeoutMs: 1000 }, () => undefined);
      probe = walk.probe;
    } catch (err) {
      // no node holds the address (outside the lab): the probe alone, without a walk
      if (!(err instanceof NslabError) || err.code !== 'not-found') throw err;
      probe = await sendProbe({ netns: from, proto, to: params.to, ...(proto !== 'icmp' ? { dport: params.port ?? (proto === 'tcp' ? 80 : 53) } : {}), marker: 40_000 + Math.floor(Math.random() * 20_000), timeoutMs: 1000 });
    }
    drops = watch?.read() ?? [];
  } finally {
    await watch?.stop();
  }
  const after = await Promise.all(namespaces.map(readCounters));
  const moved = namespaces.flatMap((ns, i) =>
    [...after[i]!].flatMap(([name, v]) => {
      const delta = v - (before[i]!.get(name) ?? 0);
      return delta > 0 && (WATCHED.has(name) || name.startsWith('link.')) ? [{ netns: ns, name, delta }] : [];
    }),
  );
  const mine = drops.filter((x) => x.reason !== 'NOT_SPECIFIED');
  const whyDrops: WhyDrop[] = mine.map((x) => ({ reason: x.reason, location: x.location, ...attribute(x, moved, walk) }));
  const checks: WhyCheck[] = [];
  const add = (status: WhyCheck['status'], netns: string | null, key: 'observed.probe' | 'observed.drop' | 'observed.counter', p: Record<string, string | number>, evidence: WhyCheck['evidence'] = []): void => {
    checks.push({ id: key, status, direction: 'observed', node: netns ? nodeOf(netns) : null, netns, key, params: p, ...renderWhy(key, p), evidence, fix: null });
  };
  const fates = walk?.fates.map((f) => f.detail) ?? [];
  add(probe.ok ? 'pass' : 'fail', from, 'observed.probe', { detail: probe.detail, fates: fates.join('; ') || 'no packet walk (the address is outside your nodes)' }, fates.map((t) => ({ kind: 'probe' as const, text: t })));
  for (const x of whyDrops) add('warn', x.netns, 'observed.drop', { reason: x.reason, where: x.netns ? nodeOf(x.netns) : 'an unknown namespace', confidence: x.confidence, location: x.location, why: x.why }, [{ kind: 'drop', text: `${x.reason} at ${x.location}` }]);
  for (const m of moved) add(m.name === 'Ip.ForwDatagrams' ? 'pass' : 'warn', m.netns, 'observed.counter', { node: nodeOf(m.netns), name: m.name, delta: m.delta }, [{ kind: 'counter', text: `${m.name} +${m.delta}` }]);
  return { observed: { probe, fates, counters: moved, drops: whyDrops, dropWatch }, checks };
}
