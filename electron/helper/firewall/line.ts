// An iptables line as a person types it after `iptables` (`-t nat -A POSTROUTING -s 10.0.0.0/24 -j
// MASQUERADE`), split into words without a shell: quotes group, nothing expands, and any shell
// metacharacter is refused rather than interpreted. Pure, unit-tested.
import { FW_CHAIN_NAME_RE, FW_RULE_WORD_RE, FwChainName, FwRuleWord, FwTableName } from '../../shared/contract/firewall.js';
import { NslabError } from '../../shared/errors.js';
import { splitQuoted } from './parse.js';

export interface IptablesLine {
  table: 'filter' | 'nat' | 'mangle' | 'raw' | 'security';
  op: 'append' | 'insert' | 'delete';
  chain: string;
  /** 1-based, for `-I CHAIN N`. */
  position?: number;
  /** The rule: every word that is not the table, the operation or the chain. */
  words: string[];
}

/** Splits on blanks; '…' and "…" group, no escapes: nothing else a shell would do. */
export function tokenize(line: string, field = 'line'): string[] {
  // Without quotes the split is just on blanks (a batch of a thousand lines rarely has any).
  if (!/["']/.test(line)) {
    const words = line.trim().split(/\s+/);
    return words[0] === '' ? [] : words;
  }
  const { words, open } = splitQuoted(line, `"'`, false);
  if (open) throw new NslabError('invalid-params', `${field}: a ${open} quote is not closed`, { field });
  return words;
}

/** Operations a rule line may not carry: they change more than one rule, or the chain set. */
const REFUSED: Record<string, string> = {
  '-F': 'flush', '--flush': 'flush', '-X': 'delete a chain', '--delete-chain': 'delete a chain', '-N': 'make a chain', '--new-chain': 'make a chain',
  '-Z': 'zero counters', '--zero': 'zero counters', '-E': 'rename a chain', '--rename-chain': 'rename a chain', '-R': 'replace', '--replace': 'replace',
  '-L': 'list', '--list': 'list', '-S': 'list', '--list-rules': 'list', '-P': 'set a policy (use fw.policy.set / nslab fw policy)', '--policy': 'set a policy (use fw.policy.set / nslab fw policy)',
  '-C': 'check', '--check': 'check',
};

/** The operation words, and with the table words those that may appear once, before the rule. */
const OP_WORDS: ReadonlySet<string> = new Set(['-A', '--append', '-I', '--insert', '-D', '--delete']);
const ONCE_WORDS: ReadonlySet<string> = new Set(['-t', '--table', ...OP_WORDS]);

export function checkRuleWords(words: readonly string[], field: string): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    // the plain regex first: a batch of a thousand lines has ten thousand words
    const ok = FW_RULE_WORD_RE.test(w) ? { success: true as const } : FwRuleWord.safeParse(w);
    if (!ok.success) throw new NslabError('invalid-params', `${field}: ${JSON.stringify(w)}: ${ok.error.issues[0]?.message}`, { field, word: i });
    if (w === '--comment' || (w === 'comment' && words[i - 1] === '-m')) {
      throw new NslabError('invalid-params', `${field}: nslab adds the comment itself (nslab:<owner>); leave -m comment out`, { field, word: i });
    }
    if (Object.hasOwn(REFUSED, w)) throw new NslabError('invalid-params', `${field}: ${w} would ${REFUSED[w]}; a rule line adds, inserts or deletes one rule`, { field, word: i });
    if (ONCE_WORDS.has(w)) {
      throw new NslabError('invalid-params', `${field}: ${w} may appear once, before the rule`, { field, word: i });
    }
  }
}

const TABLE_NAMES: ReadonlySet<string> = new Set(FwTableName.options);

/** `[-t T] (-A|-I|-D) CHAIN [N] rule…`, in any order iptables accepts for the first words. */
export function parseIptablesLine(line: string, field = 'line'): IptablesLine {
  // `table`, `chain`… for one line; `lines.3.table` for a line of a batch.
  const sub = (f: string): string => (field === 'line' ? f : `${field}.${f}`);
  const all = tokenize(line, field);
  if (all[0] === 'iptables' || all[0] === 'iptables-nft' || all[0] === 'iptables-legacy') all.shift();
  let table: string | undefined;
  let op: IptablesLine['op'] | undefined;
  let chain: string | undefined;
  let position: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const w = all[i]!;
    if ((w === '-t' || w === '--table') && table === undefined) {
      table = all[++i];
      if (table === undefined) throw new NslabError('invalid-params', `${field}: -t needs a table`, { field: sub('table') });
    } else if (OP_WORDS.has(w) && op === undefined) {
      op = w === '-A' || w === '--append' ? 'append' : w === '-I' || w === '--insert' ? 'insert' : 'delete';
      chain = all[++i];
      if (chain === undefined) throw new NslabError('invalid-params', `${field}: ${w} needs a chain`, { field: sub('chain') });
      if (op === 'insert' && /^[0-9]+$/.test(all[i + 1] ?? '')) position = Number(all[++i]);
    } else rest.push(w);
  }
  if (op === undefined || chain === undefined) throw new NslabError('invalid-params', `${field}: expected -A CHAIN, -I CHAIN [N] or -D CHAIN`, { field });
  // Plain checks first (a batch repeats the same names a thousand times); zod words a refusal.
  const tableName = table ?? 'filter';
  if (!TABLE_NAMES.has(tableName)) {
    const issue = FwTableName.safeParse(tableName).error?.issues[0]?.message;
    throw new NslabError('invalid-params', `${sub('table')}: ${JSON.stringify(table)}: ${issue}`, { field: sub('table') });
  }
  if (!FW_CHAIN_NAME_RE.test(chain)) {
    const issue = FwChainName.safeParse(chain).error?.issues[0]?.message;
    throw new NslabError('invalid-params', `${sub('chain')}: ${JSON.stringify(chain)}: ${issue}`, { field: sub('chain') });
  }
  if (position !== undefined && (position < 1 || position > 100_000)) throw new NslabError('invalid-params', `${sub('position')}: must be 1–100000`, { field: sub('position') });
  if (rest.length === 0) throw new NslabError('invalid-params', `${field}: the rule is empty (expected at least -j TARGET)`, { field });
  checkRuleWords(rest, field);
  return { table: tableName as IptablesLine['table'], op, chain, ...(position !== undefined ? { position } : {}), words: rest };
}
