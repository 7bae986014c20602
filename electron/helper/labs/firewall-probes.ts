// Lab probes that look through nslab's own firewall views rather than a tool's raw output: `fw-counter`
// reads counters with the reader the Firewall panel uses (iptables on both backends and nft together),
// `trace` sends one probe and checks its packet walk (what `nslab trace` and the panel's walk show).
import type { FwChain, FwRuleset, ProbeResult, TraceWalk } from '../../shared/contract/index.js';
import type { LabProbe } from '../../shared/labs/index.js';
import { netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { readRuleset } from '../firewall/ruleset.js';
import { runTrace } from '../firewall/trace/run.js';

type Outcome = Omit<ProbeResult, 'id' | 'probe' | 'label'>;
type FwCounterProbe = Extract<LabProbe, { probe: 'fw-counter' }>;
type TraceProbe = Extract<LabProbe, { probe: 'trace' }>;

/** `words` contains every word of `match`, in order. */
const inOrder = (words: readonly string[], match: readonly string[]): boolean => {
  let i = 0;
  for (const w of words) if (i < match.length && w === match[i]) i++;
  return i === match.length;
};

/** The chains called `chain` in tables called `table` (an iptables table on either backend, or an nft table). */
export function chainsNamed(rs: FwRuleset, table: string, chain: string): FwChain[] {
  return rs.tables.filter((t) => t.name === table).flatMap((t) => t.chains.filter((c) => c.name === chain));
}

/** The packets counted by what the probe names; null when there is no such rule or chain. */
export function countedPackets(rs: FwRuleset, p: Pick<FwCounterProbe, 'table' | 'chain' | 'match' | 'nft' | 'policy'>): { packets: number; rules: number } | null {
  const chains = chainsNamed(rs, p.table, p.chain);
  if (p.policy) {
    const counted = chains.filter((c) => c.policy !== null && c.packets !== null);
    return counted.length ? { packets: counted.reduce((n, c) => n + c.packets!, 0), rules: 0 } : null;
  }
  const rules = chains.flatMap((c) => c.rules).filter((r) => inOrder(r.words ?? [], p.match) && (p.nft === undefined || (r.nft ?? '').includes(p.nft)) && r.packets !== null);
  return rules.length ? { packets: rules.reduce((n, r) => n + r.packets!, 0), rules: rules.length } : null;
}

export async function fwCounter(p: FwCounterProbe): Promise<Outcome> {
  const rs = await readRuleset(netnsOf(p.node), { text: p.nft !== undefined });
  const seen = countedPackets(rs, p);
  const bound = p.atMost === undefined ? `≥ ${p.atLeast}` : p.atLeast === p.atMost ? `= ${p.atLeast}` : `${p.atLeast}…${p.atMost}`;
  const what = p.policy ? `the ${p.chain} policy` : [p.match.length ? `"${p.match.join(' ')}"` : '', p.nft ? `nft "${p.nft}"` : ''].filter(Boolean).join(' and ') || 'its rules';
  const ok = seen !== null && seen.packets >= p.atLeast && (p.atMost === undefined || seen.packets <= p.atMost);
  return {
    ok,
    expected: `${bound} packets counted in ${p.table}/${p.chain} by ${what}`,
    observed: seen === null ? (p.policy ? `${p.table}/${p.chain} has no policy counter (no such built-in chain yet)` : `no such rule in ${p.table}/${p.chain}`) : `${seen.packets} packets${p.policy ? ' (policy)' : ` (${seen.rules} rule${seen.rules > 1 ? 's' : ''})`}`,
    where: `nslab fw show ${p.node}  (or the Firewall panel: node ${p.node}, ${p.chain.toUpperCase()} column)`,
  };
}

/** The request's path as a person reads it: `pf-red output → pf-red postrouting → pf-host prerouting → …`. */
export function walkPath(walk: TraceWalk): string {
  const steps: string[] = [];
  for (const h of walk.hops) {
    if (h.direction !== 'request' || h.hook === null) continue;
    const step = `${h.node} ${h.hook}`;
    if (steps[steps.length - 1] !== step) steps.push(step);
  }
  return steps.join(' → ') || 'no hook saw it';
}

/** Does the walk's request meet the probe's expectations? The reason when not. */
export function judgeWalk(walk: TraceWalk, p: Pick<TraceProbe, 'fate' | 'through' | 'at'>): string | null {
  const request = walk.hops.filter((h) => h.direction === 'request');
  const fate = walk.fates.find((f) => f.direction === 'request');
  if (p.fate !== undefined && fate?.kind !== p.fate) return `the request was ${fate?.kind ?? 'not seen'}, not ${p.fate}`;
  for (const t of p.through) if (!request.some((h) => h.node === t.node && h.hook === t.hook)) return `the request never reached ${t.hook.toUpperCase()} in ${t.node}`;
  if (p.at) {
    const last = request[request.length - 1];
    if (!last || last.node !== p.at.node || last.hook !== p.at.hook) return `it ended at ${last ? `${last.hook?.toUpperCase() ?? '?'} in ${last.node}` : 'no hook'}, not ${p.at.hook.toUpperCase()} in ${p.at.node}`;
    if (p.at.policy !== undefined && last.byPolicy !== p.at.policy) return p.at.policy ? `a rule decided it (${last.rules.map((r) => r.iptables ?? r.nft).join('; ')}), not the chain's policy` : "the chain's policy decided it, not a rule";
  }
  return null;
}

export async function traceProbe(ctx: HelperContext, p: TraceProbe): Promise<Outcome> {
  const walk = await runTrace(ctx, { from: p.from, to: p.to, proto: p.proto, dport: p.dport, timeoutMs: 1500 }, () => undefined);
  const miss = judgeWalk(walk, p);
  const fate = walk.fates.find((f) => f.direction === 'request');
  const expected = [
    `a ${p.proto} probe ${p.from} → ${p.to}${p.fate ? ` is ${p.fate}` : ' is traced'}`,
    ...p.through.map((t) => `passes ${t.hook.toUpperCase()} in ${t.node}`),
    ...(p.at ? [`ends at ${p.at.hook.toUpperCase()} in ${p.at.node}${p.at.policy ? ' by its policy' : p.at.policy === false ? ' by a rule' : ''}`] : []),
  ].join(', ');
  return {
    ok: miss === null,
    expected,
    observed: `${walkPath(walk)}: ${fate?.detail ?? 'no fate'}${miss ? ` (${miss})` : ''}`,
    where: `nslab trace --from ${p.from} --to ${p.to}${p.proto === 'icmp' ? '' : ` --proto ${p.proto}`}${p.dport ? ` --dport ${p.dport}` : ''}  (or the Firewall panel's Trace)`,
  };
}
