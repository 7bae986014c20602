// Checks a rule against the table it goes into before the kernel's own tools see it: the chain exists,
// a jump goes to a chain that exists, and no jump closes a loop. Pure, unit-tested.
import type { FwTable } from '../../shared/contract/firewall.js';
import { NslabError } from '../../shared/errors.js';

export const BUILTIN_CHAINS: Record<string, readonly string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Targets built into iptables itself (not extensions, not chains). */
const STANDARD_TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);

export const chainsOf = (tableName: string, table: FwTable | undefined): string[] => [
  ...new Set([...(BUILTIN_CHAINS[tableName] ?? []), ...(table?.chains.map((c) => c.name) ?? [])]),
];

/** The chain a rule jumps or goes to (`-j X`, `-g X`), if any. */
export function jumpOf(words: readonly string[]): { target: string; index: number } | null {
  const i = words.findIndex((w) => w === '-j' || w === '--jump' || w === '-g' || w === '--goto');
  if (i < 0) return null;
  const target = words[i + 1];
  if (target === undefined) throw new NslabError('invalid-params', `target: ${words[i]} needs a target or chain`, { field: 'target' });
  return { target, index: i + 1 };
}

/** Every chain → the chains its rules jump to. */
function jumpGraph(table: FwTable | undefined): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const names = new Set(table?.chains.map((c) => c.name));
  for (const c of table?.chains ?? []) {
    for (const r of c.rules) {
      const j = r.words ? jumpOf(r.words) : null;
      if (j && names.has(j.target)) graph.set(c.name, new Set([...(graph.get(c.name) ?? []), j.target]));
    }
  }
  return graph;
}

/** A path from `from` back to `to` through jumps, if there is one. */
function pathBetween(graph: Map<string, Set<string>>, from: string, to: string): string[] | null {
  const seen = new Set<string>();
  const walk = (at: string): string[] | null => {
    if (at === to) return [at];
    if (seen.has(at)) return null;
    seen.add(at);
    for (const next of graph.get(at) ?? []) {
      const rest = walk(next);
      if (rest) return [at, ...rest];
    }
    return null;
  };
  return walk(from);
}

/**
 * Targets the kernel accepts only in some tables (and, in a built-in chain, only on some hooks). iptables-nft
 * checks none of this in `iptables-restore --test`, so it is checked here.
 */
const TARGET_PLACES: Record<string, { tables: string[]; chains?: string[] }> = {
  MASQUERADE: { tables: ['nat'], chains: ['POSTROUTING'] },
  SNAT: { tables: ['nat'], chains: ['POSTROUTING', 'INPUT'] },
  DNAT: { tables: ['nat'], chains: ['PREROUTING', 'OUTPUT'] },
  REDIRECT: { tables: ['nat'], chains: ['PREROUTING', 'OUTPUT'] },
  NETMAP: { tables: ['nat'] },
  CT: { tables: ['raw'] },
  NOTRACK: { tables: ['raw'] },
  TPROXY: { tables: ['mangle'], chains: ['PREROUTING'] },
  TOS: { tables: ['mangle'] },
  DSCP: { tables: ['mangle'] },
  TTL: { tables: ['mangle'] },
  ECN: { tables: ['mangle'] },
  CLASSIFY: { tables: ['mangle'] },
  SECMARK: { tables: ['mangle', 'security'] },
  CONNSECMARK: { tables: ['mangle', 'security'] },
};

export const isStandardTarget = (target: string): boolean => STANDARD_TARGETS.has(target);

/** An extension target in a table or built-in chain it does not work in. */
export function checkTargetPlace(tableName: string, chain: string, words: readonly string[]): void {
  const jump = jumpOf(words);
  const place = jump ? TARGET_PLACES[jump.target] : undefined;
  if (!jump || !place) return;
  if (!place.tables.includes(tableName)) {
    throw new NslabError('invalid-params', `target: ${jump.target} works only in the ${place.tables.join('/')} table, not ${tableName}`, { field: 'target' });
  }
  if (place.chains && (BUILTIN_CHAINS[tableName] ?? []).includes(chain) && !place.chains.includes(chain)) {
    throw new NslabError('invalid-params', `target: ${jump.target} works only in ${place.chains.join('/')}, not ${chain}`, { field: 'target' });
  }
}

/** Is there a target extension of this name (a libxt_/libipt_ plug-in iptables would load)? */
export type ExtensionCheck = (target: string) => boolean;

/**
 * Refuses a rule whose chain is not in the table, whose target is neither standard, a chain of the table
 * nor an installed extension, whose extension target does not belong in this table or chain, or whose jump
 * goes to a built-in chain or closes a loop. iptables-nft's `--test` passes all of these (it only parses).
 */
export function checkRuleAgainst(tableName: string, table: FwTable | undefined, chain: string, words: readonly string[], isExtension: ExtensionCheck = () => true): void {
  const chains = chainsOf(tableName, table);
  if (!chains.includes(chain)) {
    throw new NslabError('not-found', `chain: table ${tableName} has no chain ${chain} (it has ${chains.join(', ')})`, { field: 'chain', allowed: chains });
  }
  const jump = jumpOf(words);
  if (!jump || STANDARD_TARGETS.has(jump.target)) return;
  if ((BUILTIN_CHAINS[tableName] ?? []).includes(jump.target)) {
    throw new NslabError('invalid-params', `target: ${jump.target} is a built-in chain; a rule can only jump to a user chain`, { field: 'target' });
  }
  if (!chains.includes(jump.target)) {
    if (!isExtension(jump.target)) {
      throw new NslabError('not-found', `target: there is no chain ${jump.target} in table ${tableName} and no target extension of that name (chains: ${chains.join(', ')})`, { field: 'target', allowed: chains });
    }
    return checkTargetPlace(tableName, chain, words);
  }
  const loop = jump.target === chain ? [chain] : pathBetween(jumpGraph(table), jump.target, chain);
  if (loop) throw new NslabError('invalid-params', `target: -j ${jump.target} would make a jump loop: ${[chain, ...loop].join(' → ')}`, { field: 'target', loop: [chain, ...loop] });
}

/** Turns iptables-restore's complaint into a typed error naming the field that caused it. */
export function restoreError(stderr: string, tableName: string, words: readonly string[]): NslabError {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('Error occurred at line') && !l.startsWith('Try `')) ?? stderr.trim();
  const jump = jumpOf(words);
  if (/Couldn't load target|unknown target|Couldn't find target/i.test(stderr) && jump) {
    return new NslabError('not-found', `target: there is no target or chain named ${jump.target} in table ${tableName} (${line})`, { field: 'target' });
  }
  if (/only valid in|may only be used in|target .* only/i.test(stderr) && jump) {
    return new NslabError('invalid-params', `target: ${jump.target} cannot be used here: ${line}`, { field: 'target' });
  }
  if (/Chain '?.*'? does not exist|No chain\/target\/match by that name/i.test(stderr)) {
    return new NslabError('not-found', `chain or target does not exist: ${line}`, { field: jump ? 'target' : 'chain' });
  }
  if (/Too many levels of links|loop/i.test(stderr)) return new NslabError('invalid-params', `target: the jump would make a loop: ${line}`, { field: 'target' });
  if (/table .* does not exist|Can't initialize|Table does not exist/i.test(stderr)) return new NslabError('invalid-params', `table: ${line}`, { field: 'table' });
  return new NslabError('invalid-params', `rule: iptables-restore refused it: ${line}`, { field: 'rule' });
}
