// Electron main's IPC relay with electron mocked: the sender-frame check, the allowlist, events only as
// subscribed, helper status, and subscriptions surviving a helper restart.
import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, IpcMain } from 'electron';
import { installRelay, isTrustedSender } from '../../electron/main/ipc-relay.js';
import { CALL_CHANNEL, EVENT_CHANNEL, NOTIFY_CHANNEL } from '../../electron/shared/ipc-channels.js';
import { fakeHelper } from '../support/fake-helper.js';
import { FakeFrame, FakeIpcMain, FakeWebContents, FakeWindow } from '../support/fake-electron.js';

vi.mock('electron', () => {
  throw new Error('ipc-relay.ts must not need electron at runtime');
});

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

function setup(allow?: ReadonlySet<string>, handlers: Parameters<typeof fakeHelper>[0] = {}) {
  const win = new FakeWindow();
  const ipc = new FakeIpcMain();
  const helper = fakeHelper(handlers);
  const relay = installRelay({
    ipcMain: ipc as unknown as IpcMain,
    window: win as unknown as BrowserWindow,
    connect: helper.connect,
    readyReason: () => 'because of a test',
    ...(allow ? { allow } : {}),
  });
  const trusted = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  const call = (method: unknown, params: unknown = {}, event: unknown = trusted) => ipc.invoke(event, CALL_CHANNEL, method, params) as Promise<Record<string, unknown>>;
  const events = (name: string) => win.webContents.sent.filter((s) => s[0] === EVENT_CHANNEL && s[1] === name).map((s) => s[2]);
  const notify = (method: unknown, params: unknown = {}, event: unknown = trusted) => ipc.send(event, NOTIFY_CHANNEL, method, params);
  return { win, ipc, helper, relay, trusted, call, notify, events };
}

describe('isTrustedSender', () => {
  const win = new FakeWindow();
  const w = win as unknown as BrowserWindow;
  it('accepts only our window’s main frame showing nslab://app', () => {
    expect(isTrustedSender({ sender: win.webContents, senderFrame: win.webContents.mainFrame } as never, w)).toBe(true);
    // an equal (process, routing) pair in another wrapper object is the same frame
    expect(isTrustedSender({ sender: win.webContents, senderFrame: new FakeFrame('nslab://app/index.html', 1, 1) } as never, w)).toBe(true);
  });
  it('refuses subframes, other contents, foreign origins and missing frames', () => {
    const sub = new FakeFrame('nslab://app/index.html', 1, 2);
    expect(isTrustedSender({ sender: win.webContents, senderFrame: sub } as never, w)).toBe(false);
    expect(isTrustedSender({ sender: new FakeWebContents(), senderFrame: win.webContents.mainFrame } as never, w)).toBe(false);
    expect(isTrustedSender({ sender: win.webContents, senderFrame: null } as never, w)).toBe(false);
    expect(isTrustedSender(undefined, w)).toBe(false);
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'nslab://evil/index.html', 'about:blank', 'devtools://devtools/']) {
      const other = new FakeWindow();
      other.webContents.mainFrame.url = url;
      expect(isTrustedSender({ sender: other.webContents, senderFrame: other.webContents.mainFrame } as never, other as unknown as BrowserWindow), url).toBe(false);
    }
    const gone = new FakeWindow();
    gone.destroyed = true;
    expect(isTrustedSender({ sender: gone.webContents, senderFrame: gone.webContents.mainFrame } as never, gone as unknown as BrowserWindow)).toBe(false);
  });
});

describe('installRelay', () => {
  it('forwards an allowlisted call from the trusted frame as a result envelope', async () => {
    const t = setup();
    expect(await t.call('helper.hello')).toEqual({ result: expect.objectContaining({ version: 'test', mode: 'host' }) });
  });

  it('refuses IPC from an untrusted frame without reaching the helper', async () => {
    const t = setup();
    const sub = { sender: t.win.webContents, senderFrame: new FakeFrame('nslab://app/index.html', 1, 9) };
    const r = await t.call('helper.hello', {}, sub);
    expect(r.error).toMatchObject({ code: -32003, data: { code: 'permission-denied' } });
    const foreign = new FakeWebContents('https://evil.example/');
    expect((await t.call('helper.hello', {}, { sender: foreign, senderFrame: foreign.mainFrame })).error).toMatchObject({ data: { code: 'permission-denied' } });
    expect(t.helper.seen).toEqual([]);
  });

  it('answers unknown and non-allowlisted methods with typed errors', async () => {
    const t = setup(new Set(['helper.hello', 'events.subscribe', 'events.unsubscribe']));
    expect((await t.call('rm.everything')).error).toMatchObject({ data: { code: 'unknown-method' } });
    expect((await t.call('ledger.gc', { dryRun: false })).error).toMatchObject({ data: { code: 'permission-denied' } });
    expect((await t.call(42)).error).toMatchObject({ data: { code: 'invalid-request' } });
    expect((await t.call('helper.hello', { x: 'y'.repeat(1024 * 1024 + 1) })).error).toMatchObject({ data: { code: 'invalid-request' } });
    expect(t.helper.seen.map((s) => s.method)).not.toContain('ledger.gc');
  });

  it('passes the helper’s typed errors through', async () => {
    const t = setup();
    const r = await t.call('net.netns.create', { node: 'no spaces allowed' });
    expect(r.error).toMatchObject({ code: -32602, data: { code: 'invalid-params' } });
  });

  it('sends the window only the events it subscribed to', async () => {
    const t = setup();
    expect(await t.call('events.subscribe', { events: ['activity'] })).toEqual({ result: { events: ['activity'] } });
    t.helper.bus.emit('activity', { at: 'now', argv: ['ip', 'link'], shell: ['ip link'], ok: true, ms: 1, seq: 1, session: 's' });
    t.helper.bus.emit('topology.changed', { reason: 'x', topology: null });
    await tick();
    expect(t.events('activity')).toHaveLength(1);
    expect(t.events('topology.changed')).toHaveLength(0);
  });

  it('tells the UI about the helper and keeps subscriptions across a restart', async () => {
    const t = setup();
    await t.call('events.subscribe', { events: ['helper.status', 'activity'] });
    await tick();
    expect(t.events('helper.status').at(-1)).toMatchObject({ state: 'ready', mode: 'host', transport: 'electron', reason: 'because of a test' });
    t.helper.kill();
    t.relay.helperChanged({ state: 'restarting', reason: 'the helper exited with code 1', restarts: 1 });
    expect(t.events('helper.status').at(-1)).toMatchObject({ state: 'restarting', restarts: 1, reason: 'the helper exited with code 1' });
    t.relay.helperChanged({ restarts: 1, mode: 'host' }, true);
    await tick(30);
    expect(t.events('helper.status').at(-1)).toMatchObject({ state: 'ready', restarts: 1 });
    t.helper.bus.emit('activity', { at: 'later', argv: [], shell: ['after restart'], ok: true, ms: 1, seq: 1, session: 's' });
    await tick();
    expect(t.events('activity')).toEqual([expect.objectContaining({ shell: ['after restart'] })]);
  });

  it('keeps the launcher’s "restarting" when the dying helper’s pipe closes after it', async () => {
    const t = setup();
    await t.call('events.subscribe', { events: ['helper.status'] });
    t.relay.helperChanged({ state: 'restarting', reason: 'the helper was killed by SIGKILL', restarts: 1 });
    t.helper.kill();
    await tick();
    expect(t.events('helper.status').at(-1)).toMatchObject({ state: 'restarting', reason: 'the helper was killed by SIGKILL' });
    expect(t.relay.session().status.state).toBe('restarting');
  });

  it('starts a fresh session when the page reloads, and removes its handler on dispose', async () => {
    const t = setup();
    await t.call('events.subscribe', { events: ['activity'] });
    t.win.webContents.emit('did-start-loading');
    t.helper.bus.emit('activity', { at: 'now', argv: [], shell: [], ok: true, ms: 1, seq: 1, session: 's' });
    await tick();
    expect(t.events('activity')).toHaveLength(0);
    t.relay.dispose();
    expect(t.ipc.handlers.has(CALL_CHANNEL)).toBe(false);
  });

  it('forwards notifications without an answer, refusing request methods, other frames and the allowlist', async () => {
    const t = setup(new Set(['helper.hello', 'pty.write']));
    t.notify('pty.write', { id: 't1', data: 'ls\r' });
    t.notify('pty.ack', { id: 't1', chars: 5 }); // a notification, but not allowed here
    t.notify('helper.hello', {}); // a request method: notify is not a way around an answer
    t.notify('pty.write', { id: 't1', data: 'evil' }, { sender: new FakeWebContents('https://evil.example/'), senderFrame: new FakeFrame('https://evil.example/') });
    await tick();
    expect(t.helper.seen).toEqual([{ method: 'helper.hello', params: {} }, { method: 'pty.write', params: { id: 't1', data: 'ls\r' } }]);
    expect((await t.call('pty.write', { id: 't1', data: 'x' })).error).toMatchObject({ data: { code: 'invalid-request', field: 'id' } });
  });

  it('passes on what the helper sends this client alone (a terminal’s output) without a second filter', async () => {
    const t = setup(undefined, {
      'pty.open': async (_p, call) => {
        setTimeout(() => call.client.notify('pty.data', { id: 't1', data: 'hello' }), 1);
        return { id: 't1', pid: 1, target: { kind: 'host' }, title: 'host', cols: 80, rows: 24, detached: false, exited: null, command: 'sh', startedAt: new Date(0).toISOString(), clients: 1, endsAt: null };
      },
    });
    await t.call('pty.open', { target: { kind: 'host' } });
    await tick();
    expect(t.events('pty.data')).toEqual([{ id: 't1', data: 'hello' }]);
  });
});
