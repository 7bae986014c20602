import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FwRuleAddParams } from '../../electron/shared/contract/firewall.js';
import { NslabError } from '../../electron/shared/errors.js';
import { parseIptablesLine, tokenize } from '../../electron/helper/firewall/line.js';
import { buildRuleset, splitBatchedTexts } from '../../electron/helper/firewall/ruleset.js';
import { checkRuleAgainst, restoreError } from '../../electron/helper/firewall/validate.js';
import { normalizeWords } from '../../electron/helper/firewall/write.js';
import { CounterWatch, countersOf, diffCounters } from '../../electron/helper/firewall/watch.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/firewall', name), 'utf8');
const ruleset = () =>
  buildRuleset('nslab-fxcap', { def: 'nf_tables', nfSave: fixture('iptables-nft-save.txt'), legacySave: '', nftJson: fixture('nft-ruleset.json'), nftText: null });
const table = (name: string) => ruleset().tables.find((t) => t.source === 'iptables-nft' && t.name === name);

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NslabError);
    return (err as NslabError).field;
  }
  throw new Error('expected a typed error');
}

describe('iptables line, tokenised without a shell', () => {
  it('reads table, operation, chain, position and the rule words', () => {
    expect(parseIptablesLine('-t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE')).toEqual({ table: 'nat', op: 'append', chain: 'POSTROUTING', words: ['-s', '10.0.0.0/24', '-j', 'MASQUERADE'] });
    expect(parseIptablesLine('iptables -I FORWARD 2 -i br0 ! -o br0 -j ACCEPT')).toEqual({ table: 'filter', op: 'insert', chain: 'FORWARD', position: 2, words: ['-i', 'br0', '!', '-o', 'br0', '-j', 'ACCEPT'] });
    expect(parseIptablesLine('-D INPUT -p tcp --dport 22 -j DROP').op).toBe('delete');
  });

  it('quotes group words and nothing expands', () => {
    expect(tokenize(`-j LOG --log-prefix "dropped: " -m x '$HOME'`)).toEqual(['-j', 'LOG', '--log-prefix', 'dropped: ', '-m', 'x', '$HOME']);
    expect(fieldOf(() => tokenize('-j "ACCEPT'))).toBe('line');
  });

  it.each([
    ['-A INPUT -j ACCEPT; rm -rf /', 'line'],
    ['-A INPUT -s $(id) -j DROP', 'line'],
    ['-A INPUT -j ACCEPT | tee x', 'line'],
    ['-A INPUT -s `id` -j DROP', 'line'],
    ['-A INPUT -j ACCEPT > /tmp/x', 'line'],
    ['-A INPUT -j ACCEPT && reboot', 'line'],
    ["-A INPUT -m comment --comment 'x' -j ACCEPT", 'line'],
    ['-A INPUT -j ACCEPT -F', 'line'],
    ['-t nat -A POSTROUTING -j MASQUERADE -t filter', 'line'],
    ['-t bogus -A INPUT -j ACCEPT', 'table'],
    ['-A IN;PUT -j ACCEPT', 'chain'],
    ['-s 10.0.0.1 -j DROP', 'line'],
    ['-A INPUT', 'line'],
    ['-P FORWARD DROP', 'line'],
  ])('refuses %s (field %s)', (line, field) => {
    expect(fieldOf(() => parseIptablesLine(line))).toBe(field);
  });

  it('the structured form takes exactly one of line, iptables, nft', () => {
    expect(FwRuleAddParams.safeParse({ node: 'r', line: '-A INPUT -j ACCEPT' }).success).toBe(true);
    const both = FwRuleAddParams.safeParse({ node: 'r', line: '-A INPUT -j ACCEPT', iptables: { chain: 'INPUT', rule: ['-j', 'ACCEPT'] } });
    expect(both.success).toBe(false);
    const bad = FwRuleAddParams.safeParse({ node: 'r', iptables: { chain: 'INPUT', rule: ['-j', 'ACCEPT;'] } });
    expect(bad.error?.issues[0]?.path).toEqual(['iptables', 'rule', 1]);
    const nft = FwRuleAddParams.safeParse({ node: 'r', nft: { chain: 'input', rule: 'counter accept; flush ruleset' } });
    expect(nft.error?.issues[0]?.path).toEqual(['nft', 'rule']);
    expect(FwRuleAddParams.safeParse({ node: 'r', owner: 'a b', line: '-A INPUT -j ACCEPT' }).error?.issues[0]?.path).toEqual(['owner']);
  });
});

describe('a rule checked against its table (captured Docker-like filter table)', () => {
  it('accepts a rule in a built-in or user chain, jumping to a user chain', () => {
    expect(() => checkRuleAgainst('filter', table('filter'), 'FORWARD', ['-j', 'DOCKER-USER'])).not.toThrow();
    expect(() => checkRuleAgainst('filter', table('filter'), 'DOCKER', ['-j', 'ACCEPT'])).not.toThrow();
    // an extension target is left to iptables-restore --test
    expect(() => checkRuleAgainst('nat', table('nat'), 'POSTROUTING', ['-j', 'MASQUERADE'])).not.toThrow();
    // a table not made yet still has its built-in chains
    expect(() => checkRuleAgainst('security', undefined, 'INPUT', ['-j', 'ACCEPT'])).not.toThrow();
  });

  it('names the chain when it is not in the table', () => {
    expect(fieldOf(() => checkRuleAgainst('filter', table('filter'), 'NOPE', ['-j', 'ACCEPT']))).toBe('chain');
    expect(fieldOf(() => checkRuleAgainst('raw', table('raw'), 'FORWARD', ['-j', 'ACCEPT']))).toBe('chain');
  });

  it('refuses a jump that closes a loop, and a jump to a built-in chain', () => {
    // DOCKER-ISOLATION-STAGE-1 → STAGE-2 exists; STAGE-2 → STAGE-1 would loop
    try {
      checkRuleAgainst('filter', table('filter'), 'DOCKER-ISOLATION-STAGE-2', ['-j', 'DOCKER-ISOLATION-STAGE-1']);
      throw new Error('no error');
    } catch (err) {
      expect((err as NslabError).field).toBe('target');
      expect((err as NslabError).data.loop).toEqual(['DOCKER-ISOLATION-STAGE-2', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2']);
    }
    expect(fieldOf(() => checkRuleAgainst('filter', table('filter'), 'DOCKER', ['-j', 'DOCKER']))).toBe('target');
    expect(fieldOf(() => checkRuleAgainst('filter', table('filter'), 'DOCKER', ['-j', 'INPUT']))).toBe('target');
    expect(fieldOf(() => checkRuleAgainst('filter', table('filter'), 'INPUT', ['-j']))).toBe('target');
  });

  it('checks what iptables-nft --test does not: unknown targets, and targets of another table or hook', () => {
    const ext = (t: string) => ['MASQUERADE', 'DNAT', 'LOG', 'CT'].includes(t);
    expect(() => checkRuleAgainst('nat', table('nat'), 'POSTROUTING', ['-j', 'MASQUERADE'], ext)).not.toThrow();
    expect(() => checkRuleAgainst('filter', table('filter'), 'INPUT', ['-j', 'LOG'], ext)).not.toThrow();
    expect(() => checkRuleAgainst('nat', table('nat'), 'DOCKER', ['-j', 'DNAT', '--to-destination', '10.0.0.2'], ext)).not.toThrow();
    expect(fieldOf(() => checkRuleAgainst('filter', table('filter'), 'INPUT', ['-j', 'NOSUCH'], ext))).toBe('target');
    expect(fieldOf(() => checkRuleAgainst('filter', table('filter'), 'INPUT', ['-j', 'MASQUERADE'], ext))).toBe('target');
    expect(fieldOf(() => checkRuleAgainst('nat', table('nat'), 'PREROUTING', ['-j', 'MASQUERADE'], ext))).toBe('target');
    expect(fieldOf(() => checkRuleAgainst('filter', table('filter'), 'INPUT', ['-j', 'CT', '--notrack'], ext))).toBe('target');
  });

  it('turns iptables-restore complaints into typed errors naming the field', () => {
    expect(restoreError("iptables-restore v1.8.9 (nf_tables): Couldn't load target `NOSUCH':No such file or directory\n\nError occurred at line: 2", 'filter', ['-j', 'NOSUCH']).field).toBe('target');
    expect(restoreError('iptables-restore v1.8.9 (nf_tables): unknown option "--bogus"\nError occurred at line: 2', 'filter', ['--bogus', '-j', 'ACCEPT']).field).toBe('rule');
  });
});

describe('iptables words compared as iptables-save prints them', () => {
  it('adds the implicit -m tcp and /32, drops the nslab comment, shortens long options', () => {
    expect(normalizeWords(['-p', 'tcp', '--dport', '80', '-s', '10.0.0.1', '--jump', 'ACCEPT'])).toEqual(['-p', 'tcp', '-m', 'tcp', '--dport', '80', '-s', '10.0.0.1/32', '-j', 'ACCEPT']);
    expect(normalizeWords(['-m', 'comment', '--comment', 'nslab:x', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'ACCEPT'])).toEqual(['-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'ACCEPT']);
  });
});

describe('counter sweeps', () => {
  it('the first sweep sends everything; later ones only what moved, with deltas and zero-hit flags', () => {
    const first = new Map();
    const a = new Map([['r1', { packets: 0, bytes: 0 }], ['r2', { packets: 5, bytes: 500 }]]);
    const d1 = diffCounters(a, null, first, true);
    expect(d1).toEqual([
      { id: 'r1', packets: 0, bytes: 0, dPackets: 0, dBytes: 0, zeroSinceWatch: true, zeroSinceStart: true },
      { id: 'r2', packets: 5, bytes: 500, dPackets: 0, dBytes: 0, zeroSinceWatch: true, zeroSinceStart: false },
    ]);
    const b = new Map([['r1', { packets: 0, bytes: 0 }], ['r2', { packets: 8, bytes: 800 }], ['r3', { packets: 1, bytes: 60 }]]);
    expect(diffCounters(b, a, first, false)).toEqual([
      { id: 'r2', packets: 8, bytes: 800, dPackets: 3, dBytes: 300, zeroSinceWatch: false, zeroSinceStart: false },
      { id: 'r3', packets: 1, bytes: 60, dPackets: 0, dBytes: 0, zeroSinceWatch: true, zeroSinceStart: false },
    ]);
  });

  it('counts every rule and policy of a captured ruleset', () => {
    const { rules, policies } = countersOf(ruleset());
    expect(rules.get('iptables-nft/ip/filter/INPUT#8')).toEqual({ packets: 6, bytes: 504 });
    expect(policies.get('iptables-nft/ip/filter/FORWARD')).toEqual({ packets: 0, bytes: 0 });
    // an nft rule without a counter has nothing to count
    expect(rules.has('nft/inet/nslab_fx/forward_guard#9')).toBe(false);
    expect(rules.get('nft/inet/nslab_fx/input#7')).toEqual({ packets: 3, bytes: 252 });
  });
});

describe('nft tables nslab deletes', () => {
  it('only ever an nslab_ table, named <family> <table>', async () => {
    const { deleteNftTable } = await import('../../electron/helper/firewall/nft-write.js');
    await expect(deleteNftTable(null, 'inet filter')).rejects.toMatchObject({ code: 'internal' });
    await expect(deleteNftTable('nslab-x', 'nslab_x')).rejects.toMatchObject({ code: 'internal' });
  });

  it('owner tags: nslab:<owner> for iptables, nslab_<owner> for nft', async () => {
    const { ownerComment, ownerTable, ledgerOwner } = await import('../../electron/helper/firewall/owner.js');
    expect(ownerComment('lab-nat')).toBe('nslab:lab-nat');
    expect(ownerTable('lab-nat.v2')).toBe('nslab_lab_nat_v2');
    expect([ledgerOwner('manual'), ledgerOwner('x')]).toEqual(['manual', 'fw:x']);
  });
});

describe('one ip -batch for many namespaces', () => {
  const json = fixture('nft-ruleset.json').trim();
  const text = fixture('nft-ruleset.txt');
  const save = fixture('iptables-nft-save.txt');
  // what `describe meta mark` prints after each namespace's ruleset
  const END = 'meta expression, datatype mark (packet mark) (basetype integer), 32 bits\n';

  it("splits the output after each namespace's describe line, an empty ruleset too, skipping namespaces that could not be entered", () => {
    const out = `${save}${text}${END}${END}${text}${END}`;
    const parts = splitBatchedTexts(out, ['nslab-a', 'nslab-gone', 'nslab-b', 'nslab-c'], new Set(['nslab-gone']))!;
    expect([...parts.keys()]).toEqual(['nslab-a', 'nslab-b', 'nslab-c']);
    expect(parts.get('nslab-a')).toEqual({ nfSave: save, nftText: text });
    expect(parts.get('nslab-b')).toEqual({ nfSave: '', nftText: '' });
    expect(parts.get('nslab-c')).toEqual({ nfSave: '', nftText: text });
  });

  it('refuses output that does not add up', () => {
    expect(splitBatchedTexts(`${text}${END}`, ['nslab-a', 'nslab-b'], new Set())).toBeNull();
    expect(splitBatchedTexts(`${text}${END}stray\n`, ['nslab-a'], new Set())).toBeNull();
    expect(splitBatchedTexts(`${text}  ${END}`, ['nslab-a'], new Set())).toBeNull();
  });

  it('the watch reads namespaces without legacy tables together, from iptables-nft-save and nft\'s text, after their first sweep', async () => {
    // nft's text is read apart from the JSON and the save: here INPUT#8 moved once between the reads
    const rs = () => ({ def: 'nf_tables' as const, nfSave: save, legacySave: '', nftJson: json, nftText: text.replace('packets 6 bytes 504', 'packets 7 bytes 588') });
    const single: [string | null, boolean][] = [];
    const many: string[][] = [];
    const watch = new CounterWatch(
      async (netns, _legacy, withText) => (single.push([netns, withText]), rs()),
      async (list) => (many.push(list), new Map(list.map((n) => [n, list.indexOf(n) === 0 ? new Error('gone') : { nfSave: save, nftText: text.replace('packets 6 bytes 504', 'packets 9 bytes 756') }]))),
    );
    const events: { netns: string | null; error?: string; rules: { id: string; dPackets: number }[] }[] = [];
    watch.watch({ id: 'c', notify: (_e, p) => void events.push(p as never), onClose: () => () => undefined }, ['nslab-a', 'nslab-b', null], 10_000);
    await watch.sweep();
    // nft's text is read where it may be used: not in the root namespace
    expect(single.sort()).toEqual([[null, false], ['nslab-a', true], ['nslab-b', true]].sort());
    // the first sweep reports the counters the brief sweeps after it go on from
    const INPUT8 = 'iptables-nft/ip/filter/INPUT#8';
    const firstB = events.find((e) => e.netns === 'nslab-b') as unknown as { rules: { id: string; packets: number }[]; zeroSinceWatch: number };
    expect(firstB.zeroSinceWatch).toBe(firstB.rules.length);
    expect(firstB.rules.find((r) => r.id === INPUT8)!.packets).toBe(7);
    single.length = 0;
    events.length = 0;
    await watch.sweep();
    watch.close();
    expect(many).toEqual([['nslab-a', 'nslab-b']]);
    expect(single).toEqual([[null, false]]);
    expect(events.filter((e) => e.error).map((e) => e.netns)).toEqual(['nslab-a']);
    expect(events.find((e) => e.netns === 'nslab-b')!.rules).toEqual([expect.objectContaining({ id: INPUT8, packets: 9, dPackets: 2 })]);
    // the one rule that moved no longer reads as at the first sweep
    expect((events.find((e) => e.netns === 'nslab-b') as unknown as { zeroSinceWatch: number }).zeroSinceWatch).toBe(firstB.zeroSinceWatch - 1);
  });

  it('a brief read of a new shape is placed again from the full read even when the full read finds nothing moved', async () => {
    const remade = text.replace('# handle 8\n', '# handle 88\n');
    let full = 0;
    const many: string[][] = [];
    const watch = new CounterWatch(
      async () => (full++, { def: 'nf_tables' as const, nfSave: save, legacySave: '', nftJson: json, nftText: full > 1 ? remade : text }),
      async (list) => (many.push(list), new Map(list.map((n) => [n, { nfSave: save, nftText: remade }]))),
    );
    watch.watch({ id: 'c', notify: () => undefined, onClose: () => () => undefined }, ['nslab-a'], 10_000);
    await watch.sweep();
    await watch.sweep(); // brief: a new shape, read in full (the same JSON and save), whose text cannot be placed
    await watch.sweep(); // so read in full, not briefly
    watch.close();
    expect(many).toEqual([['nslab-a']]);
    expect(full).toBe(3);
  });

  it('a namespace whose shape could not be placed is read without nft\'s text until its shape changes', async () => {
    const remade = text.replace('# handle 8\n', '# handle 88\n');
    const withText: boolean[] = [];
    const watch = new CounterWatch(
      async (_n, _l, t) => (withText.push(t), { def: 'nf_tables' as const, nfSave: save, legacySave: '', nftJson: json, nftText: remade }),
      async () => null,
    );
    watch.watch({ id: 'c', notify: () => undefined, onClose: () => () => undefined }, ['nslab-a'], 10_000);
    await watch.sweep();
    await watch.sweep();
    watch.close();
    expect(withText).toEqual([true, false]);
  });
});

describe('a batch of rules as iptables-restore input', () => {
  it('plain words go in as they are; a word that needs quotes is quoted for the shell and grouped for restore', async () => {
    const { restoreBatches } = await import('../../electron/helper/firewall/write.js');
    const batches = restoreBatches('nslab-fwa', 'nf_tables', 'nslab:manual', [
      { table: 'filter', op: 'append', chain: 'INPUT', words: ['-s', '10.0.0.1/32', '-p', 'tcp', '--dport', '22', '-j', 'ACCEPT'] },
      { table: 'filter', op: 'insert', chain: 'INPUT', position: 2, words: ['!', '-i', 'lo', '-j', 'DROP'] },
      { table: 'nat', op: 'append', chain: 'POSTROUTING', words: ['-s', '10.0.0.0/24', '-j', 'MASQUERADE'] },
      { table: 'filter', op: 'append', chain: 'FORWARD', words: ['-m', 'string', '--string', 'a b', '--algo', 'bm', '-j', 'DROP'] },
    ]);
    expect([...batches.keys()]).toEqual(['filter', 'nat']);
    expect(batches.get('filter')!.lines).toEqual([
      '-A INPUT -m comment --comment nslab:manual -s 10.0.0.1/32 -p tcp --dport 22 -j ACCEPT',
      '-I INPUT 2 -m comment --comment nslab:manual ! -i lo -j DROP',
      '-A FORWARD -m comment --comment nslab:manual -m string --string "a b" --algo bm -j DROP',
    ]);
    expect(batches.get('filter')!.shown).toEqual([
      'ip netns exec nslab-fwa iptables -A INPUT -m comment --comment nslab:manual -s 10.0.0.1/32 -p tcp --dport 22 -j ACCEPT',
      'ip netns exec nslab-fwa iptables -I INPUT 2 -m comment --comment nslab:manual ! -i lo -j DROP',
      "ip netns exec nslab-fwa iptables -A FORWARD -m comment --comment nslab:manual -m string --string 'a b' --algo bm -j DROP",
    ]);
    expect(batches.get('nat')!.shown).toEqual(['ip netns exec nslab-fwa iptables -t nat -A POSTROUTING -m comment --comment nslab:manual -s 10.0.0.0/24 -j MASQUERADE']);
    expect(batches.get('filter')!.words[1]).toEqual(['!', '-i', 'lo', '-j', 'DROP']);
  });
});

describe('a line without quotes', () => {
  it('splits on blanks exactly as the quoting splitter does', async () => {
    const { splitQuoted } = await import('../../electron/helper/firewall/parse.js');
    for (const line of ['  -A  INPUT\t-j ACCEPT ', '-A INPUT -s 10.0.0.1 -j DROP', '', '   ', '-I FORWARD 3 ! -i lo -j REJECT']) {
      expect(tokenize(line)).toEqual(splitQuoted(line, `"'`, false).words);
    }
  });
});
