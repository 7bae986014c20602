// Brief counter sweeps: `iptables-nft-save -c` and `nft -a list ruleset`, without nft's JSON. Where every
// table of a namespace is nf_tables' (the iptables-nft backend, no legacy tables), nft's text holds every
// rule's counter (iptables-nft's rules are nf_tables rules) and iptables-nft-save the built-in chains'
// policy counters (which nft prints nowhere): together a third of the bytes the full read takes, and
// all a sweep whose shape did not change needs. Each counter is placed once per shape: a rule's by its
// handle, the key its id was made from; a policy's by its `:CHAIN POLICY [p:b]` line. Pure, unit-tested.
import type { FwRuleset } from '../../shared/contract/firewall.js';
import { policyId, type Counter, type Counters, type Slots } from './counter-scan.js';
import { nftRuleKey, walkNftText } from './nft-parse.js';

/** What a brief sweep reads of one namespace. */
export interface BriefTexts {
  nfSave: string;
  nftText: string;
}

/** A text taken apart: without its counter numbers, and the numbers (packets, bytes) in order. */
export interface TextScan {
  raw: string;
  shape: string;
  values: number[];
}

/** iptables-nft-save's policy lines taken apart: their ids (`iptables-nft/ip/<table>/<chain>`) too. */
export interface PolicyScan extends TextScan {
  ids: string[];
}

/** Both parts taken apart; `values` is the policies' then the text's (what the slots index). */
export interface BriefScan {
  save: PolicyScan;
  text: TextScan;
  values: number[];
}

// A quoted string first, so that a comment reading "counter packets 1 bytes 2" is passed over.
const TEXT_COUNTER = /"[^"\n]*"|\bcounter packets (\d+) bytes (\d+)/g;
const POLICY_LINE = /^:(\S+) (\S+) \[(\d+):(\d+)\]$/;

function scanNftText(raw: string, prev: TextScan | undefined): TextScan {
  if (prev && prev.raw === raw) return prev;
  const values: number[] = [];
  const shape = raw.replace(TEXT_COUNTER, (m, p: string | undefined, b: string) => (p === undefined ? m : (values.push(Number(p), Number(b)), 'counter')));
  return { raw, shape, values };
}

/**
 * Only the `*table` and `:CHAIN POLICY [p:b]` lines of iptables-nft-save count here: its rules, with
 * their counters, are in nft's text too. Walked by line starts, without a regex over the whole text.
 */
function scanPolicies(raw: string): PolicyScan {
  const ids: string[] = [];
  const values: number[] = [];
  let shape = '';
  let table = '';
  for (let at = 0; at < raw.length; ) {
    const eol = raw.indexOf('\n', at);
    const end = eol === -1 ? raw.length : eol;
    const first = raw[at];
    if (first === '*') table = raw.slice(at + 1, end);
    else if (first === ':') {
      const m = POLICY_LINE.exec(raw.slice(at, end));
      if (m) {
        ids.push(policyId('iptables-nft', 'ip', table, m[1]!));
        values.push(Number(m[3]), Number(m[4]));
        shape += `${table} ${m[1]} ${m[2]}\n`;
      } else shape += `${raw.slice(at, end)}\n`;
    }
    at = end + 1;
  }
  return { raw, shape, values, ids };
}

/** The texts taken apart; nft's text, when the same as in `prev`, is not scanned again. */
export function scanBrief(t: BriefTexts, prev?: BriefScan | null): BriefScan {
  const save = scanPolicies(t.nfSave);
  const text = scanNftText(t.nftText, prev?.text);
  return { save, text, values: [...save.values, ...text.values] };
}

export const sameBriefShape = (a: BriefScan | null, b: BriefScan): boolean => !!a && a.save.shape === b.save.shape && a.text.shape === b.text.shape;

/**
 * Places every counter of the ruleset (the full parse of the same reads) in the brief scan. null when
 * one cannot be: legacy tables, a rule known by no handle, a rule line with more than one counter or
 * none, a policy with no line of its own — then this namespace is swept in full.
 */
export function briefSlotsOf(scan: BriefScan, rs: FwRuleset): Slots | null {
  if (rs.legacyTables) return null;
  const policyAt = new Map(scan.save.ids.map((id, i) => [id, i]));
  let k = scan.save.ids.length;
  const ruleAt = new Map<string, { first: number; count: number }>();
  walkNftText(scan.text.raw, (line, rule) => {
    let count = 0;
    for (const m of line.matchAll(TEXT_COUNTER)) if (m[1] !== undefined) count++;
    if (rule) ruleAt.set(rule.key, { first: k, count });
    k += count;
  });
  if (k !== scan.values.length / 2) return null;
  const rules: [string, number][] = [];
  const policies: [string, number][] = [];
  for (const t of rs.tables) {
    for (const c of t.chains) {
      const policy = policyId(t.source, t.family, t.name, c.name);
      if (c.packets !== null) {
        const at = policyAt.get(policy);
        if (at === undefined) return null;
        policies.push([policy, at]);
      }
      for (const r of c.rules) {
        if (r.packets === null) continue;
        const place = r.handle === null ? undefined : ruleAt.get(nftRuleKey(t.family, t.name, c.name, r.handle));
        if (!place || place.count !== 1) return null;
        rules.push([r.id, place.first]);
      }
    }
  }
  return { rules, policies };
}

/** What moved between two brief scans of the same shape: the counters (prev's, with only those whose
 * numbers changed new) and the ids of those. */
export interface Moved {
  counters: Counters;
  rules: string[];
  policies: string[];
}

export function countersMoved(slots: Slots, before: readonly number[], values: readonly number[], prev: Counters): Moved {
  const read = (list: [string, number][], was: Map<string, Counter>, ids: string[]): Map<string, Counter> => {
    const out = new Map(was);
    for (const [id, i] of list) {
      if (values[2 * i] === before[2 * i] && values[2 * i + 1] === before[2 * i + 1]) continue;
      out.set(id, { packets: values[2 * i]!, bytes: values[2 * i + 1]! });
      ids.push(id);
    }
    return out;
  };
  const rules: string[] = [];
  const policies: string[] = [];
  return { counters: { rules: read(slots.rules, prev.rules, rules), policies: read(slots.policies, prev.policies, policies) }, rules, policies };
}
