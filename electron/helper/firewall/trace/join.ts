// Joins the trace lines of every namespace's listener into one ordered walk per direction. Pure.
// - A *pass* is one packet through one base chain in one namespace: the `packet:` line opens it, the rule,
//   policy and verdict lines of that chain (and of the chains it jumps to) fill it.
// - Passes belong to the request when they carry the request's IP id (forwarding and NAT keep it), to an
//   error when they are ICMP errors, to the reply otherwise.
// - Within a direction, namespaces are ordered by the TTL the packet arrived with (each router takes one),
//   the sender (whose first hook is output) first, a namespace that delivers it (input) after one that only
//   bridged it at the same TTL; within a namespace, by the kernel's own order.
import type { Hook, NatRewrite, TraceDirection, TraceFate, TraceHop, TracePacket, TraceProtocol, TraceRuleHit } from '../../../shared/contract/index.js';
import { HOOKS } from '../../../shared/contract/index.js';
import { nodeOf } from '../../../shared/names.js';
import type { TimedTraceLine } from './listener.js';
import { TRACE_PRIORITY, TRACE_TABLE } from './table.js';

/** Where chains hook and what a rule handle is: resolved against a fresh `nft -j -a list ruleset`. */
export interface RuleIndex {
  chain(netns: string, family: string, table: string, chain: string): { hook: Hook | null; priority: number | null } | null;
  rule(netns: string, family: string, table: string, chain: string, handle: number): { nft: string; iptables: string | null } | null;
}

export interface JoinInput {
  lines: TimedTraceLine[];
  proto: TraceProtocol;
  marker: number;
  from: string;
  index: RuleIndex;
}

export interface JoinedWalk {
  hops: TraceHop[];
  fates: TraceFate[];
  unjoined: number;
}

interface Pass {
  netns: string;
  id: string;
  family: string;
  table: string;
  chain: string;
  order: number;
  packet: TracePacket;
  rules: TraceRuleHit[];
  /** Rules of nslab's own observer chain (one per conntrack state): they say what conntrack decided. */
  observed: { handle: number | null; text: string }[];
  verdict: string | null;
  byPolicy: boolean;
}

const BUILTIN_HOOK: Record<string, Hook> = { PREROUTING: 'prerouting', INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output', POSTROUTING: 'postrouting' };
const FINAL = /^(accept|drop|reject|queue|stolen)\b/;
const ICMP_ECHO = new Set(['echo-request', 'echo-reply']);
const NAT_RULE = /\b(masquerade|snat|dnat|redirect)\b/i;

function passesOf(lines: TimedTraceLine[]): { passes: Pass[]; unjoined: number } {
  const passes: Pass[] = [];
  let unjoined = 0;
  const open = new Map<string, Pass>(); // (netns, trace id, table, chain) → the pass being filled
  const lastOfPacket = new Map<string, Pass>(); // (netns, trace id) → the latest base-chain pass
  for (const { netns, order, line } of [...lines].sort((a, b) => a.order - b.order)) {
    const packetKey = `${netns}|${line.id}`;
    const key = `${packetKey}|${line.family}|${line.table}|${line.chain}`;
    if (line.kind === 'packet') {
      const pass: Pass = { netns, id: line.id, family: line.family, table: line.table, chain: line.chain, order, packet: line.packet, rules: [], observed: [], verdict: null, byPolicy: false };
      passes.push(pass);
      open.set(key, pass);
      lastOfPacket.set(packetKey, pass);
      continue;
    }
    // A chain jumped to prints no packet line: its lines belong to the base chain's pass.
    const pass = open.get(key) ?? lastOfPacket.get(packetKey);
    if (!pass) {
      unjoined++;
      continue;
    }
    if (line.kind === 'rule') {
      if (line.table === TRACE_TABLE) pass.observed.push({ handle: line.handle, text: line.text });
      else pass.rules.push({ chain: line.chain, handle: line.handle, nft: line.text, iptables: null, verdict: line.verdict });
      // accept/drop in a chain jumped to end the base chain too; a return only ends the chain it is in.
      if (FINAL.test(line.verdict) || (line.verdict === 'return' && line.chain === pass.chain)) pass.verdict = line.verdict;
    } else if (line.kind === 'policy') {
      pass.verdict = line.verdict;
      pass.byPolicy = true;
    } else if (line.chain === pass.chain) {
      pass.verdict = line.verdict;
    }
  }
  return { passes, unjoined };
}

function directionOf(p: TracePacket, requestIpId: number | undefined, proto: TraceProtocol, marker: number): TraceDirection {
  if (p.protocol === 'icmp' && p.icmpType && !ICMP_ECHO.has(p.icmpType)) return 'error';
  if (requestIpId !== undefined && p.ipId !== undefined) return p.ipId === requestIpId ? 'request' : 'reply';
  if (proto === 'icmp') return p.icmpType === 'echo-reply' ? 'reply' : 'request';
  return p.sport === marker ? 'request' : 'reply';
}

function hookOf(pass: Pass, index: RuleIndex, previous: Hook | null): { hook: Hook | null; priority: number | null } {
  if (pass.table === TRACE_TABLE && (HOOKS as readonly string[]).includes(pass.chain)) return { hook: pass.chain as Hook, priority: TRACE_PRIORITY };
  const known = index.chain(pass.netns, pass.family, pass.table, pass.chain);
  if (known?.hook) return known;
  return { hook: BUILTIN_HOOK[pass.chain] ?? previous, priority: known?.priority ?? null };
}

const ruleLabel = (r: TraceRuleHit): string => r.iptables ?? r.nft;

const NAT_FIELDS = ['saddr', 'sport', 'daddr', 'dport', 'icmpId'] as const;

function rewrites(prev: TraceHop, hop: TraceHop, direction: TraceDirection, lastNatRule: string | null, requestNatRule: string | null): NatRewrite[] {
  const out: NatRewrite[] = [];
  for (const field of NAT_FIELDS) {
    const from = prev.packet[field];
    const to = hop.packet[field];
    if (from === undefined || to === undefined || from === to) continue;
    if (direction === 'request') out.push({ field, from, to, kind: field === 'saddr' || field === 'sport' ? 'snat' : 'dnat', rule: lastNatRule });
    else out.push({ field, from, to, kind: 'de-nat', rule: requestNatRule });
  }
  return out;
}

function fateOf(direction: TraceDirection, hops: TraceHop[]): TraceFate {
  const last = hops[hops.length - 1];
  if (!last) return { direction, kind: 'not-seen', netns: null, detail: `no ${direction} packet was seen in any traced namespace`, rule: null };
  const where = last.node;
  if (/^(drop|reject)/.test(last.verdict)) {
    const rule = last.byPolicy ? null : [...last.rules].reverse().find((r) => /^(drop|reject)/.test(r.verdict));
    return rule
      ? { direction, kind: 'dropped', netns: last.netns, detail: `dropped in ${where} by ${last.table} ${rule.chain} rule: ${ruleLabel(rule)}`, rule: ruleLabel(rule) }
      : { direction, kind: 'dropped', netns: last.netns, detail: `dropped in ${where} by the ${last.chain} policy ${last.verdict.toUpperCase()} (${last.table} table, ${last.hook ?? 'unknown'} hook)`, rule: null };
  }
  if (last.hook === 'input') return { direction, kind: 'delivered', netns: last.netns, detail: `delivered to the local stack of ${where}${last.packet.iif ? ` (in on ${last.packet.iif})` : ''}`, rule: null };
  if (last.hook === 'postrouting') return { direction, kind: 'left', netns: last.netns, detail: `left ${where} on ${last.packet.oif ?? 'an interface'} towards a namespace nslab does not trace`, rule: null };
  if (last.hook === 'prerouting') return { direction, kind: 'not-routed', netns: last.netns, detail: `arrived in ${where}${last.packet.iif ? ` on ${last.packet.iif}` : ''} and went no further: no route, rp_filter, or not forwarding`, rule: null };
  return { direction, kind: 'not-routed', netns: last.netns, detail: `last seen in ${where} at ${last.hook ?? 'an unknown hook'} (${last.table} ${last.chain}); no later hook saw it`, rule: null };
}

export function joinTrace({ lines, proto, marker, from, index }: JoinInput): JoinedWalk {
  const { passes, unjoined } = passesOf(lines);
  const requestIpId = passes.find((p) => p.netns === from && p.table === TRACE_TABLE && p.chain === 'output')?.packet.ipId;
  const byDirection = new Map<TraceDirection, Pass[]>();
  for (const pass of passes) {
    const d = directionOf(pass.packet, requestIpId, proto, marker);
    byDirection.set(d, [...(byDirection.get(d) ?? []), pass]);
  }
  const hops: TraceHop[] = [];
  const fates: TraceFate[] = [];
  let requestNatRule: string | null = null;
  for (const direction of ['request', 'reply', 'error'] as const) {
    const list = byDirection.get(direction) ?? [];
    if (direction !== 'request' && list.length === 0) continue;
    // Segments: one packet's passes in one namespace (one trace id there).
    const segments = new Map<string, Pass[]>();
    for (const p of list) segments.set(`${p.netns}|${p.id}`, [...(segments.get(`${p.netns}|${p.id}`) ?? []), p]);
    const ordered = [...segments.values()].sort((a, b) => {
      const ttl = (s: Pass[]): number => s[0]!.packet.ttl ?? 0;
      const local = (s: Pass[]): number => (s[0]!.table === TRACE_TABLE && s[0]!.chain === 'output' ? 1 : 0);
      // A bridge keeps the TTL: of two namespaces seeing the same TTL, the one that delivers the packet to
      // its own stack (input) comes after the one that only switched or forwarded it.
      const delivers = (s: Pass[]): number => (s.some((p) => p.table === TRACE_TABLE && p.chain === 'input') ? 1 : 0);
      return ttl(b) - ttl(a) || local(b) - local(a) || delivers(a) - delivers(b) || a[0]!.order - b[0]!.order;
    });
    const walk: TraceHop[] = [];
    let lastNatRule: string | null = null;
    for (const segment of ordered) {
      let hook: Hook | null = null;
      for (const pass of segment) {
        const placed = hookOf(pass, index, hook);
        hook = placed.hook;
        const rules = pass.rules.map((r) => {
          const resolved = r.handle === null ? null : index.rule(pass.netns, pass.family, pass.table, r.chain, r.handle);
          return resolved ? { ...r, nft: r.nft || resolved.nft, iptables: resolved.iptables } : { ...r, nft: r.nft || `rule ${r.handle ?? '?'} of ${pass.table} ${r.chain} (removed since)` };
        });
        const ct = pass.observed
          .map((o) => o.text || (o.handle === null ? '' : (index.rule(pass.netns, pass.family, pass.table, pass.chain, o.handle)?.nft ?? '')))
          .map((text) => /^ct state (\w+)$/.exec(text)?.[1])
          .find((state) => state !== undefined);
        const hop: TraceHop = {
          direction,
          netns: pass.netns,
          node: nodeOf(pass.netns),
          hook: placed.hook,
          family: pass.family,
          table: pass.table,
          chain: pass.chain,
          priority: placed.priority,
          observer: pass.table === TRACE_TABLE,
          packet: pass.packet,
          rules,
          verdict: pass.verdict ?? 'continue',
          byPolicy: pass.byPolicy,
          ct: ct ?? null,
          nat: [],
        };
        const prev = walk[walk.length - 1];
        if (prev) hop.nat = rewrites(prev, hop, direction, lastNatRule, requestNatRule);
        const natHit = [...rules].reverse().find((r) => NAT_RULE.test(r.nft) || (pass.table === 'nat' && /^accept/.test(r.verdict)));
        if (natHit) lastNatRule = ruleLabel(natHit);
        walk.push(hop);
      }
    }
    if (direction === 'request') requestNatRule = walk.flatMap((h) => h.nat).find((n) => n.rule)?.rule ?? lastNatRule;
    hops.push(...walk);
    fates.push(fateOf(direction, walk));
  }
  return { hops, fates, unjoined };
}
