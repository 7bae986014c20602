// iptables inside nslab namespaces: rules go in with `iptables-restore --noflush` (one atomic batch per
// table set, rules on stdin) and each carries `-m comment --comment nslab:<owner>`; removal deletes exactly
// the rules with that comment. The root namespace is read, never written.
import type { FirewallRule } from '../../shared/labs/index.js';
import { NslabError } from '../../shared/errors.js';
import { isMarked } from '../../shared/names.js';
import { shellLine } from '../../shared/shell.js';
import { run } from '../exec/run.js';
import { inNetns, type FwNetns } from './netns.js';
import { parseIptablesSave, type IptablesTable } from './parse.js';

export type { FwNetns } from './netns.js';

function requireOwnNetns(netns: FwNetns): asserts netns is string {
  if (netns === null || !isMarked(netns)) {
    throw new NslabError('permission-denied', `nslab writes firewall rules only inside its own namespaces, not in ${netns ?? 'the root namespace'}`, { field: 'node' });
  }
}

const SAFE_RULE_WORD = /^[A-Za-z0-9_.:/,!=+-]+$/;
const COMMENT_RE = /^nslab:[A-Za-z0-9_.:-]+$/;

/** Every table with its chains, policies, rules and counters (`iptables-save -c`). */
export async function readRules(netns: FwNetns): Promise<IptablesTable[]> {
  const { stdout } = await run(inNetns(netns, ['iptables-save', '-c']));
  return parseIptablesSave(stdout);
}

/** The rule words iptables-restore gets: the nslab comment first, then the rule. */
export const ruleWords = (rule: FirewallRule, comment: string): string[] => ['-m', 'comment', '--comment', comment, ...rule.rule];

/** What a person would type for one rule. */
export const ruleShell = (netns: string, rule: FirewallRule, comment: string): string =>
  shellLine(['ip', 'netns', 'exec', netns, 'iptables', '-t', rule.table, rule.insert ? '-I' : '-A', rule.chain, ...ruleWords(rule, comment)]);

function restoreInput(blocks: Map<string, string[]>): string {
  return [...blocks].map(([table, lines]) => [`*${table}`, ...lines, 'COMMIT'].join('\n')).join('\n') + '\n';
}

async function restore(netns: string, blocks: Map<string, string[]>, shell: string[]): Promise<void> {
  if (blocks.size === 0) return;
  await run(['ip', 'netns', 'exec', netns, 'iptables-restore', '--noflush'], { input: restoreInput(blocks), change: true, shell });
}

const push = (blocks: Map<string, string[]>, table: string, line: string): void => void blocks.set(table, [...(blocks.get(table) ?? []), line]);

export async function applyRules(netns: string, comment: string, rules: FirewallRule[]): Promise<void> {
  requireOwnNetns(netns);
  if (!COMMENT_RE.test(comment)) throw new NslabError('invalid-params', `bad rule comment ${comment}`, { field: 'comment' });
  const bad = rules.flatMap((r) => [r.chain, ...r.rule]).find((w) => !SAFE_RULE_WORD.test(w));
  if (bad !== undefined) throw new NslabError('invalid-params', `unsafe word in a firewall rule: ${JSON.stringify(bad)}`, { field: 'rules' });
  const blocks = new Map<string, string[]>();
  for (const r of rules) {
    // Every word is validated (RuleWord: no spaces or quotes), so the restore line needs no quoting —
    // and must not get shell quotes, which iptables-restore does not understand.
    push(blocks, r.table, [r.insert ? '-I' : '-A', r.chain, ...ruleWords(r, comment)].join(' '));
  }
  await restore(netns, blocks, rules.map((r) => ruleShell(netns, r, comment)));
}

export interface PolicyChange {
  table: string;
  chain: string;
  target: 'ACCEPT' | 'DROP';
}

export async function setPolicies(netns: string, policies: PolicyChange[]): Promise<void> {
  requireOwnNetns(netns);
  const blocks = new Map<string, string[]>();
  for (const p of policies) push(blocks, p.table, `:${p.chain} ${p.target} [0:0]`);
  await restore(netns, blocks, policies.map((p) => shellLine(['ip', 'netns', 'exec', netns, 'iptables', '-t', p.table, '-P', p.chain, p.target])));
}

/** Rules carrying this exact comment, in every table. */
export async function rulesWithComment(netns: FwNetns, comment: string) {
  return (await readRules(netns)).flatMap((t) => t.rules.filter((r) => r.comment === comment));
}

/** Deletes exactly the rules with this comment (read back with iptables-save, deletions written). */
export async function removeRules(netns: string, comment: string): Promise<number> {
  requireOwnNetns(netns);
  const rules = await rulesWithComment(netns, comment);
  const blocks = new Map<string, string[]>();
  for (const r of rules) push(blocks, r.table, `-D ${r.chain} ${r.spec}`);
  await restore(netns, blocks, rules.map((r) => shellLine(['ip', 'netns', 'exec', netns, 'iptables', '-t', r.table, '-D', r.chain, ...r.words])));
  return rules.length;
}
