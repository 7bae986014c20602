// Rules written by hand (fw.rule.add / fw.rule.delete / fw.policy.set) in a node nslab owns: checked
// against the table, validated and applied by `iptables-restore --noflush` (one atomic commit per table;
// `--test` first when a batch spans tables), tagged `nslab:<owner>`, journaled in the ledger, reported
// as the iptables command a person would type.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FwRule, FwRuleChange, FwRuleset, FwTable } from '../../shared/contract/firewall.js';
import type { LedgerObject } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { shellLine, shellQuote } from '../../shared/shell.js';
import type { HelperContext } from '../context.js';
import { run } from '../exec/run.js';
import type { IptablesLine } from './line.js';
import { deleteNftRule, deleteOwnerTables } from './nft-write.js';
import { journaled, ledgerOwner, ownerComment } from './owner.js';
import { iptablesBackend, iptablesCommand, iptablesLine, readRuleset, type IptablesBackend } from './ruleset.js';
import { BUILTIN_CHAINS, checkRuleAgainst, checkTargetPlace, isStandardTarget, jumpOf, restoreError } from './validate.js';

const XTABLES_DIRS = [process.env.XTABLES_LIBDIR, '/usr/lib/x86_64-linux-gnu/xtables', '/usr/lib/aarch64-linux-gnu/xtables', '/usr/lib64/xtables', '/usr/lib/xtables', '/usr/libexec/xtables'].filter((d): d is string => !!d);

/** iptables loads target `X` from libxt_X.so (or libipt_X.so) in its xtables directory. */
export const hasTargetExtension = (target: string): boolean =>
  /^[A-Za-z0-9_-]+$/.test(target) && XTABLES_DIRS.some((d) => existsSync(join(d, `libxt_${target}.so`)) || existsSync(join(d, `libipt_${target}.so`)));

const restoreCommand = (backend: IptablesBackend): string => (backend === 'legacy' ? 'iptables-legacy-restore' : 'iptables-nft-restore');
const sourceOf = (backend: IptablesBackend): FwTable['source'] => (backend === 'legacy' ? 'iptables-legacy' : 'iptables-nft');

/** iptables-restore splits on blanks and groups "…": a word with a space is quoted (words never hold quotes). */
const restoreWord = (w: string): string => (/\s/.test(w) ? `"${w}"` : w);

/** A word that both iptables-restore and a shell read as it is (shell.ts's safe words have no blanks). */
const plainWord = (w: string): boolean => shellQuote(w) === w;

/** The line a person would type, inside the namespace. */
const personLine = (netns: string, backend: IptablesBackend, def: IptablesBackend, table: string, chain: string, words: readonly string[], op: string): string =>
  `${shellLine(['ip', 'netns', 'exec', netns])} ${iptablesLine(iptablesCommand(backend, def), table, chain, words, op)}`;

const restoreArgv = (netns: string, backend: IptablesBackend, test: boolean): string[] => ['ip', 'netns', 'exec', netns, restoreCommand(backend), ...(test ? ['--test'] : []), '--noflush'];
const restoreInput = (table: string, lines: readonly string[]): string => `*${table}\n${lines.join('\n')}\nCOMMIT\n`;

async function restore(netns: string, backend: IptablesBackend, table: string, lines: string[], opts: { test: boolean; shell: string[] }): Promise<{ code: number; stderr: string }> {
  return run(restoreArgv(netns, backend, opts.test), { input: restoreInput(table, lines), allowFailure: true, ...(opts.test ? {} : { change: true, shell: opts.shell }) });
}

/** An `iptables-restore --noflush` started before its batch is known, waiting for it on stdin. */
export interface RestoreAhead {
  /** Gives it one table's batch; what it answered. */
  apply(table: string, lines: readonly string[], shell: string[]): Promise<{ code: number; stderr: string }>;
  /** It is not needed (the batch was refused, or spans tables): it ends having read nothing, and is not reported. */
  abandon(): void;
}

/**
 * Starts the restore while the batch is still being parsed and checked: its own start (namespace entry,
 * exec, the libraries: ~3 ms here) is then off the request's path. It
 * waits on stdin holding nothing: iptables-legacy-restore takes the xtables lock only at a `*table` line.
 */
export function restoreAhead(netns: string, backend: IptablesBackend): RestoreAhead {
  let give: (batch: { input: string; shell: string[] }) => void = () => undefined;
  let drop: (err: Error) => void = () => undefined;
  const later = new Promise<{ input: string; shell: string[] }>((resolve, reject) => {
    give = resolve;
    drop = reject;
  });
  const outcome = run(restoreArgv(netns, backend, false), { later, allowFailure: true, change: true });
  outcome.catch(() => undefined); // abandoned: nobody waits for it
  return {
    apply: (table, lines, shell) => {
      give({ input: restoreInput(table, lines), shell });
      return outcome;
    },
    abandon: () => drop(new NslabError('cancelled', 'the batch was not applied')),
  };
}

const tableIn = (rs: FwRuleset, backend: IptablesBackend, name: string): FwTable | undefined =>
  rs.tables.find((t) => t.source === sourceOf(backend) && t.name === name);

const allRules = (rs: FwRuleset): FwRule[] => rs.tables.flatMap((t) => t.chains.flatMap((c) => c.rules));

/** No jump, a standard target, or an installed extension: nothing in the table to check it against. */
const standaloneTarget = (words: readonly string[]): boolean => {
  const j = jumpOf(words);
  return !j || isStandardTarget(j.target) || hasTargetExtension(j.target);
};

export type RuleToAdd = Omit<IptablesLine, 'op'> & { op: 'append' | 'insert' };

export interface RestoreBatch {
  /** iptables-restore's input lines (without `*table` and COMMIT). */
  lines: string[];
  /** What a person would type, line by line. */
  shown: string[];
  /** Each rule's own words (for naming the line iptables-restore refused). */
  words: string[][];
}

/** The rules as one iptables-restore batch per table, tagged with `comment`. Pure, unit-tested. */
export function restoreBatches(netns: string, backend: IptablesBackend, comment: string, rules: readonly RuleToAdd[]): Map<string, RestoreBatch> {
  const byTable = new Map<string, RestoreBatch & { prefix: string }>();
  const tag = ['-m', 'comment', '--comment', comment];
  const tagText = tag.every(plainWord) ? tag.join(' ') : null;
  for (const rule of rules) {
    const head = rule.op === 'insert' ? ['-I', rule.chain, ...(rule.position ? [String(rule.position)] : [])] : ['-A', rule.chain];
    let group = byTable.get(rule.table);
    if (!group) {
      const prefix = `${shellLine(['ip', 'netns', 'exec', netns])} ${shellLine([iptablesCommand(backend, backend), ...(rule.table === 'filter' ? [] : ['-t', rule.table])])}`;
      group = { lines: [], shown: [], words: [], prefix };
      byTable.set(rule.table, group);
    }
    if (tagText !== null && head.every(plainWord) && rule.words.every(plainWord)) {
      // The common case, a thousand times in a batch: no word needs quoting in either line.
      const line = `${head.join(' ')} ${tagText} ${rule.words.join(' ')}`;
      group.lines.push(line);
      group.shown.push(`${group.prefix} ${line}`);
    } else {
      const words = [...tag, ...rule.words];
      group.lines.push([...head, ...words].map(restoreWord).join(' '));
      group.shown.push(personLine(netns, backend, backend, rule.table, rule.chain, rule.position ? [String(rule.position), ...words] : words, head[0]!));
    }
    group.words.push(rule.words);
  }
  return byTable;
}

/**
 * Adds rules in one batch per table: every rule checked against its table, then applied by one
 * `iptables-restore --noflush` per table (atomic: all or nothing), a batch of several tables validated by
 * `iptables-restore --test` first. `readBack` reads the new rules back (their ids and handles) for the answer.
 */
export async function addIptablesRules(ctx: HelperContext, netns: string, owner: string, rules: RuleToAdd[], readBack = true, ahead?: RestoreAhead): Promise<FwRuleChange> {
  const backend = await iptablesBackend();
  const comment = ownerComment(owner);
  const byTable = restoreBatches(netns, backend, comment, rules);
  // The table as it is and iptables-restore's own check of the batch are independent: read both at once.
  // A batch that only appends to built-in chains with standard or extension targets cannot name a
  // missing chain or close a loop, and needs no read at all (unless its rules are to be read back).
  const needsTable = readBack || rules.some((r) => !(BUILTIN_CHAINS[r.table] ?? []).includes(r.chain) || !standaloneTarget(r.words));
  // One table is one commit: its `iptables-restore --noflush` parses and checks every line before it
  // commits them in one transaction, so a line it refuses applies nothing, and a `--test` run first would
  // only parse the batch twice (0.6× the apply's own time). Several tables are several commits: all are
  // tested first, so that a line refused in the last table applies none of them.
  const testFirst = byTable.size > 1;
  const [before, ...tests] = await Promise.all([
    needsTable ? readRuleset(netns, { text: false, legacy: false }) : null,
    ...(testFirst ? [...byTable] : []).map(([table, group]) => restore(netns, backend, table, group.lines, { test: true, shell: [] }).then((r) => ({ table, group, ...r }))),
  ]);
  rules.forEach((rule, i) => {
    try {
      if (before) checkRuleAgainst(rule.table, tableIn(before, backend, rule.table), rule.chain, rule.words, hasTargetExtension);
      else checkTargetPlace(rule.table, rule.chain, rule.words);
    } catch (err) {
      // in a batch, say which line
      if (rules.length > 1 && err instanceof NslabError) throw new NslabError(err.code, `lines.${i}: ${err.message}`, { ...err.data, field: `lines.${i}.${err.field ?? 'rule'}` });
      throw err;
    }
  });
  for (const t of tests) if (t.code !== 0) throw batchError(t.stderr, t.table, t.group.words);
  const object: LedgerObject = { kind: 'rule', netns, name: comment, owner: ledgerOwner(owner) };
  await journaled(ctx, object, async () => {
    for (const [table, group] of byTable) {
      const r = ahead && byTable.size === 1 ? await ahead.apply(table, group.lines, group.shown) : await restore(netns, backend, table, group.lines, { test: false, shell: group.shown });
      if (r.code !== 0) throw batchError(r.stderr, table, group.words);
    }
  });
  const commands = [...byTable.values()].flatMap((g) => g.shown);
  if (!readBack) return { netns, commands, rules: [] };
  const known = new Set(before ? allRules(before).map((r) => r.id) : []);
  const after = await readRuleset(netns, { writable: true });
  const added = after.tables.filter((t) => t.source === sourceOf(backend)).flatMap((t) => t.chains.flatMap((c) => c.rules)).filter((r) => !known.has(r.id) && r.comment === comment);
  return { netns, commands, rules: added };
}

/** iptables-restore names the failing line of its input (`Error occurred at line: N`): the batch's rule N-1. */
function batchError(stderr: string, table: string, words: string[][]): NslabError {
  const at = /Error occurred at line: (\d+)/.exec(stderr);
  const index = at ? Number(at[1]) - 2 : 0;
  const err = restoreError(stderr, table, words[index] ?? words[0] ?? []);
  if (words.length === 1) return err;
  return new NslabError(err.code, `lines.${index}: ${err.message}`, { ...err.data, field: `lines.${index}.${err.field ?? 'rule'}` });
}

/** iptables words compared the way iptables-save prints them: `-m tcp` after `-p tcp --dport`, `/32` on addresses. */
export function normalizeWords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-m' && words[i + 1] === 'comment') {
      i += words[i + 2] === '--comment' ? 3 : 1;
      continue;
    }
    const long: Record<string, string> = { '--source': '-s', '--destination': '-d', '--protocol': '-p', '--in-interface': '-i', '--out-interface': '-o', '--jump': '-j', '--goto': '-g' };
    const word = long[w] ?? w;
    out.push(word);
    if ((word === '-s' || word === '-d') && /^\d+\.\d+\.\d+\.\d+$/.test(words[i + 1] ?? '')) {
      out.push(`${words[++i]}/32`);
    } else if (word === '-p' && words[i + 1] && ['tcp', 'udp', 'icmp', 'sctp', 'udplite'].includes(words[i + 1]!)) {
      const proto = words[++i]!;
      out.push(proto);
      const next = words[i + 1];
      if (next && next !== '-m' && /^--(dport|sport|destination-port|source-port|tcp-flags|syn|icmp-type|tcp-option)$/.test(next)) out.push('-m', proto);
    }
  }
  return out;
}

async function deleteIptables(ctx: HelperContext, netns: string, rs: FwRuleset, victims: { rule: FwRule; backend: IptablesBackend; table: string; chain: string }[]): Promise<string[]> {
  const shown: string[] = [];
  const byTable = new Map<string, typeof victims>();
  for (const v of victims) byTable.set(`${v.backend} ${v.table}`, [...(byTable.get(`${v.backend} ${v.table}`) ?? []), v]);
  for (const group of byTable.values()) {
    const { backend, table } = group[0]!;
    const lines = group.map((v) => ['-D', v.chain, ...v.rule.words!].map(restoreWord).join(' '));
    const shell = group.map((v) => personLine(netns, v.backend, rs.iptablesBackend, table, v.chain, v.rule.words!, '-D'));
    const r = await restore(netns, backend, table, lines, { test: false, shell });
    if (r.code !== 0) throw restoreError(r.stderr, table, []);
    shown.push(...shell);
  }
  // A group whose last rule went is no longer in the namespace: its ledger record goes too.
  const after = await readRuleset(netns, { text: false });
  const left = new Set(allRules(after).map((r) => r.comment));
  const gone = [...new Set(victims.map((v) => v.rule.comment).filter((c): c is string => !!c && c.startsWith('nslab:') && !left.has(c)))];
  const objects = ctx.ledger.objects((o) => o.kind === 'rule' && o.netns === netns && gone.includes(o.name));
  ctx.ledger.removed(objects);
  return shown;
}

/** Where a rule sits in the ruleset (the iptables ones, with their backend). */
function locate(rs: FwRuleset, pick: (r: FwRule, t: FwTable, chain: string) => boolean) {
  const found: { rule: FwRule; table: FwTable; chain: string }[] = [];
  for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) if (pick(r, t, c.name)) found.push({ rule: r, table: t, chain: c.name });
  return found;
}

const backendOf = (t: FwTable): IptablesBackend => (t.source === 'iptables-legacy' ? 'legacy' : 'nf_tables');

export async function deleteIptablesById(ctx: HelperContext, netns: string, id: string): Promise<FwRuleChange> {
  const rs = await readRuleset(netns);
  const [hit] = locate(rs, (r) => r.id === id);
  if (!hit) throw new NslabError('not-found', `id: no rule ${id} in ${netns} (read fw.show for current ids)`, { field: 'id' });
  if (hit.table.source === 'nft') {
    return deleteNftRule(ctx, netns, hit.table, hit.chain, hit.rule);
  }
  const commands = await deleteIptables(ctx, netns, rs, [{ rule: hit.rule, backend: backendOf(hit.table), table: hit.table.name, chain: hit.chain }]);
  return { netns, commands, rules: [hit.rule] };
}

export async function deleteIptablesByLine(ctx: HelperContext, netns: string, line: IptablesLine): Promise<FwRuleChange> {
  const rs = await readRuleset(netns);
  const want = normalizeWords(line.words).join('\u0000');
  const hits = locate(rs, (r, t, chain) => t.source !== 'nft' && t.name === line.table && chain === line.chain && !!r.words && normalizeWords(r.words).join('\u0000') === want);
  // Of identical rules, delete the one nslab tagged first, as `iptables -D` would delete the first.
  const hit = hits.find((h) => h.rule.owner !== null) ?? hits[0];
  if (!hit) throw new NslabError('not-found', `line: no rule in ${line.table} ${line.chain} matches ${line.words.join(' ')}`, { field: 'line' });
  const commands = await deleteIptables(ctx, netns, rs, [{ rule: hit.rule, backend: backendOf(hit.table), table: hit.table.name, chain: hit.chain }]);
  return { netns, commands, rules: [hit.rule] };
}

/** Every rule tagged `nslab:<owner>` (both backends) and the owner's nft tables. */
export async function deleteByOwner(ctx: HelperContext, netns: string, owner: string): Promise<FwRuleChange> {
  const rs = await readRuleset(netns);
  const comment = ownerComment(owner);
  const hits = locate(rs, (r, t) => t.source !== 'nft' && r.comment === comment);
  const commands = hits.length
    ? await deleteIptables(ctx, netns, rs, hits.map((h) => ({ rule: h.rule, backend: backendOf(h.table), table: h.table.name, chain: h.chain })))
    : [];
  const nft = await deleteOwnerTables(ctx, netns, rs, owner);
  ctx.ledger.removed(ctx.ledger.objects((o) => o.kind === 'rule' && o.netns === netns && o.name === comment));
  return { netns, commands: [...commands, ...nft.commands], rules: [...hits.map((h) => h.rule), ...nft.rules] };
}

export async function setPolicy(netns: string, table: string, chain: string, policy: 'ACCEPT' | 'DROP'): Promise<{ netns: string; commands: string[] }> {
  if (!(BUILTIN_CHAINS[table] ?? []).includes(chain)) {
    throw new NslabError('invalid-params', `chain: table ${table} has no built-in chain ${chain} (it has ${BUILTIN_CHAINS[table]!.join(', ')})`, { field: 'chain' });
  }
  const rs = await readRuleset(netns, { text: false, legacy: false });
  const backend = rs.iptablesBackend;
  const shown = `${shellLine(['ip', 'netns', 'exec', netns, iptablesCommand(backend, backend), ...(table === 'filter' ? [] : ['-t', table]), '-P', chain, policy])}`;
  // `:CHAIN POLICY [packets:bytes]` keeps the chain's counters as they are.
  const c = tableIn(rs, backend, table)?.chains.find((x) => x.name === chain);
  const r = await restore(netns, backend, table, [`:${chain} ${policy} [${c?.packets ?? 0}:${c?.bytes ?? 0}]`], { test: false, shell: [shown] });
  if (r.code !== 0) throw restoreError(r.stderr, table, []);
  return { netns, commands: [shown] };
}
