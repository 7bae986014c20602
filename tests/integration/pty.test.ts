// Terminals on the real kernel: namespaces, exit codes, killing, flow control, and every last byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawnPty } from '../../electron/helper/exec/pty.js';
import { BATCH_MAX_CHARS } from '../../electron/helper/pty/batcher.js';
import { PTY_WATERMARKS } from '../../electron/shared/contract/index.js';
import { nslab, nslabJson } from '../support/cli.js';
import { connectClient, useHelper } from '../support/helper.js';

process.env.NSLAB_PTY_GRACE_MS = '400'; // the helper started below waits this long for a lost client
const fixture = useHelper({
  setup: (dir) => nslabJson(dir, ['topo', 'apply', 'resources/topologies/red-blue.yaml', '--json']).then(() => undefined),
  teardown: (dir) => nslab(dir, ['topo', 'destroy', 'red-blue']).then(() => undefined),
});
const call = <T = Record<string, unknown>>(method: string, params: unknown): Promise<T> => fixture.helper.call<T>(method, params);
const notify = (method: string, params: unknown): void => fixture.helper.notify(method, params);
const output = (id: string): string =>
  fixture.helper.messages.filter((m) => m.method === 'pty.data' && (m.params as { id: string }).id === id).map((m) => (m.params as { data: string }).data).join('');
const exitOf = (id: string) => fixture.helper.waitFor((m) => m.method === 'pty.exit' && (m.params as { id: string }).id === id);
const until = async (pred: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

describe('terminals', () => {
  it('a shell in nslab-red sees only RED’s interfaces, and its exit code comes back', async () => {
    const { id } = await call<{ id: string }>('pty.open', { target: { kind: 'node', node: 'red' }, cols: 120, rows: 30 });
    notify('pty.write', { id, data: 'ip -br addr; printf "%s\\n" "안녕 빨강"; exit 4\r' });
    const exit = await exitOf(id);
    expect(exit.params).toMatchObject({ id, code: 4, signal: null });
    const text = output(id);
    expect(text).toMatch(/veth-red@\S+\s+UP\s+10\.0\.0\.1\/24/);
    expect(text).not.toMatch(/veth-blue/);
    expect(text).toContain('안녕 빨강');
  });

  it('killing the tab kills every process of its session', async () => {
    const { id, pid } = await call<{ id: string; pid: number }>('pty.open', { target: { kind: 'node', node: 'blue' } });
    notify('pty.write', { id, data: 'sleep 300 & echo "BG=$!"\r' });
    await until(() => /BG=\d+/.test(output(id)));
    const bg = Number(/BG=(\d+)/.exec(output(id))![1]);
    expect(alive(bg)).toBe(true);
    await call('pty.kill', { id, signal: 'SIGKILL' });
    await exitOf(id);
    await until(() => !alive(bg) && !alive(pid));
  });

  it('resize is validated, clamped, and harmless after exit', async () => {
    const { id } = await call<{ id: string }>('pty.open', { target: { kind: 'node', node: 'red' } });
    // A notification has no answer: the size it took shows in pty.list (answered after it, in order).
    const size = async () => (await call<{ sessions: { id: string; cols: number; rows: number }[] }>('pty.list', {})).sessions.find((s) => s.id === id);
    notify('pty.resize', { id, cols: 5000, rows: 0 });
    expect(await size()).toMatchObject({ cols: 1000, rows: 1 });
    notify('pty.write', { id, data: 'exit\r' });
    await exitOf(id);
    notify('pty.resize', { id, cols: 90, rows: 30 });
    expect(await size()).toMatchObject({ cols: 90, rows: 30 });
    notify('pty.resize', { id, cols: 'wide', rows: 30 }); // invalid: refused by the contract, nothing changes
    expect(await size()).toMatchObject({ cols: 90, rows: 30 });
    const asRequest = await fixture.helper.request('pty.resize', { id, cols: 80, rows: 24 });
    expect((asRequest.error as { data: { code: string } }).data.code).toBe('invalid-request');
    expect(await size()).toMatchObject({ cols: 90, rows: 30 });
  });

  it('a client that never acknowledges pauses the producer, and memory stays bounded', async () => {
    const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${fixture.helper.child.pid}/status`, 'utf8'))![1]) * 1024;
    const { id } = await call<{ id: string }>('pty.open', { target: { kind: 'node', node: 'red' } });
    notify('pty.write', { id, data: 'yes nslab-flood-line\r' });
    await until(() => output(id).length > PTY_WATERMARKS.high);
    await new Promise((r) => setTimeout(r, 500));
    const received = output(id).length;
    const rssPaused = rss();
    await new Promise((r) => setTimeout(r, 1500));
    // The producer stopped: nothing more arrived, and the helper did not buffer what it kept producing.
    expect(output(id).length).toBe(received);
    expect(received).toBeLessThan(PTY_WATERMARKS.high + 2 * BATCH_MAX_CHARS);
    expect(rss() - rssPaused).toBeLessThan(8 * 1024 * 1024);
    // Acknowledging resumes it.
    notify('pty.ack', { id, chars: received });
    await until(() => output(id).length > received + 10_000);
    await call('pty.kill', { id, signal: 'SIGKILL' });
    await exitOf(id);
  });

  it('a detached terminal outlives its client and re-attaches with its scrollback', async () => {
    const first = await connectClient(fixture.stateDir);
    const opened = await first.request('pty.open', { target: { kind: 'node', node: 'red' } });
    const id = (opened.result as { id: string }).id;
    first.notify('pty.write', { id, data: 'echo "marker-$((6*7))"\r' });
    await first.waitFor((m) => m.method === 'pty.data' && String((m.params as { data: string }).data).includes('marker-42'));
    await first.request('pty.detach', { id });
    first.close();
    await new Promise((r) => setTimeout(r, 200));
    const second = await connectClient(fixture.stateDir);
    const attached = (await second.request('pty.attach', { id })).result as { replayChars: number; exited: unknown };
    expect(attached.exited).toBeNull();
    // The scrollback comes as the terminal's output, before anything new.
    expect(attached.replayChars).toBeGreaterThan(0);
    await second.waitFor((m) => m.method === 'pty.data' && String((m.params as { data: string }).data).includes('marker-42'));
    second.notify('pty.write', { id, data: 'exit 0\r' });
    await second.waitFor((m) => m.method === 'pty.exit');
    second.close();
  });

  it('a terminal that is not detached ends with its client, after a grace period for a reload', async () => {
    const client = await connectClient(fixture.stateDir);
    const { pid } = (await client.request('pty.open', { target: { kind: 'node', node: 'red' } })).result as { pid: number };
    expect(alive(pid)).toBe(true);
    client.close();
    await until(() => !alive(pid));
  });

  it('a reloaded client that re-attaches within the grace period keeps its terminal', async () => {
    const first = await connectClient(fixture.stateDir);
    const { id, pid } = (await first.request('pty.open', { target: { kind: 'node', node: 'red' } })).result as { id: string; pid: number };
    first.close();
    await new Promise((r) => setTimeout(r, 100));
    const second = await connectClient(fixture.stateDir);
    await second.request('pty.attach', { id });
    await new Promise((r) => setTimeout(r, 700));
    expect(alive(pid)).toBe(true);
    second.close();
    await until(() => !alive(pid));
  });
});

describe('the last output of a process that exits is never lost', () => {
  it('delivers every byte of 10 MB, 50 times', async () => {
    const expected = Math.ceil(7_500_000 / 3) * 4 + 'END'.length;
    let short = 0;
    for (let run = 0; run < 50; run++) {
      const proc = spawnPty(['/bin/sh', '-c', 'head -c 7500000 /dev/zero | base64 -w 0; printf END'], { cols: 200, rows: 50, env: { TERM: 'xterm', PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: '/' });
      let bytes = 0;
      let tail = '';
      proc.onData((d) => {
        const b = d as unknown as Buffer;
        bytes += b.length;
        tail = (tail + b.subarray(-3).toString('latin1')).slice(-3);
      });
      await new Promise<void>((resolve) => proc.onExit(() => resolve()));
      if (bytes !== expected || tail !== 'END') short++;
    }
    expect(short).toBe(0);
  }, 120_000);
});
