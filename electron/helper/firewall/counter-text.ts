// Brief counter sweeps: `iptables-nft-save -c` and `nft -a list ruleset`, without nft's JSON. Where every
// table of a namespace is nf_tables' (the iptables-nft backend, no legacy tables), nft's text holds every
// rule's counter (iptables-nft's rules are nf_tables rules) and iptables-nft-save the built-in chains'
// policy counters (which nft prints nowhere): together a third of the bytes the full read takes, and
// all a sweep whose shape did not change needs. Each counter is placed once per shape: a rule's by its
// handle, the key its id was made from; a policy's by its `:CHAIN POLICY [p:b]` line. Pure, unit-tested.
import type { FwRuleset } from '../../shared/contract/firewall.js';
import { scanPart, type PartScan, type Slots } from './counter-scan.js';
import { nftRuleKey, walkNftText } from './nft-parse.js';

/** What a brief sweep reads of one namespace. */
export interface BriefTexts {
  nfSave: string;
  nftText: string;
}

/** nft's text taken apart: the text without counter numbers, and the numbers (packets, bytes) in order. */
export interface TextScan {
  raw: string;
  shape: string;
  values: number[];
}

/** Both parts taken apart; `values` is the save's then the text's (what the slots index). */
export interface BriefScan {
  save: PartScan;
  text: TextScan;
  values: number[];
}

// A quoted string first, so that a comment reading "counter packets 1 bytes 2" is passed over.
const TEXT_COUNTER = /"[^"\n]*"|\bcounter packets (\d+) bytes (\d+)/g;
const SAVE_COUNTER = /\[(\d+):(\d+)\]/g;

function scanNftText(raw: string, prev: TextScan | undefined): TextScan {
  if (prev && prev.raw === raw) return prev;
  const values: number[] = [];
  const shape = raw.replace(TEXT_COUNTER, (m, p: string | undefined, b: string) => (p === undefined ? m : (values.push(Number(p), Number(b)), 'counter')));
  return { raw, shape, values };
}

/** The texts taken apart; a part whose text is the same as in `prev` is not scanned again. */
export function scanBrief(t: BriefTexts, prev?: BriefScan | null): BriefScan {
  const save = scanPart(t.nfSave, true, prev?.save);
  const text = scanNftText(t.nftText, prev?.text);
  return save === prev?.save && text === prev.text ? prev : { save, text, values: [...save.values, ...text.values] };
}

export const sameBriefShape = (a: BriefScan | null, b: BriefScan): boolean => !!a && a.save.shape === b.save.shape && a.text.shape === b.text.shape;

/**
 * Places every counter of the ruleset (the full parse of the same reads) in the brief scan. null when
 * one cannot be: legacy tables, a rule known by no handle, a rule line with more than one counter or
 * none, a policy with no line of its own — then this namespace is swept in full.
 */
export function briefSlotsOf(scan: BriefScan, rs: FwRuleset): Slots | null {
  if (rs.legacyTables) return null;
  const policyAt = new Map<string, number>();
  let k = 0;
  let table = '';
  for (const line of scan.save.bare.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    const policy = /^:(\S+) \S+ \[\d+:\d+\]$/.exec(line);
    if (policy) policyAt.set(`iptables-nft/ip/${table}/${policy[1]}`, k);
    k += line.match(SAVE_COUNTER)?.length ?? 0;
  }
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
      if (c.packets !== null) {
        const at = policyAt.get(`${t.source}/${t.family}/${t.name}/${c.name}`);
        if (at === undefined) return null;
        policies.push([`${t.source}/${t.family}/${t.name}/${c.name}`, at]);
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
