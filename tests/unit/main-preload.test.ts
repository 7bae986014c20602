// The preload with electron mocked: exactly one global `nslab` with call / notify / subscribe / unsubscribe, no
// ipcRenderer, envelopes instead of rejections, one helper subscription per event name.
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { NslabBridge } from '../../electron/shared/bridge.js';
import { CALL_CHANNEL, EVENT_CHANNEL, NOTIFY_CHANNEL } from '../../electron/shared/ipc-channels.js';

const exposed = new Map<string, unknown>();
const onHandlers = new Map<string, (e: unknown, ...args: unknown[]) => void>();
const send = vi.fn();
const invoke = vi.fn(async (_channel: string, method: string, params: unknown): Promise<unknown> => ({ result: { method, params } }));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: (...args: [string, string, unknown]) => invoke(...args),
    send: (...args: unknown[]) => send(...args),
    on: (channel: string, fn: (e: unknown, ...args: unknown[]) => void) => onHandlers.set(channel, fn),
  },
}));

let bridge: NslabBridge;
beforeAll(async () => {
  await import('../../electron/preload/index.js');
  bridge = exposed.get('nslab') as NslabBridge;
});
const fire = (event: string, payload: unknown) => onHandlers.get(EVENT_CHANNEL)!({}, event, payload);

describe('preload', () => {
  it('exposes one global, nslab, with call/notify/subscribe/unsubscribe only', () => {
    expect([...exposed.keys()]).toEqual(['nslab']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'notify', 'subscribe', 'unsubscribe']);
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/ipcRenderer|send|invoke|on\b/);
  });

  it('call() invokes the one call channel and resolves the envelope', async () => {
    const r = await bridge.call('helper.hello', {});
    expect(invoke).toHaveBeenLastCalledWith(CALL_CHANNEL, 'helper.hello', {});
    expect(r).toEqual({ result: { method: 'helper.hello', params: {} } });
  });

  it('turns an IPC failure into an error envelope instead of a rejection', async () => {
    invoke.mockRejectedValueOnce(new Error("No handler registered for 'nslab:call'"));
    const r = await bridge.call('helper.hello', {});
    expect(r.error).toEqual({ code: -32603, message: expect.stringMatching(/IPC failed/), data: { code: 'internal' } });
    const bad = await bridge.call(42 as never, {} as never);
    expect(bad.error).toMatchObject({ code: -32600, data: { code: 'invalid-request' } });
  });

  it('notify() sends on the notification channel and expects no answer', () => {
    bridge.notify('pty.write', { id: 't1', data: 'ls\r' });
    expect(send).toHaveBeenLastCalledWith(NOTIFY_CHANNEL, 'pty.write', { id: 't1', data: 'ls\r' });
  });

  it('subscribes once per event name, delivers to every listener, unsubscribes after the last', async () => {
    invoke.mockClear();
    const a = vi.fn();
    const b = vi.fn();
    const ida = bridge.subscribe('activity', a);
    const idb = bridge.subscribe('activity', b);
    expect(ida).not.toBe(idb);
    expect(invoke.mock.calls.filter((c) => c[1] === 'events.subscribe')).toEqual([[CALL_CHANNEL, 'events.subscribe', { events: ['activity'] }]]);
    fire('activity', { shell: ['ip link'] });
    fire('topology.changed', { reason: 'x' });
    expect(a).toHaveBeenCalledWith({ shell: ['ip link'] });
    expect(b).toHaveBeenCalledTimes(1);
    bridge.unsubscribe(ida);
    expect(invoke.mock.calls.some((c) => c[1] === 'events.unsubscribe')).toBe(false);
    bridge.unsubscribe(idb);
    bridge.unsubscribe(idb); // twice is harmless
    expect(invoke.mock.calls.filter((c) => c[1] === 'events.unsubscribe')).toEqual([[CALL_CHANNEL, 'events.unsubscribe', { events: ['activity'] }]]);
    fire('activity', { shell: [] });
    expect(a).toHaveBeenCalledTimes(1);
  });

  it('keeps delivering when one listener throws, and rejects bad arguments', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const good = vi.fn();
    bridge.subscribe('helper.status', () => {
      throw new Error('renderer bug');
    });
    bridge.subscribe('helper.status', good);
    fire('helper.status', { state: 'ready' });
    expect(good).toHaveBeenCalled();
    spy.mockRestore();
    expect(() => bridge.subscribe('activity', 'not a function' as never)).toThrow(TypeError);
  });
});

describe('preload bundle', () => {
  it.skipIf(!existsSync('out/preload/index.cjs'))('is one CommonJS file that requires nothing but electron', () => {
    const text = readFileSync('out/preload/index.cjs', 'utf8');
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(text).not.toMatch(/^import |export /m);
  });
});
