// Bad firewall input on the real kernel: each is a typed error naming the field, and nothing is applied
// (the namespace's iptables and nft rulesets and the ledger are exactly as before).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHelper } from '../support/helper.js';

const fixture = useHelper();
const call = (method: string, params: unknown) => fixture.helper.call(method, params);
const NS = 'nslab-fwbad';
const FOREIGN = 'nslab-fwforeign';

const state = (netns: string) =>
  [
    spawnSync('ip', ['netns', 'exec', netns, 'iptables-save'], { encoding: 'utf8' }).stdout.replace(/^#.*$/gm, ''),
    spawnSync('ip', ['netns', 'exec', netns, 'nft', 'list', 'ruleset'], { encoding: 'utf8' }).stdout,
  ].join('\n');
const ledger = async () => JSON.stringify(await call('ledger.list', {}));

beforeAll(async () => {
  await call('net.netns.create', { node: 'fwbad' });
  // two user chains, A jumping to B: a rule B → A would close a loop
  const made = spawnSync('ip', ['netns', 'exec', NS, 'iptables-restore', '--noflush'], { input: '*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\nCOMMIT\n' });
  expect(made.status).toBe(0);
  // a namespace that carries the mark but that nslab did not make (no ledger record)
  expect(spawnSync('ip', ['netns', 'add', FOREIGN]).status).toBe(0);
});

afterAll(async () => {
  spawnSync('ip', ['netns', 'del', FOREIGN]);
  await call('net.netns.delete', { node: 'fwbad' });
});

describe('bad firewall input', () => {
  it.each([
    ['shell metacharacters', { line: '-A INPUT -j ACCEPT; iptables -F' }, 'invalid-params', 'line'],
    ['a command substitution', { line: '-A INPUT -s $(id -u) -j DROP' }, 'invalid-params', 'line'],
    ['a pipe in a structured word', { iptables: { chain: 'INPUT', rule: ['-j', 'ACCEPT|x'] } }, 'invalid-params', 'iptables.rule.1'],
    ['an unknown table', { line: '-t bogus -A INPUT -j ACCEPT' }, 'invalid-params', 'table'],
    ['an unknown chain', { line: '-A NOSUCHCHAIN -j ACCEPT' }, 'not-found', 'chain'],
    ['a chain of another table', { line: '-t raw -A FORWARD -j ACCEPT' }, 'not-found', 'chain'],
    ['an unknown target', { line: '-A INPUT -j NOSUCHTARGET' }, 'not-found', 'target'],
    ['-j to a chain that does not exist', { line: '-A INPUT -j mychain' }, 'not-found', 'target'],
    ['a target of another table', { line: '-A INPUT -j MASQUERADE' }, 'invalid-params', 'target'],
    ['a jump loop', { line: '-A B -j A' }, 'invalid-params', 'target'],
    ['a jump to itself', { line: '-A A -j A' }, 'invalid-params', 'target'],
    ['a bad match option', { line: '-A INPUT -p tcp --dport 99999 -j ACCEPT' }, 'invalid-params', 'rule'],
    ['a flush in a rule line', { line: '-F INPUT' }, 'invalid-params', 'line'],
    ['an nslab comment given by hand', { line: '-A INPUT -m comment --comment nslab:x -j ACCEPT' }, 'invalid-params', 'line'],
    ['an nft rule that nft refuses', { nft: { chain: 'input', hook: 'input', rule: 'tcp dport 80 counter bogus' } }, 'invalid-params', 'nft.rule'],
    ['an nft jump to a missing chain', { nft: { chain: 'input', hook: 'input', rule: 'jump nowhere' } }, 'not-found', 'nft.rule'],
    ['a second nft statement', { nft: { chain: 'input', rule: 'accept; flush ruleset' } }, 'invalid-params', 'nft.rule'],
    ['one bad line of a batch', { lines: ['-A INPUT -j ACCEPT', '-A INPUT -j NOSUCHTARGET'] }, 'not-found', 'lines.1.target'],
    ['a batch line iptables-restore refuses', { lines: ['-A INPUT -j ACCEPT', '-A INPUT -p tcp --dport 99999 -j ACCEPT'] }, 'invalid-params', 'lines.1.rule'],
  ])('%s', async (_what, params, code, field) => {
    const before = [state(NS), await ledger()];
    await expect(call('fw.rule.add', { node: 'fwbad', ...params })).rejects.toMatchObject({ data: { code, field } });
    expect([state(NS), await ledger()]).toEqual(before);
  });

  it('writes to the root namespace or to a namespace nslab does not own are refused', async () => {
    const before = [state(FOREIGN), await ledger()];
    await expect(call('fw.rule.add', { line: '-A INPUT -j ACCEPT' })).rejects.toMatchObject({ data: { code: 'permission-denied', field: 'node' } });
    await expect(call('fw.rule.add', { node: 'fwforeign', line: '-A INPUT -j ACCEPT' })).rejects.toMatchObject({ data: { code: 'permission-denied', field: 'node' } });
    await expect(call('fw.policy.set', { node: 'fwforeign', chain: 'INPUT', policy: 'DROP' })).rejects.toMatchObject({ data: { code: 'permission-denied', field: 'node' } });
    await expect(call('fw.rule.delete', { node: 'fwforeign', owner: 'manual' })).rejects.toMatchObject({ data: { code: 'permission-denied', field: 'node' } });
    await expect(call('fw.rule.add', { node: 'nosuchnode', line: '-A INPUT -j ACCEPT' })).rejects.toMatchObject({ data: { code: 'not-found', field: 'node' } });
    expect([state(FOREIGN), await ledger()]).toEqual(before);
    // reading it is fine
    await expect(call('fw.show', { node: 'fwforeign' })).resolves.toMatchObject({ writable: false });
  });

  it('a policy on a chain the table does not have, and deletes of rules that are not there', async () => {
    const before = [state(NS), await ledger()];
    await expect(call('fw.policy.set', { node: 'fwbad', table: 'nat', chain: 'FORWARD', policy: 'DROP' })).rejects.toMatchObject({ data: { code: 'invalid-params', field: 'chain' } });
    await expect(call('fw.rule.delete', { node: 'fwbad', id: 'iptables-nft/ip/filter/INPUT#99999' })).rejects.toMatchObject({ data: { code: 'not-found', field: 'id' } });
    await expect(call('fw.rule.delete', { node: 'fwbad', line: '-D INPUT -j NOSUCH' })).rejects.toMatchObject({ data: { code: 'not-found', field: 'line' } });
    expect([state(NS), await ledger()]).toEqual(before);
  });
});
