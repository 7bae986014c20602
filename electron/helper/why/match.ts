// The match engine: does this rule match this packet? Over the rules as nslab reads them (iptables words,
// nft text): addresses, protocol, ports, interfaces, conntrack state, ICMP type and the common targets.
// What it cannot model answers `unknown` (taken as not matching, reported as a warning). Pure.
import type { FwChain, FwRule, FwRuleset, FwTable } from '../../shared/contract/index.js';
import { inSubnet, ipToInt, isIpv4 } from './ipv4.js';

export type CtState = 'new' | 'established' | 'related' | 'invalid';

export interface Packet {
  saddr: string;
  daddr: string;
  proto: 'icmp' | 'tcp' | 'udp';
  sport?: number;
  dport?: number;
  icmpType?: 'echo-request' | 'echo-reply';
  /** Input interface (absent for a locally generated packet). */
  iif?: string;
  oif?: string;
  ct: CtState;
}

type Tri = 'yes' | 'no' | 'unknown';

export interface Target {
  kind: 'accept' | 'drop' | 'reject' | 'return' | 'jump' | 'goto' | 'dnat' | 'snat' | 'masquerade' | 'continue';
  chain?: string;
  /** dnat/snat: `ADDR[:PORT]`. */
  to?: string;
}

export interface RuleMatch {
  match: Tri;
  target: Target;
  /** The rule tests the conntrack state. */
  usesCt: boolean;
}

const PROTO_NUM: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp' };

const and = (a: Tri, b: Tri): Tri => (a === 'no' || b === 'no' ? 'no' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'yes');
const neg = (t: Tri, n: boolean): Tri => (!n || t === 'unknown' ? t : t === 'yes' ? 'no' : 'yes');
const bool = (b: boolean): Tri => (b ? 'yes' : 'no');

function addrMatch(ip: string, value: string): Tri {
  const parts = value.split(',');
  let any: Tri = 'no';
  for (const v of parts) {
    if (v.includes('-')) {
      const [a, b] = v.split('-');
      if (!isIpv4(a!) || !isIpv4(b!)) return 'unknown';
      if (ipToInt(ip) >= ipToInt(a!) && ipToInt(ip) <= ipToInt(b!)) any = 'yes';
      continue;
    }
    const base = v.split('/')[0]!;
    if (!isIpv4(base)) return 'unknown';
    // iptables-save prints /32 for a host; a dotted mask is rare enough to call unknown
    if (/\/\d+\.\d+/.test(v)) return 'unknown';
    if (inSubnet(ip, v)) any = 'yes';
  }
  return any;
}

function portMatch(port: number | undefined, value: string): Tri {
  if (port === undefined) return 'unknown';
  for (const v of value.split(',')) {
    const [a, b] = v.split(/[:-]/);
    const lo = a === '' ? 0 : Number(a);
    const hi = b === undefined ? lo : b === '' ? 65535 : Number(b);
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'unknown';
    if (port >= lo && port <= hi) return 'yes';
  }
  return 'no';
}

function ifMatch(name: string | undefined, value: string): Tri {
  if (name === undefined) return 'no';
  return bool(value.endsWith('+') ? name.startsWith(value.slice(0, -1)) : name === value);
}

function protoMatch(p: Packet, value: string): Tri {
  const v = PROTO_NUM[value] ?? value.toLowerCase();
  if (v === 'all' || v === '0') return 'yes';
  if (v === 'icmp' || v === 'tcp' || v === 'udp') return bool(p.proto === v);
  return 'no';
}

function ctMatch(p: Packet, value: string): Tri {
  return bool(value.toLowerCase().split(',').map((s) => s.trim()).includes(p.ct));
}

function icmpTypeMatch(p: Packet, value: string): Tri {
  if (p.proto !== 'icmp') return 'no';
  const v = value.split('/')[0]!.toLowerCase();
  if (v === 'any') return 'yes';
  const name = v === '8' ? 'echo-request' : v === '0' ? 'echo-reply' : v;
  return bool(p.icmpType === name);
}

/** Options whose value is not a match (or that do not change what matches, for our probes). */
const IGNORED_WITH_VALUE = new Set(['--comment', '--log-prefix', '--log-level', '--limit', '--limit-burst', '--set-mark', '--set-xmark', '--reject-with', '--to-ports', '--mode']);
const KNOWN_MODULES = new Set(['comment', 'tcp', 'udp', 'icmp', 'conntrack', 'state', 'multiport', 'limit']);

/** iptables-save words: `-s 10.0.0.0/24 -p tcp -m tcp --dport 80 -j DROP`. */
export function matchIptables(words: readonly string[], p: Packet): RuleMatch {
  let match: Tri = 'yes';
  let usesCt = false;
  let target: Target = { kind: 'continue' };
  let negate = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = (): string => words[++i] ?? '';
    let t: Tri | null = null;
    switch (w) {
      case '!':
        negate = true;
        continue;
      case '-s': case '--source': t = addrMatch(p.saddr, value()); break;
      case '-d': case '--destination': t = addrMatch(p.daddr, value()); break;
      case '-p': case '--protocol': t = protoMatch(p, value()); break;
      case '-i': case '--in-interface': t = ifMatch(p.iif, value()); break;
      case '-o': case '--out-interface': t = ifMatch(p.oif, value()); break;
      case '--dport': case '--destination-port': case '--dports': case '--destination-ports': t = portMatch(p.dport, value()); break;
      case '--sport': case '--source-port': case '--sports': case '--source-ports': t = portMatch(p.sport, value()); break;
      case '--ctstate': case '--state': usesCt = true; t = ctMatch(p, value()); break;
      case '--icmp-type': t = icmpTypeMatch(p, value()); break;
      case '--syn': t = bool(p.proto === 'tcp' && p.ct === 'new'); break;
      case '-m': case '--match': {
        const m = value();
        if (!KNOWN_MODULES.has(m)) t = 'unknown';
        break;
      }
      case '-j': case '--jump': case '-g': case '--goto': {
        const name = value();
        const rest = words.slice(i + 1);
        const opt = (o: string): string | undefined => { const k = rest.indexOf(o); return k >= 0 ? rest[k + 1] : undefined; };
        const up = name.toUpperCase();
        if (up === 'ACCEPT') target = { kind: 'accept' };
        else if (up === 'DROP') target = { kind: 'drop' };
        else if (up === 'REJECT') target = { kind: 'reject' };
        else if (up === 'RETURN') target = { kind: 'return' };
        else if (up === 'DNAT') target = { kind: 'dnat', ...(opt('--to-destination') ? { to: opt('--to-destination')! } : {}) };
        else if (up === 'SNAT') target = { kind: 'snat', ...(opt('--to-source') ? { to: opt('--to-source')! } : {}) };
        else if (up === 'MASQUERADE') target = { kind: 'masquerade' };
        else if (/^[A-Z]+$/.test(name) && ['LOG', 'MARK', 'CONNMARK', 'CT', 'NOTRACK', 'TRACE', 'NFLOG', 'CHECKSUM', 'TCPMSS', 'CLASSIFY', 'TOS', 'TTL'].includes(name)) target = { kind: 'continue' };
        else target = { kind: w === '-g' || w === '--goto' ? 'goto' : 'jump', chain: name };
        i = words.length;
        continue;
      }
      default:
        if (IGNORED_WITH_VALUE.has(w)) { i++; break; }
        if (w.startsWith('-')) {
          t = 'unknown';
          if (words[i + 1] !== undefined && !words[i + 1]!.startsWith('-') && words[i + 1] !== '!') i++;
        }
    }
    if (t !== null) match = and(match, neg(t, negate));
    negate = false;
  }
  return { match, target, usesCt };
}

/** Splits nft rule text into words, a `{ a, b }` set becoming one word `a,b`. */
function nftWords(text: string): string[] {
  const out: string[] = [];
  const re = /\{[^}]*\}|"[^"]*"|\S+/g;
  for (const m of text.matchAll(re)) {
    const w = m[0];
    out.push(w.startsWith('{') ? w.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean).join(',') : w.replace(/^"|"$/g, ''));
  }
  return out;
}

/** nft rule text as `nft list` prints it: `ip saddr 10.0.0.0/24 tcp dport 80 counter drop`. */
export function matchNft(text: string, p: Packet): RuleMatch {
  const w = nftWords(text);
  let match: Tri = 'yes';
  let usesCt = false;
  let target: Target = { kind: 'continue' };
  let i = 0;
  const op = (): boolean => {
    if (w[i] === '!=') { i++; return true; }
    if (w[i] === '==') i++;
    return false;
  };
  while (i < w.length) {
    const a = w[i]!;
    const b = w[i + 1];
    let t: Tri | null = null;
    if ((a === 'ip' && (b === 'saddr' || b === 'daddr')) ) {
      i += 2;
      const n = op();
      t = neg(addrMatch(b === 'saddr' ? p.saddr : p.daddr, w[i++] ?? ''), n);
    } else if ((a === 'ip' && b === 'protocol') || (a === 'meta' && b === 'l4proto')) {
      i += 2;
      const n = op();
      const vals = (w[i++] ?? '').split(',');
      t = neg(vals.some((v) => protoMatch(p, v) === 'yes') ? 'yes' : 'no', n);
    } else if ((a === 'tcp' || a === 'udp' || a === 'th') && (b === 'dport' || b === 'sport')) {
      i += 2;
      const n = op();
      const proto: Tri = a === 'th' ? bool(p.proto !== 'icmp') : bool(p.proto === a);
      t = and(proto, neg(portMatch(b === 'dport' ? p.dport : p.sport, w[i++] ?? ''), n));
    } else if (a === 'iifname' || a === 'oifname' || a === 'iif' || a === 'oif') {
      i += 1;
      const n = op();
      const vals = (w[i++] ?? '').split(',');
      const name = a.startsWith('i') ? p.iif : p.oif;
      t = neg(vals.some((v) => ifMatch(name, v.replace(/\*$/, '+')) === 'yes') ? 'yes' : 'no', n);
    } else if (a === 'ct' && b === 'state') {
      i += 2;
      const n = op();
      usesCt = true;
      t = neg(ctMatch(p, w[i++] ?? ''), n);
    } else if (a === 'icmp' && b === 'type') {
      i += 2;
      const n = op();
      const vals = (w[i++] ?? '').split(',');
      t = neg(vals.some((v) => icmpTypeMatch(p, v) === 'yes') ? 'yes' : 'no', n);
    } else if (a === 'counter') {
      i += 1;
      if (w[i] === 'packets') i += 4;
    } else if (a === 'comment' || a === 'prefix') {
      i += 2;
    } else if (a === 'log' || a === 'meta' && b === 'nftrace') {
      i += a === 'log' ? 1 : 4;
    } else if (a === 'accept' || a === 'drop' || a === 'return' || a === 'continue') {
      target = { kind: a };
      i = w.length;
    } else if (a === 'reject') {
      target = { kind: 'reject' };
      i = w.length;
    } else if (a === 'jump' || a === 'goto') {
      target = { kind: a, chain: b ?? '' };
      i = w.length;
    } else if (a === 'masquerade') {
      target = { kind: 'masquerade' };
      i = w.length;
    } else if (a === 'dnat' || a === 'snat') {
      const k = w.indexOf('to', i);
      target = { kind: a, ...(k >= 0 && w[k + 1] ? { to: w[k + 1]! } : {}) };
      i = w.length;
    } else {
      t = 'unknown';
      i += 1;
    }
    if (t !== null) match = and(match, t);
  }
  return { match, target, usesCt };
}

export function matchRule(rule: FwRule, p: Packet): RuleMatch {
  if (rule.words) return matchIptables(rule.words, p);
  if (rule.nft) return matchNft(rule.nft, p);
  return { match: 'unknown', target: { kind: 'continue' }, usesCt: false };
}

export interface ChainOutcome {
  /** The deciding target; null when the chain fell through (its policy decides a base chain). */
  target: Target | null;
  rule: FwRule | null;
  /** The chain the deciding rule is in (a jumped-to chain, or the base chain). */
  chain: string;
  usesCt: boolean;
  /** Rules that might drop but could not be evaluated. */
  unknown: FwRule[];
}

const TERMINAL = new Set(['accept', 'drop', 'reject', 'dnat', 'snat', 'masquerade']);

export function evalChain(table: FwTable, chain: FwChain, p: Packet, depth = 0): ChainOutcome {
  const unknown: FwRule[] = [];
  for (const rule of chain.rules) {
    const m = matchRule(rule, p);
    if (m.match === 'unknown') {
      if (m.target.kind === 'drop' || m.target.kind === 'reject') unknown.push(rule);
      continue;
    }
    if (m.match === 'no') continue;
    if (TERMINAL.has(m.target.kind)) return { target: m.target, rule, chain: chain.name, usesCt: m.usesCt, unknown };
    if (m.target.kind === 'return') return { target: null, rule, chain: chain.name, usesCt: m.usesCt, unknown };
    if ((m.target.kind === 'jump' || m.target.kind === 'goto') && depth < 16) {
      const sub = table.chains.find((c) => c.name === m.target.chain);
      if (!sub) continue;
      const r = evalChain(table, sub, p, depth + 1);
      unknown.push(...r.unknown);
      if (r.target) return { ...r, usesCt: r.usesCt || m.usesCt };
      if (m.target.kind === 'goto') return { target: null, rule, chain: chain.name, usesCt: m.usesCt, unknown };
    }
  }
  return { target: null, rule: null, chain: chain.name, usesCt: false, unknown };
}

export type NfHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface HookStep {
  table: FwTable;
  chain: FwChain;
  outcome: ChainOutcome;
  /** accept/drop/reject (a nat target counts as accept), and whether the policy decided. */
  verdict: 'accept' | 'drop' | 'reject';
  byPolicy: boolean;
}

/** Every base chain on one hook in priority order, until one drops. nat chains only see a flow's first packet. */
export function evalHook(rules: FwRuleset, hook: NfHook, p: Packet): HookStep[] {
  const chains = rules.tables
    .filter((t) => t.name !== 'nslab_trace' && (t.family === 'ip' || t.family === 'inet'))
    .flatMap((t) => t.chains.filter((c) => c.hook === hook && c.type !== null).map((c) => ({ t, c })))
    .sort((a, b) => (a.c.priority ?? 0) - (b.c.priority ?? 0));
  const steps: HookStep[] = [];
  for (const { t, c } of chains) {
    if (c.type === 'nat' && p.ct !== 'new') continue;
    const outcome = evalChain(t, c, p);
    const decided = outcome.target?.kind ?? (c.policy ?? 'accept').toLowerCase();
    const verdict = decided === 'drop' ? 'drop' : decided === 'reject' ? 'reject' : 'accept';
    steps.push({ table: t, chain: c, outcome, verdict, byPolicy: outcome.target === null });
    if (verdict !== 'accept') break;
  }
  return steps;
}
