// nft rules written by hand, always in the owner's own table `nslab_<owner>` (made on first use, with the
// chain): the batch is checked with `nft -c -f -`, then applied with `nft -f -`; the table is the tag
// (deleting it removes the owner's nft rules) and is journaled as a `nft-table` object.
import type { FwRule, FwRuleChange, FwRuleset, FwTable } from '../../shared/contract/firewall.js';
import type { LedgerObject } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { shellLine } from '../../shared/shell.js';
import type { HelperContext } from '../context.js';
import { run } from '../exec/run.js';
import { journaled, ledgerOwner, ownerTable } from './owner.js';
import { readRuleset } from './ruleset.js';

export interface NftRuleSpec {
  family: 'ip' | 'ip6' | 'inet';
  chain: string;
  hook?: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | undefined;
  type: 'filter' | 'nat' | 'route';
  priority: number;
  policy: 'accept' | 'drop';
  rule: string;
}

/** The ledger name of an nft table: `<family> <name>`. */
export const nftTableObject = (netns: string, family: string, table: string, owner: string): LedgerObject => ({ kind: 'nft-table', netns, name: `${family} ${table}`, owner });

const nftShell = (netns: string, command: string): string => shellLine(['ip', 'netns', 'exec', netns, 'nft', command]);

async function nftBatch(netns: string, commands: string[], opts: { check: boolean }): Promise<{ code: number; stderr: string }> {
  return run(['ip', 'netns', 'exec', netns, 'nft', ...(opts.check ? ['-c'] : []), '-f', '-'], {
    input: `${commands.join('\n')}\n`,
    allowFailure: true,
    ...(opts.check ? {} : { change: true, shell: commands.map((c) => nftShell(netns, c)) }),
  });
}

function nftError(stderr: string, field: string): NslabError {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const first = lines.find((l) => l.startsWith('Error:')) ?? lines[0] ?? 'nft refused it';
  const detail = lines.filter((l) => !l.startsWith('/dev/stdin:') && !l.startsWith('Error:') && !/^\^+$/.test(l)).slice(0, 1).join(' ');
  if (/No such file or directory/.test(stderr)) return new NslabError('not-found', `${field}: a chain, set or table it names does not exist: ${first}${detail ? ` (${detail})` : ''}`, { field });
  if (/Too many levels of links|loop/i.test(stderr)) return new NslabError('invalid-params', `${field}: the jump would make a loop`, { field });
  return new NslabError('invalid-params', `${field}: nft refused it: ${first}${detail ? ` — ${detail}` : ''}`, { field });
}

export async function addNftRule(ctx: HelperContext, netns: string, owner: string, spec: NftRuleSpec): Promise<FwRuleChange> {
  const table = ownerTable(owner);
  const before = await readRuleset(netns, { text: false, legacy: false });
  const existing = before.tables.find((t) => t.source === 'nft' && t.family === spec.family && t.name === table);
  const chain = existing?.chains.find((c) => c.name === spec.chain);
  const commands = [
    ...(existing ? [] : [`add table ${spec.family} ${table}`]),
    ...(chain
      ? []
      : [spec.hook ? `add chain ${spec.family} ${table} ${spec.chain} { type ${spec.type} hook ${spec.hook} priority ${spec.priority}; policy ${spec.policy}; }` : `add chain ${spec.family} ${table} ${spec.chain}`]),
    `add rule ${spec.family} ${table} ${spec.chain} ${spec.rule}`,
  ];
  const check = await nftBatch(netns, commands, { check: true });
  if (check.code !== 0) throw nftError(check.stderr, 'nft.rule');
  await journaled(ctx, nftTableObject(netns, spec.family, table, ledgerOwner(owner)), async () => {
    const r = await nftBatch(netns, commands, { check: false });
    if (r.code !== 0) throw nftError(r.stderr, 'nft.rule');
  });
  const known = new Set((chain?.rules ?? []).map((r) => r.id));
  const after = await readRuleset(netns, { writable: true });
  const rules = after.tables.find((t) => t.source === 'nft' && t.family === spec.family && t.name === table)?.chains.find((c) => c.name === spec.chain)?.rules.filter((r) => !known.has(r.id)) ?? [];
  return { netns, commands: commands.map((c) => nftShell(netns, c)), rules };
}

export async function deleteNftRule(_ctx: HelperContext, netns: string, table: FwTable, chain: string, rule: FwRule): Promise<FwRuleChange> {
  const command = `delete rule ${table.family} ${table.name} ${chain} handle ${rule.handle}`;
  const r = await nftBatch(netns, [command], { check: false });
  if (r.code !== 0) throw nftError(r.stderr, 'id');
  return { netns, commands: [nftShell(netns, command)], rules: [rule] };
}

/** Deletes the owner's nft tables (any family) and their ledger records. */
export async function deleteOwnerTables(ctx: HelperContext, netns: string, rs: FwRuleset, owner: string): Promise<{ commands: string[]; rules: FwRule[] }> {
  const name = ownerTable(owner);
  const tables = rs.tables.filter((t) => t.source === 'nft' && t.name === name);
  if (!tables.length) return { commands: [], rules: [] };
  const commands = tables.map((t) => `delete table ${t.family} ${t.name}`);
  const r = await nftBatch(netns, commands, { check: false });
  if (r.code !== 0) throw nftError(r.stderr, 'owner');
  const names = new Set(tables.map((t) => `${t.family} ${t.name}`));
  ctx.ledger.removed(ctx.ledger.objects((o) => o.kind === 'nft-table' && o.netns === netns && names.has(o.name)));
  return { commands: commands.map((c) => nftShell(netns, c)), rules: tables.flatMap((t) => t.chains.flatMap((c) => c.rules)) };
}

/** Deletes one recorded table (gc). */
export async function deleteNftTable(netns: string | null, name: string): Promise<void> {
  const [family, table] = name.split(' ');
  if (!family || !table?.startsWith('nslab_')) throw new NslabError('internal', `not an nslab nft table: ${name}`);
  const argv = ['nft', 'delete', 'table', family, table];
  await run(netns === null ? argv : ['ip', 'netns', 'exec', netns, ...argv], { change: true });
}
