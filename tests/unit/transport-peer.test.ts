// The one JSON-RPC peer and its pipes: requests both ways, notifications, cancellation, the in-flight limit,
// malformed frames, and errors that keep one shape across a forwarding hop.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { NslabError } from '../../electron/shared/errors.js';
import { RemoteError, RpcPeer, pipePair, streamPipe } from '../../electron/shared/transport/index.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

function pair() {
  const [a, b] = pipePair();
  const seenByB: Record<string, unknown>[] = [];
  const tap = {
    send: (m: object) => (seenByB.push(m as Record<string, unknown>), a.send(m)),
    start: a.start,
    close: a.close,
  };
  return { client: new RpcPeer(tap), server: new RpcPeer(b), seenByB };
}

describe('RpcPeer', () => {
  it('pairs responses with requests and delivers notifications', async () => {
    const { client, server } = pair();
    const events: string[] = [];
    client.handle({ notification: (m) => events.push(m) });
    server.handle({ request: async (method, params) => ({ method, params }) });
    server.notify('activity', { ok: true });
    await expect(client.request('helper.hello', { a: 1 })).resolves.toEqual({ method: 'helper.hello', params: { a: 1 } });
    expect(events).toEqual(['activity']);
  });

  it('turns an error into the wire shape once and back into the same NslabError', async () => {
    const { client, server } = pair();
    server.handle({ request: async () => Promise.reject(new NslabError('exists', 'nslab-red exists', { field: 'node' })) });
    const err = (await client.request('net.netns.create', {}).catch((e: unknown) => e)) as RemoteError;
    expect(err).toBeInstanceOf(NslabError);
    expect(err).toMatchObject({ code: 'exists', message: 'nslab-red exists', field: 'node' });
    expect(err.wire).toEqual({ code: -32002, message: 'nslab-red exists', data: { code: 'exists', field: 'node' } });
  });

  it('a forwarding hop passes the error object on untouched', async () => {
    const upstream = pair();
    upstream.server.handle({ request: async () => Promise.reject(new NslabError('busy', 'locked', { holder: 42 })) });
    const [c, r] = pipePair();
    const relay = new RpcPeer(r).handle({ request: (m, p, signal) => upstream.client.request(m, p, signal) });
    const wire: unknown[] = [];
    const client = new RpcPeer({ send: c.send, close: c.close, start: (h) => c.start({ ...h, message: (m) => (wire.push(m), h.message(m)) }) });
    await client.request('ledger.gc', {}).catch(() => undefined);
    expect(relay.serving).toBe(0);
    expect(wire).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32006, message: 'locked', data: { code: 'busy', holder: 42 } } }]);
  });

  it('cancels a request by id: the server sees the abort, the caller gets cancelled', async () => {
    const { client, server } = pair();
    let aborted = false;
    server.handle({
      request: (_m, _p, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => ((aborted = true), reject(new NslabError('cancelled', 'stopped')))),
        ),
    });
    const controller = new AbortController();
    const call = client.request('ledger.gc', {}, controller.signal);
    await tick();
    expect(server.serving).toBe(1);
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(aborted).toBe(true);
    expect(server.serving).toBe(0);
  });

  it('refuses requests beyond the in-flight limit with busy, and a duplicate id with invalid-request', async () => {
    const [a, b] = pipePair();
    const answers: Record<string, unknown>[] = [];
    a.start({ message: (m) => answers.push(m as Record<string, unknown>), malformed: () => undefined, close: () => undefined });
    const server = new RpcPeer(b, { maxInflight: 2 }).handle({ request: () => new Promise(() => undefined) });
    for (const id of [1, 2, 3, 2]) a.send({ jsonrpc: '2.0', id, method: 'ledger.gc', params: {} });
    await tick();
    expect(server.serving).toBe(2);
    expect(answers).toMatchObject([
      { id: 3, error: { data: { code: 'busy' } } },
      { id: 2, error: { data: { code: 'invalid-request' } } },
    ]);
  });

  it('answers malformed frames and non-requests with typed errors, and keeps serving', async () => {
    const source = new EventEmitter();
    const out: Record<string, unknown>[] = [];
    const peer = new RpcPeer(streamPipe({ source, write: (t) => void out.push(JSON.parse(t)), maxBytes: 64 }));
    peer.handle({ request: async () => 'ok' });
    const feed = (text: string): void => void source.emit('data', Buffer.from(text));
    feed('{nope\n');
    feed(`{"jsonrpc":"2.0","id":1,"method":"x","params":"${'y'.repeat(100)}"}\n`);
    feed('[{"jsonrpc":"2.0","id":2,"method":"x"}]\n');
    feed('{"jsonrpc":"1.0","id":3,"method":"x"}\n');
    feed('{"jsonrpc":"2.0","id":4,"method":"x"}\n');
    await tick();
    expect(out.map((m) => [m.id, (m.error as { data: { code: string } } | undefined)?.data.code ?? m.result])).toEqual([
      [null, 'parse-error'],
      [null, 'invalid-request'],
      [null, 'invalid-request'],
      [3, 'invalid-request'],
      [4, 'ok'],
    ]);
  });

  it('fails pending calls and aborts served ones when the pipe closes, and sends nothing after', async () => {
    const { client, server, seenByB } = pair();
    let aborted = false;
    server.handle({ request: (_m, _p, signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))) });
    const call = client.request('ledger.gc', {});
    await tick();
    client.close('bye');
    await expect(call).rejects.toMatchObject({ code: 'internal', message: 'bye' });
    expect(aborted).toBe(true);
    expect(server.closed).toBe(true);
    const before = seenByB.length;
    client.notify('pty.ack', { id: 't1', chars: 1 });
    server.notify('pty.data', { id: 't1', data: 'late' });
    await expect(client.request('helper.hello', {})).rejects.toMatchObject({ code: 'internal' });
    expect(seenByB).toHaveLength(before);
  });
});
