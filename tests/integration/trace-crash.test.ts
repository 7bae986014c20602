// kill -9 during a packet walk, then `nslab gc`: the ledger knew every nslab_trace table, gc removes them,
// the listeners died with the walk, and the kernel is as it was.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NSLAB, ROOT, kernelState, nslab, tempStateDir } from '../support/cli.js';
import { BLUE_ADDR, ROUTER, buildTraceLab, inNs, traceTablesLeft } from '../support/trace-lab.js';

const state = tempStateDir();
let before = '';

beforeAll(async () => {
  before = kernelState();
  await buildTraceLab(state.dir);
  // the probe's SYN is dropped in the router, so the walk waits for its timeout: time to kill it
  inNs(ROUTER, 'iptables', '-A', 'FORWARD', '-p', 'tcp', '--dport', '9', '-m', 'comment', '--comment', 'nslab:trace-test', '-j', 'DROP');
});
afterAll(async () => {
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(kernelState()).toBe(before);
});

/** `nft … monitor` processes inside this namespace (our listeners). */
const listenersIn = (netns: string): number[] => {
  const inode = statSync(`/run/netns/${netns}`).ino;
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return argv[0]?.endsWith('nft') && argv.includes('monitor') && readlinkSync(`/proc/${p}/ns/net`) === `net:[${inode}]`;
      } catch {
        return false;
      }
    })
    .map(Number);
};

it('leaves no nslab_trace table after kill -9 during a trace and gc', async () => {
  const cli = spawn(process.execPath, [NSLAB, 'trace', '--from', 'tr-red', '--to', BLUE_ADDR, '--proto', 'tcp', '--dport', '9', '--timeout', '8000'], {
    env: { ...process.env, NSLAB_STATE_DIR: state.dir },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // wait until the walk is under way: its tables are in all three namespaces and the probe is out
  let out = '';
  cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!/REQUEST|probe|trace [0-9a-f]+:/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(traceTablesLeft()).toHaveLength(3);
  expect(listenersIn(ROUTER).length).toBe(1);
  cli.kill('SIGKILL');
  await new Promise((r) => cli.once('close', r));
  await new Promise((r) => setTimeout(r, 200));
  expect(traceTablesLeft()).toHaveLength(3); // the walk could not clean up…
  expect(listenersIn(ROUTER)).toEqual([]); // …but its listeners died with it

  const gc = await nslab(state.dir, ['gc', '--json']);
  const report = JSON.parse(gc.stdout) as { deleted: { kind: string; netns: string }[] };
  expect(report.deleted.filter((o) => o.kind === 'trace-table')).toHaveLength(3);
  expect(traceTablesLeft()).toEqual([]);
});
