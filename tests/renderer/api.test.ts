import { describe, expect, it, vi } from 'vitest';
import type { NslabBridge } from '../../electron/shared/bridge';
import { NslabError } from '../../electron/shared/errors';
import { createApi } from '../../renderer/src/api';
import { WebSocketBridge, rpcUrl } from '../../renderer/src/api/websocket';
import { FakeSocket } from './fake-socket';

describe('createApi', () => {
  it('resolves results and throws helper errors as typed NslabError with code, message and field', async () => {
    const bridge: NslabBridge = {
      call: vi.fn(async (method: string) =>
        method === 'helper.hello'
          ? { result: { version: '1', pid: 1, root: true, mode: 'host', stateDir: '/x' } }
          : { error: { code: -32002, message: 'nslab-red exists', data: { code: 'exists', field: 'node' } } },
      ) as never,
      notify: vi.fn(),
      subscribe: vi.fn(() => 7),
      unsubscribe: vi.fn(),
    };
    const api = createApi(bridge, 'electron');
    await expect(api.call('helper.hello', {})).resolves.toMatchObject({ mode: 'host' });
    const err = await api.call('net.netns.create', { node: 'red' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NslabError);
    expect(err).toMatchObject({ code: 'exists', message: 'nslab-red exists', field: 'node' });
    const off = api.on('activity', () => undefined);
    expect(bridge.subscribe).toHaveBeenCalledWith('activity', expect.any(Function));
    off();
    expect(bridge.unsubscribe).toHaveBeenCalledWith(7);
  });
});

describe('WebSocketBridge', () => {
  it('builds the /rpc URL with the page token', () => {
    expect(rpcUrl({ protocol: 'http:', host: '127.0.0.1:8080', search: '?token=a-b_c' })).toBe('ws://127.0.0.1:8080/rpc?token=a-b_c');
  });

  it('queues calls until open, answers by id, and maps JSON-RPC errors to envelopes', async () => {
    const sockets: FakeSocket[] = [];
    const b = new WebSocketBridge({ url: 'ws://x/rpc?token=t', open: () => (sockets.push(new FakeSocket()), sockets.at(-1)!) });
    const p1 = b.call('helper.hello', {});
    const p2 = b.call('net.netns.create', { node: 'red' } as never);
    const s = sockets[0]!;
    expect(s.sent).toHaveLength(0);
    s.open();
    expect(s.sent.map((m) => m.method)).toEqual(['helper.hello', 'net.netns.create']);
    s.receive({ jsonrpc: '2.0', id: s.sent[1]!.id, error: { code: -32002, message: 'exists', data: { code: 'exists' } } });
    s.receive({ jsonrpc: '2.0', id: s.sent[0]!.id, result: { mode: 'host' } });
    await expect(p1).resolves.toEqual({ result: { mode: 'host' } });
    await expect(p2).resolves.toEqual({ error: { code: -32002, message: 'exists', data: { code: 'exists' } } }); // as the helper made it
  });

  it('subscribes once per event name, delivers notifications, re-subscribes after the socket drops', async () => {
    vi.useFakeTimers();
    try {
      const sockets: FakeSocket[] = [];
      const b = new WebSocketBridge({ url: 'ws://x', open: () => (sockets.push(new FakeSocket()), sockets.at(-1)!), retryMs: 100 });
      const got: unknown[] = [];
      const status: unknown[] = [];
      b.subscribe('activity', (p) => got.push(p));
      b.subscribe('activity', (p) => got.push(p));
      b.subscribe('helper.status', (p) => status.push(p));
      sockets[0]!.open();
      const subs = sockets[0]!.sent.filter((m) => m.method === 'events.subscribe').map((m) => m.params);
      expect(subs).toEqual([{ events: ['activity'] }, { events: ['helper.status'] }]);
      sockets[0]!.receive({ jsonrpc: '2.0', method: 'activity', params: { shell: ['ip netns add nslab-red'] } });
      expect(got).toHaveLength(2);

      sockets[0]!.drop('server went away');
      expect(status.at(-1)).toMatchObject({ state: 'lost', reason: 'server went away' });
      await vi.advanceTimersByTimeAsync(150);
      expect(sockets).toHaveLength(2);
      sockets[1]!.open();
      expect(sockets[1]!.sent.find((m) => m.method === 'events.subscribe')?.params).toEqual({ events: ['activity', 'helper.status'] });
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails pending calls when the socket closes before answering', async () => {
    const s = new FakeSocket();
    const b = new WebSocketBridge({ url: 'ws://x', open: () => s });
    const p = b.call('helper.hello', {});
    s.drop();
    await expect(p).resolves.toMatchObject({ error: { data: { code: 'internal' }, message: expect.stringContaining('refused') } });
  });

  it('sends notification methods without an id, queued until open like calls', () => {
    const s = new FakeSocket();
    const b = new WebSocketBridge({ url: 'ws://x', open: () => s });
    b.notify('pty.ack', { id: 't1', chars: 10 });
    s.open();
    expect(s.sent).toEqual([{ jsonrpc: '2.0', method: 'pty.ack', params: { id: 't1', chars: 10 } }]);
  });
});
