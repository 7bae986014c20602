// One namespace's whole firewall as one list of tables: iptables on nf_tables (joined with the nft view
// of the same tables, which gives handles, hooks and priorities), iptables-legacy, and native nft tables.
// Reads are one spawn per tool, run side by side; nothing is written.
import type { FwChain, FwRule, FwRuleset, FwTable } from '../../shared/contract/firewall.js';
import { NslabError } from '../../shared/errors.js';
import { isMarked, nodeOf } from '../../shared/names.js';
import { shellLine } from '../../shared/shell.js';
import type { BatchOutput } from '../exec/ip-batch-session.js';
import { run } from '../exec/run.js';
import { listNetns } from '../net/snapshot.js';
import type { BriefTexts } from './counter-text.js';
import type { CounterTexts } from './counter-scan.js';
import { inNetns, type FwNetns } from './netns.js';
import { nftRuleKey, parseNftJson, parseNftText, type NftChain, type NftTable } from './nft-parse.js';
import { parseIptablesSave, type IptablesRule, type IptablesTable } from './parse.js';

export type IptablesBackend = 'nf_tables' | 'legacy';

/** The tables iptables-nft creates; an nft table of these names in family ip/ip6 is iptables'. */
const IPTABLES_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);

/** Where each built-in chain of a legacy table sits (x_tables registers at these fixed priorities). */
const LEGACY_PRIORITY: Record<string, number> = { raw: -300, mangle: -150, filter: 0, security: 50 };
const legacyPriority = (table: string, chain: string): number =>
  table === 'nat' ? (chain === 'PREROUTING' || chain === 'OUTPUT' ? -100 : 100) : (LEGACY_PRIORITY[table] ?? 0);
const BUILTIN_HOOK: Record<string, FwChain['hook']> = { PREROUTING: 'prerouting', INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output', POSTROUTING: 'postrouting' };

let defaultBackend: Promise<IptablesBackend> | undefined;

/** Which backend the plain `iptables` command is (Debian's alternatives), asked once. */
export function iptablesBackend(): Promise<IptablesBackend> {
  defaultBackend ??= run(['iptables', '-V'], { allowFailure: true }).then(
    (r) => (/\(legacy\)/.test(r.stdout) ? 'legacy' : 'nf_tables'),
    () => 'nf_tables',
  );
  return defaultBackend;
}

const saveCommand = (backend: IptablesBackend): string => (backend === 'legacy' ? 'iptables-legacy-save' : 'iptables-nft-save');

/** The command a person types for this backend: plain `iptables` when it is the default. */
export const iptablesCommand = (backend: IptablesBackend, def: IptablesBackend): string =>
  backend === def ? 'iptables' : backend === 'legacy' ? 'iptables-legacy' : 'iptables-nft';

/** `iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE` (no `-t` for filter). */
export const iptablesLine = (command: string, table: string, chain: string, words: readonly string[], op = '-A'): string =>
  // A lone `!` needs no quotes in any shell, and iptables users write it bare.
  shellLine([command, ...(table === 'filter' ? [] : ['-t', table]), op, chain, ...words]).replace(/ '!'(?= )/g, ' !');

const ownerOf = (comment: string | null): string | null => (comment?.startsWith('nslab:') ? comment.slice('nslab:'.length) : null);

const targetOf = (words: readonly string[]): string | null => {
  const j = words.findIndex((w) => w === '-j' || w === '--jump' || w === '-g' || w === '--goto');
  return j >= 0 ? (words[j + 1] ?? null) : null;
};

/** Legacy rules have no handle: they are known by their spec and which occurrence of it they are. */
function specIds(prefix: string, rules: IptablesRule[]): string[] {
  const seen = new Map<string, number>();
  return rules.map((r) => {
    const n = seen.get(r.spec) ?? 0;
    seen.set(r.spec, n + 1);
    return `${prefix}@${r.spec}${n ? `#${n}` : ''}`;
  });
}

interface Texts {
  /** nft rule text by nftRuleKey, when it was read. */
  nft: Map<string, string> | null;
}

function iptablesTable(t: IptablesTable, backend: IptablesBackend, def: IptablesBackend, nftTable: NftTable | undefined, texts: Texts): FwTable {
  const source = backend === 'legacy' ? 'iptables-legacy' : 'iptables-nft';
  const command = iptablesCommand(backend, def);
  const chains = t.chains.map((c): FwChain => {
    const nc = nftTable?.chains.find((x) => x.name === c.name);
    const own = t.rules.filter((r) => r.chain === c.name);
    const prefix = `${source}/ip/${t.name}/${c.name}`;
    const ids = specIds(prefix, own);
    const rules = own.map((r, index): FwRule => {
      // iptables-save and nft list a chain's rules in the same order; the counts differ only if the
      // chain changed between the two reads, and then the pairing is not trusted.
      const nr = nc && nc.rules.length === own.length ? nc.rules[index] : undefined;
      return {
        id: nr ? `${prefix}#${nr.handle}` : ids[index]!,
        index,
        handle: nr?.handle ?? null,
        iptables: iptablesLine(command, t.name, c.name, r.words),
        words: r.words,
        nft: nr ? (texts.nft?.get(nftRuleKey(nr.family, nr.table, nr.chain, nr.handle)) ?? null) : null,
        target: targetOf(r.words),
        comment: r.comment,
        owner: ownerOf(r.comment),
        packets: r.packets,
        bytes: r.bytes,
      };
    });
    const builtin = c.policy !== null;
    return {
      name: c.name,
      handle: nc?.handle ?? null,
      type: nc?.type ?? (builtin ? (t.name === 'nat' ? 'nat' : 'filter') : null),
      hook: builtin ? (nc?.hook as FwChain['hook'] | undefined) ?? BUILTIN_HOOK[c.name] ?? null : null,
      priority: builtin ? (nc?.priority ?? legacyPriority(t.name, c.name)) : null,
      policy: c.policy,
      packets: builtin ? c.packets : null,
      bytes: builtin ? c.bytes : null,
      rules,
    };
  });
  return { source, family: 'ip', name: t.name, handle: nftTable?.handle ?? null, chains, sets: [] };
}

function nftChain(source: FwTable['source'], c: NftChain, texts: Texts): FwChain {
  return {
    name: c.name,
    handle: c.handle,
    type: c.type,
    hook: c.hook as FwChain['hook'],
    priority: c.priority,
    policy: c.policy,
    packets: null,
    bytes: null,
    rules: c.rules.map((r, index) => ({
      id: `${source}/${c.family}/${c.table}/${c.name}#${r.handle}`,
      index,
      handle: r.handle,
      iptables: null,
      words: null,
      nft: texts.nft?.get(nftRuleKey(r.family, r.table, r.chain, r.handle)) ?? null,
      target: r.verdict,
      comment: r.comment,
      owner: c.table.startsWith('nslab_') ? c.table.slice('nslab_'.length) : ownerOf(r.comment),
      packets: r.packets,
      bytes: r.bytes,
    })),
  };
}

/** Joins what the tools printed into one list of tables. Pure: the unit tests feed it captured output. */
export function buildRuleset(
  netns: FwNetns,
  out: { def: IptablesBackend; nfSave: string; legacySave: string; nftJson: string; nftText: string | null },
  writable = false,
): FwRuleset {
  const texts: Texts = { nft: out.nftText === null ? null : parseNftText(out.nftText) };
  const nft = parseNftJson(out.nftJson);
  const nfTables = parseIptablesSave(out.nfSave);
  const legacy = parseIptablesSave(out.legacySave);
  const isIptablesNft = (t: NftTable): boolean =>
    (t.family === 'ip' && nfTables.some((x) => x.name === t.name)) || (t.family === 'ip6' && IPTABLES_TABLES.has(t.name));
  const tables: FwTable[] = [
    ...nfTables.map((t) => iptablesTable(t, 'nf_tables', out.def, nft.find((n) => n.family === 'ip' && n.name === t.name), texts)),
    ...legacy.map((t) => iptablesTable(t, 'legacy', out.def, undefined, texts)),
    ...nft
      .filter((t) => !(t.family === 'ip' && nfTables.some((x) => x.name === t.name)))
      .map((t): FwTable => {
        const source = isIptablesNft(t) ? 'iptables-nft' : 'nft';
        return { source, family: t.family, name: t.name, handle: t.handle, chains: t.chains.map((c) => nftChain(source, c, texts)), sets: t.sets };
      }),
  ];
  return {
    node: netns !== null && isMarked(netns) ? nodeOf(netns) : null,
    netns,
    iptablesBackend: out.def,
    legacyTables: legacy.length > 0,
    writable,
    tables,
  };
}

/** A tool that is not installed reads as nothing (a machine without iptables-legacy has no legacy tables). */
async function read(netns: FwNetns, argv: string[]): Promise<string> {
  try {
    return (await run(inNetns(netns, argv))).stdout;
  } catch (err) {
    if (err instanceof NslabError && err.code === 'tool-missing') return '';
    throw err;
  }
}

export interface ReadOptions {
  /** Also read `nft -a list ruleset` for each rule's nft text (a sweep of counters does not need it). */
  text?: boolean;
  /** Also read the legacy backend (a sweep skips it where none was found at the start). */
  legacy?: boolean;
  /** Reported as `writable` (the caller knows the ledger). */
  writable?: boolean;
}

/** Every iptables (both backends) and nft table of a namespace (`null` = root), with counters. */
export async function readRuleset(netns: FwNetns, opts: ReadOptions = {}): Promise<FwRuleset> {
  const def = await iptablesBackend();
  const other: IptablesBackend = def === 'legacy' ? 'nf_tables' : 'legacy';
  const wantOther = opts.legacy ?? true;
  const [a, b, nftJson, nftText] = await Promise.all([
    read(netns, [saveCommand(def), '-c']),
    wantOther ? read(netns, [saveCommand(other), '-c']) : Promise.resolve(''),
    read(netns, ['nft', '-j', '-a', 'list', 'ruleset']),
    opts.text === false ? Promise.resolve(null) : read(netns, ['nft', '-a', 'list', 'ruleset']),
  ]);
  const [nfSave, legacySave] = def === 'nf_tables' ? [a, b] : [b, a];
  return buildRuleset(netns, { def, nfSave, legacySave, nftJson, nftText }, opts.writable ?? false);
}

// nft prints this after a namespace's ruleset (`describe meta mark`, in the same nft run, so in order):
// it marks where one namespace's part of a batched read ends, an empty ruleset's too (which prints nothing).
const TEXT_END_COMMAND = 'describe meta mark';
const TEXT_END = 'meta expression, datatype mark';

/** One namespace's part: iptables-nft-save's lines, then nft's, which all start its tables (`table …`). */
function briefPart(part: string): BriefTexts {
  const nl = part.indexOf('\ntable ');
  const cut = part.startsWith('table ') ? 0 : nl === -1 ? part.length : nl + 1;
  return { nfSave: part.slice(0, cut), nftText: part.slice(cut) };
}

/**
 * Splits what one `ip -force -batch -` printed for `netns exec NS iptables-nft-save -c` and `netns exec NS
 * nft -a "list ruleset; describe meta mark"`, namespace after namespace: each part ends with describe's
 * line. Namespaces that could not be entered (`failed`, from stderr) printed nothing. null when the
 * parts do not add up (then read one by one).
 */
export function splitBatchedTexts(stdout: string, netns: string[], failed: ReadonlySet<string>): Map<string, BriefTexts> | null {
  const expected = netns.filter((n) => !failed.has(n));
  const parts: string[] = [];
  let from = 0;
  for (let at = stdout.indexOf(TEXT_END); at !== -1; at = stdout.indexOf(TEXT_END, from)) {
    if (at !== 0 && stdout[at - 1] !== '\n') return null;
    parts.push(stdout.slice(from, at));
    const eol = stdout.indexOf('\n', at);
    from = eol === -1 ? stdout.length : eol + 1;
  }
  if (stdout.slice(from).trim() || parts.length !== expected.length) return null;
  return new Map(expected.map((n, i) => [n, briefPart(parts[i]!)]));
}

/** What a full counter sweep reads of one namespace (see counter-scan.ts), and with `text` nft's text
 * too, to place the counters in for the sweeps after it (see counter-text.ts). */
export async function readCounterTexts(netns: FwNetns, legacy: boolean, text = false): Promise<CounterTexts> {
  const def = await iptablesBackend();
  const other: IptablesBackend = def === 'legacy' ? 'nf_tables' : 'legacy';
  const [a, b, nftJson, nftText] = await Promise.all([
    read(netns, [saveCommand(def), '-c']),
    legacy ? read(netns, [saveCommand(other), '-c']) : Promise.resolve(''),
    read(netns, ['nft', '-j', '-a', 'list', 'ruleset']),
    text ? read(netns, ['nft', '-a', 'list', 'ruleset']) : Promise.resolve(undefined),
  ]);
  const [nfSave, legacySave] = def === 'nf_tables' ? [a, b] : [b, a];
  return { def, nfSave, legacySave, nftJson, ...(nftText !== undefined ? { nftText } : {}) };
}

/** Runs an `ip -force -batch -` of these lines: what they printed, and stderr (a failed line fails no other). */
export type BatchRead = (input: string) => Promise<BatchOutput>;

/** A batch of its own; a watcher reads through one long-lived batch instead (exec/ip-batch-session.ts). */
const batchOnce: BatchRead = (input) => run(['ip', '-force', '-batch', '-'], { input, allowFailure: true, stdoutFile: true });

/**
 * What a brief sweep reads of many namespaces (see counter-text.ts: the iptables-nft backend, no legacy
 * tables), in one `ip -force -batch -` (`batch`): per namespace, one `iptables-nft-save -c` and one
 * `nft -a list ruleset` (ip forks each). The root namespace is not read here. A namespace that could not
 * be read maps to its error; null when the output could not be attributed or the backend is legacy (the
 * caller reads one by one). Through a file (stdoutFile): one read, not one wake-up per write of 40
 * processes.
 */
export async function readBriefBatched(netns: string[], batch: BatchRead = batchOnce): Promise<Map<string, BriefTexts | Error> | null> {
  if ((await iptablesBackend()) !== 'nf_tables') return null;
  // Only namespaces that exist go in: when `ip -batch` cannot enter one, the child it forked for that
  // line carries on with the rest of the batch too, and the output repeats (then it is not attributed).
  const present = new Set(await listNetns());
  const gone = netns.filter((n) => !present.has(n));
  netns = netns.filter((n) => present.has(n));
  const input = netns.flatMap((n) => [`netns exec ${n} iptables-nft-save -c`, `netns exec ${n} nft -a "list ruleset; ${TEXT_END_COMMAND}"`]).join('\n');
  const r = await batch(`${input}\n`);
  const failed = new Set([...r.stderr.matchAll(/Cannot open network namespace "([^"]+)"/g)].map((m) => m[1]!));
  const parts = splitBatchedTexts(r.stdout, netns, failed);
  if (!parts) return null;
  const out = new Map<string, BriefTexts | Error>(gone.map((n) => [n, new NslabError('not-found', `there is no namespace ${n}`)]));
  for (const n of netns) out.set(n, parts.get(n) ?? new NslabError('not-found', `namespace ${n} could not be entered`));
  return out;
}
