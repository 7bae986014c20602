// Terminals that outlive their tab, on a real helper: a shell keeps running for the grace after its last
// client left (10 minutes unless pty.config says otherwise), any other client re-attaches it and gets its
// scrollback as output, it is hung up once the grace has passed, a changed grace applies to the shells
// already waiting, and the helper remembers the grace across a restart. Host shells only: no kernel objects.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempStateDir } from '../support/cli.js';
import { connectClient, startHelper, type HelperProcess, type RpcPeer } from '../support/helper.js';

delete process.env.NSLAB_PTY_GRACE_MS; // the helper's own default and pty.config decide here

const state = tempStateDir();
let helper: HelperProcess;
/** Every shell a test opened, to check none outlives the file. */
const pids: number[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};
const until = async (pred: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
};
const outputOf = (c: RpcPeer, id: string): string =>
  c.messages.filter((m) => m.method === 'pty.data' && (m.params as { id: string }).id === id).map((m) => (m.params as { data: string }).data).join('');

interface Info {
  id: string;
  pid: number;
  clients: number;
  endsAt: string | null;
  exited: unknown;
  command: string;
  startedAt: string;
}
const listed = async (id: string): Promise<Info | undefined> => (await helper.call<{ sessions: Info[] }>('pty.list', {})).sessions.find((s) => s.id === id);

/** A host shell opened by a client of its own, with a marker in its output; the client then goes away. */
async function orphanShell(marker: string): Promise<Info> {
  const c = await connectClient(state.dir);
  const opened = (await c.call<Info>('pty.open', { target: { kind: 'host' }, cols: 100, rows: 30 })) as Info;
  pids.push(opened.pid);
  c.notify('pty.write', { id: opened.id, data: `echo "${marker}-$((6*7))"\r` });
  await until(() => outputOf(c, opened.id).includes(`${marker}-42`));
  expect(await listed(opened.id)).toMatchObject({ clients: 1, endsAt: null });
  c.close();
  return opened;
}

/** Only a terminal's owner kills it: take it over first (as the Running shells list would). */
async function killShell(id: string): Promise<void> {
  await helper.call('pty.attach', { id });
  await helper.call('pty.kill', { id, signal: 'SIGKILL' });
}

beforeAll(async () => {
  helper = await startHelper(state.dir);
});
afterAll(async () => {
  for (const s of (await helper.call<{ sessions: Info[] }>('pty.list', {}).catch(() => ({ sessions: [] as Info[] }))).sessions) {
    if (!s.exited) await killShell(s.id).catch(() => undefined);
  }
  await helper.stop();
  state.cleanup();
  // Host shells make no kernel objects; what they leave would be processes.
  await until(() => pids.every((p) => !alive(p)), 5000);
});

describe('terminals outlive their last client', () => {
  it('waits 10 minutes by default, and says so in pty.list', async () => {
    expect(await helper.call('pty.config', {})).toEqual({ graceMs: 600_000, scrollbackChars: 262_144 });
    const t0 = Date.now();
    const shell = await orphanShell('default');
    await sleep(300);
    const info = await listed(shell.id);
    expect(info).toMatchObject({ clients: 0, exited: null });
    expect(info!.command).toMatch(/sh -l$/);
    const ends = Date.parse(info!.endsAt!);
    expect(ends).toBeGreaterThanOrEqual(t0 + 600_000 - 1000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 600_000 + 1000);
    expect(alive(shell.pid)).toBe(true);
    await killShell(shell.id);
    await until(() => !alive(shell.pid));
  });

  it('survives its last client for the grace, re-attaches with its scrollback, and ends after the grace', async () => {
    expect(await helper.call('pty.config', { graceMs: 1500 })).toMatchObject({ graceMs: 1500 });
    // remembered, readable by its owner only
    expect(JSON.parse(readFileSync(join(state.dir, 'terminals.json'), 'utf8'))).toEqual({ graceMs: 1500 });
    expect(statSync(join(state.dir, 'terminals.json')).mode & 0o777).toBe(0o600);

    const shell = await orphanShell('kept');
    await sleep(900);
    expect(alive(shell.pid)).toBe(true); // within the grace
    // Another client (a reopened tab) takes it over: the scrollback arrives as output, then live output.
    const next = await connectClient(state.dir);
    const attached = await next.call<Info & { replayChars: number }>('pty.attach', { id: shell.id });
    expect(attached).toMatchObject({ clients: 1, endsAt: null, exited: null, pid: shell.pid });
    expect(attached.replayChars).toBeGreaterThan(0);
    await until(() => outputOf(next, shell.id).includes('kept-42'));
    expect(outputOf(next, shell.id).length).toBe(attached.replayChars); // the replay, exactly once
    next.notify('pty.ack', { id: shell.id, chars: attached.replayChars });
    next.notify('pty.write', { id: shell.id, data: 'echo "again-$((40+2))"\r' });
    await until(() => outputOf(next, shell.id).includes('again-42'));
    await sleep(2000);
    expect(alive(shell.pid)).toBe(true); // attached: no grace running
    next.close();
    await sleep(700);
    expect(alive(shell.pid)).toBe(true);
    await until(() => !alive(shell.pid), 5000); // hung up once 1.5 s have passed
    for (let i = 0; i < 50 && !(await listed(shell.id))?.exited; i++) await sleep(100);
    expect((await listed(shell.id))?.exited).toMatchObject({ signal: 'SIGHUP' });
  });

  it('a changed grace applies to the shells already waiting, and survives a helper restart', async () => {
    await helper.call('pty.config', { graceMs: 600_000 });
    const shell = await orphanShell('waiting');
    await sleep(500);
    expect(alive(shell.pid)).toBe(true);
    await helper.call('pty.config', { graceMs: 1000 }); // it left ~0.5 s ago: ~0.5 s to go
    await sleep(100);
    expect(alive(shell.pid)).toBe(true);
    await until(() => !alive(shell.pid), 3000);

    await helper.stop();
    helper = await startHelper(state.dir);
    expect(await helper.call('pty.config', {})).toMatchObject({ graceMs: 1000 });
  });

  it('refuses a grace that is not one, naming the field, and changes nothing', async () => {
    const c = await connectClient(state.dir);
    const reply = await c.request('pty.config', { graceMs: -5 });
    expect(reply.error).toMatchObject({ data: { code: 'invalid-params', field: 'graceMs' } });
    expect(JSON.stringify(reply.error)).toMatch(/must not be negative/);
    c.close();
    expect(await helper.call('pty.config', {})).toMatchObject({ graceMs: 1000 });
  });
});
