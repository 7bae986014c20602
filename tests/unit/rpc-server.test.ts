// The JSON-RPC connection with a fake dispatcher: framing, validation, cancellation, events.
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { EventBus } from '../../electron/helper/events.js';
import { Connection } from '../../electron/helper/rpc/connection.js';
import { createDispatcher, type Handlers } from '../../electron/helper/rpc/dispatcher.js';
import { LineFramer } from '../../electron/shared/framing.js';
import { streamPipe } from '../../electron/shared/transport/index.js';

describe('LineFramer', () => {
  it('reassembles lines split across chunks, including multi-byte characters', () => {
    const f = new LineFramer(100);
    const bytes = Buffer.from('{"a":"빨강"}\n{"b":1}\n');
    const frames = [...bytes].flatMap((b) => f.push(Buffer.from([b])));
    expect(frames).toEqual([{ kind: 'line', text: '{"a":"빨강"}' }, { kind: 'line', text: '{"b":1}' }]);
  });
  it('reports an oversized line once and resumes after it', () => {
    const f = new LineFramer(10);
    const frames = [...f.push(Buffer.from('x'.repeat(8))), ...f.push(Buffer.from('y'.repeat(8))), ...f.push(Buffer.from('zz\nok\n'))];
    expect(frames).toEqual([{ kind: 'oversized', bytes: 16 }, { kind: 'line', text: 'ok' }]);
  });
});

function harness(partial: Partial<Handlers>) {
  const bus = new EventBus();
  const out: Record<string, unknown>[] = [];
  const handlers = new Proxy(partial, { get: (t, k) => (t as Record<string | symbol, unknown>)[k] ?? (async () => ({})) }) as Handlers;
  const source = new EventEmitter();
  const conn = new Connection(streamPipe({ source, write: (l) => void out.push(JSON.parse(l)) }), createDispatcher(handlers), bus);
  const raw = (text: string): void => void source.emit('data', Buffer.from(text + '\n'));
  const send = (m: unknown): void => raw(JSON.stringify(m));
  const tick = () => new Promise((r) => setTimeout(r, 5));
  return { bus, out, conn, send, raw, tick };
}

describe('Connection', () => {
  it('answers a valid request with the handler result', async () => {
    const h = harness({ 'helper.hello': async () => ({ version: '1', pid: 1, root: true, mode: 'host', stateDir: '/x' }) });
    h.send({ jsonrpc: '2.0', id: 1, method: 'helper.hello', params: {} });
    await h.tick();
    expect(h.out[0]).toMatchObject({ id: 1, result: { version: '1' } });
  });

  it('validates params before the handler runs', async () => {
    let ran = false;
    const h = harness({ 'net.netns.create': async () => ((ran = true), { netns: 'x' }) });
    h.send({ jsonrpc: '2.0', id: 2, method: 'net.netns.create', params: { node: '../etc' } });
    await h.tick();
    expect(ran).toBe(false);
    expect(h.out[0]).toMatchObject({ id: 2, error: { code: -32602, data: { code: 'invalid-params', field: 'node' } } });
  });

  it('refuses a result that breaks the contract', async () => {
    const h = harness({ 'net.netns.create': async () => ({ wrong: true }) as never });
    h.send({ jsonrpc: '2.0', id: 3, method: 'net.netns.create', params: { node: 'red' } });
    await h.tick();
    expect(h.out[0]).toMatchObject({ error: { data: { code: 'internal' } } });
  });

  it('cancels an in-flight request by id', async () => {
    const h = harness({
      'ledger.gc': (_p, call) =>
        new Promise((_resolve, reject) => call.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    h.send({ jsonrpc: '2.0', id: 'slow', method: 'ledger.gc', params: {} });
    h.send({ jsonrpc: '2.0', method: '$/cancel', params: { id: 'slow' } });
    await h.tick();
    expect(h.out[0]).toMatchObject({ id: 'slow', error: { data: { code: 'cancelled' } } });
  });

  it('refuses a duplicate in-flight id', async () => {
    const h = harness({ 'ledger.gc': () => new Promise(() => undefined) });
    h.send({ jsonrpc: '2.0', id: 9, method: 'ledger.gc', params: {} });
    h.send({ jsonrpc: '2.0', id: 9, method: 'ledger.gc', params: {} });
    await h.tick();
    expect(h.out[0]).toMatchObject({ id: 9, error: { data: { code: 'invalid-request' } } });
  });

  it('forwards only the events a client subscribed to, and none after close', async () => {
    const sub = harness({
      'events.subscribe': async ({ events }, call) => (call.subscribe(events), { events }),
    });
    sub.send({ jsonrpc: '2.0', id: 1, method: 'events.subscribe', params: { events: ['topology.changed'] } });
    await sub.tick();
    sub.bus.emit('topology.changed', { reason: 'apply', topology: 't' });
    sub.bus.emit('activity', { at: '', argv: [], shell: [], ok: true, ms: 0, seq: 1, session: 's' });
    expect(sub.out.filter((m) => m.method)).toEqual([{ jsonrpc: '2.0', method: 'topology.changed', params: { reason: 'apply', topology: 't' } }]);
    sub.conn.close();
    sub.bus.emit('topology.changed', { reason: 'late', topology: null });
    expect(sub.out.filter((m) => m.method)).toHaveLength(1);
  });

  it('serves a notification method without an answer, and refuses it sent as a request', async () => {
    const typed: string[] = [];
    const h = harness({ 'pty.write': async ({ data }) => void typed.push(data) });
    h.send({ jsonrpc: '2.0', method: 'pty.write', params: { id: 't1', data: 'ls\r' } });
    h.send({ jsonrpc: '2.0', method: 'pty.write', params: { id: 'bad id', data: 'x' } }); // invalid: dropped, no answer
    h.send({ jsonrpc: '2.0', id: 4, method: 'pty.write', params: { id: 't1', data: 'again' } });
    await h.tick();
    expect(typed).toEqual(['ls\r']);
    expect(h.out).toEqual([{ jsonrpc: '2.0', id: 4, error: expect.objectContaining({ data: expect.objectContaining({ code: 'invalid-request', field: 'id' }) }) }]);
  });

  it('answers a malformed line with parse-error and keeps serving', async () => {
    const h = harness({ 'helper.hello': async () => ({ version: '1', pid: 1, root: true, mode: 'host', stateDir: '/x' }) });
    h.raw('{not json');
    h.send({ jsonrpc: '2.0', id: 5, method: 'helper.hello', params: {} });
    await h.tick();
    expect(h.out).toMatchObject([{ id: null, error: { code: -32700, data: { code: 'parse-error' } } }, { id: 5, result: { version: '1' } }]);
  });
});
