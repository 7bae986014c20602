// The watcher's long-lived `ip -force -batch -` on the real kernel: reads answer what a batch of their own
// prints, the same process serves read after read, a namespace that vanished does not mix up a later read,
// and close() leaves no ip behind.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpBatchSession } from '../../electron/helper/exec/ip-batch-session.js';

const NS = ['nslab-ibs-a', 'nslab-ibs-b'];
const sh = (...argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
const lines = (netns: string[]) => netns.map((n) => `netns exec ${n} iptables-nft-save -t filter -c`).join('\n') + '\n';
/** What one batch of its own prints for the same lines. */
const once = (netns: string[]) => spawnSync('ip', ['-force', '-batch', '-'], { input: lines(netns), encoding: 'utf8' }).stdout;
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(sh('cat', `/proc/${pid}/status`).stdout);

beforeAll(() => {
  for (const [i, n] of NS.entries()) {
    sh('ip', 'netns', 'add', n);
    sh('ip', 'netns', 'exec', n, 'iptables', '-A', 'INPUT', '-s', `10.9.${i}.1`, '-m', 'comment', '--comment', 'nslab:ibs', '-j', 'ACCEPT');
  }
});
afterAll(() => {
  for (const n of [...NS, 'nslab-ibs-c']) sh('ip', 'netns', 'del', n);
});

describe('one ip -batch for reads repeated every second', () => {
  it('answers each read as a batch of its own would, from the same process, and ends with close()', async () => {
    const session = new IpBatchSession();
    const first = await session.read(lines(NS));
    expect(first.stdout).toBe(once(NS));
    expect(first.stdout).toContain('-A INPUT -s 10.9.0.1/32');
    expect(first.stdout).toContain('-A INPUT -s 10.9.1.1/32');
    expect(first.stderr).toBe('');
    const pid = session.pid!;
    expect(alive(pid)).toBe(true);
    // the next reads: only their own output (the file is emptied), by the same ip
    sh('ip', 'netns', 'exec', NS[1]!, 'iptables', '-A', 'INPUT', '-s', '10.9.1.2', '-j', 'DROP');
    const [a, b] = await Promise.all([session.read(lines([NS[0]!])), session.read(lines([NS[1]!]))]);
    expect(a.stdout).toBe(once([NS[0]!]));
    expect(b.stdout).toBe(once([NS[1]!]));
    expect(b.stdout).toContain('-A INPUT -s 10.9.1.2/32 -j DROP');
    expect(session.pid).toBe(pid);
    await session.close();
    expect(alive(pid)).toBe(false);
    expect(session.pid).toBeUndefined();
  });

  it('a namespace gone before its line runs: its error in stderr, the others read, the next read from a fresh ip', async () => {
    const session = new IpBatchSession();
    await session.read(lines(NS));
    const pid = session.pid!;
    const r = await session.read(lines([NS[0]!, 'nslab-ibs-c', NS[1]!]));
    expect(r.stderr).toContain('Cannot open network namespace "nslab-ibs-c"');
    expect(r.stdout).toBe(once(NS));
    const next = await session.read(lines(NS));
    expect(next.stdout).toBe(once(NS));
    expect(session.pid).not.toBe(pid);
    const last = session.pid!;
    await session.close();
    expect(alive(last)).toBe(false);
    // the ip that took the bad line's place, and its parent, are gone too
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((res) => setTimeout(res, 20));
    expect(alive(pid)).toBe(false);
  });

  it('a read that takes too long is a timeout error, and the next read starts a fresh ip', async () => {
    const session = new IpBatchSession();
    await expect(session.read(`netns exec ${NS[0]} sleep 2\n`, 200)).rejects.toMatchObject({ code: 'timeout' });
    const next = await session.read(lines(NS));
    expect(next.stdout).toBe(once(NS));
    await session.close();
  });
});
