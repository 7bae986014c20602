// The WebSocket relay in-process against a fake helper: token/Origin on the upgrade, the allowlist,
// malformed and oversized frames, events, cancellation, a lost helper. The server keeps serving throughout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES } from '../../electron/shared/rpc.js';
import { RPC_NUMERIC_CODE } from '../../electron/shared/errors.js';
import { startWebServer, type WebServer } from '../../electron/web/server.js';
import { fakeHelper } from '../support/fake-helper.js';
import { connectRpc, type RpcSocket } from '../support/serve.js';

const root = mkdtempSync(join(tmpdir(), 'nslab-relay-'));
let release: () => void = () => undefined;
const helper = fakeHelper({
  'topology.list': async (_p, call) =>
    new Promise((resolve, reject) => {
      release = () => resolve({ applied: [], shipped: [] } as never);
      call.signal.addEventListener('abort', () => reject(new Error('aborted')));
    }),
});
let server: WebServer;
let narrow: WebServer;
const open: RpcSocket[] = [];
const rpc = async (s: WebServer = server): Promise<RpcSocket> => {
  const c = await connectRpc(`ws://127.0.0.1:${s.port}/rpc?token=${s.token}`);
  open.push(c);
  return c;
};
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startWebServer({ rendererDir: root, connect: helper.connect });
  // A narrower allowlist than the contract's (relay-allowlist.test.ts covers the contract's own).
  narrow = await startWebServer({ rendererDir: root, connect: helper.connect, allow: new Set(['helper.hello', 'events.subscribe', 'events.unsubscribe']) });
});
afterEach(() => open.splice(0).forEach((c) => c.close()));
afterAll(async () => {
  await server.close();
  await narrow.close();
  rmSync(root, { recursive: true, force: true });
});

function upgrade(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => (ws.close(), resolve(101)));
    ws.on('error', () => resolve(-1));
  });
}

describe('WebSocket upgrade', () => {
  it('refuses no token (401), a wrong token (401), a foreign Origin (403), another path (404)', async () => {
    const base = `ws://127.0.0.1:${server.port}`;
    expect(await upgrade(`${base}/rpc`)).toBe(401);
    expect(await upgrade(`${base}/rpc?token=${server.token}x`)).toBe(401);
    expect(await upgrade(`${base}/rpc?token=${server.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(`${base}/rpc?token=${server.token}`, { origin: 'https://127.0.0.1:' + server.port })).toBe(403);
    expect(await upgrade(`${base}/other?token=${server.token}`)).toBe(404);
    expect(await upgrade(`${base}/rpc?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    // the page's cookie is enough too
    expect(await upgrade(`${base}/rpc`, { cookie: `nslab_token=${server.token}` })).toBe(101);
  });
});

describe('relay rules', () => {
  it('forwards an allowlisted call and answers with the helper result', async () => {
    const c = await rpc();
    const r = await c.call('helper.hello');
    expect(r).toMatchObject({ jsonrpc: '2.0', id: 1, result: { version: 'test', mode: 'host' } });
  });

  it('answers an unknown method with unknown-method, a non-allowlisted one with permission-denied', async () => {
    const c = await rpc(narrow);
    const unknown = await c.call('kernel.format', {});
    expect(unknown.error).toMatchObject({ code: RPC_NUMERIC_CODE['unknown-method'], data: { code: 'unknown-method' } });
    const before = helper.seen.length;
    const denied = await c.call('ledger.gc', { dryRun: false });
    expect(denied.error).toMatchObject({ code: RPC_NUMERIC_CODE['permission-denied'], data: { code: 'permission-denied' } });
    expect(helper.seen.slice(before).map((s) => s.method)).not.toContain('ledger.gc');
    expect((await c.call('helper.hello')).result).toBeTruthy();
  });

  it('passes the helper’s typed errors through (invalid-params from the contract)', async () => {
    const c = await rpc();
    const r = await c.call('net.netns.create', { node: '../etc' });
    expect((r.error as { data: { code: string } }).data.code).toBe('invalid-params');
  });

  it('answers malformed frames with typed errors and keeps the connection', async () => {
    const c = await rpc();
    expect(((await c.raw('{not json')).error as { data: { code: string } }).data.code).toBe('parse-error');
    expect(((await c.raw('[{"jsonrpc":"2.0","id":1,"method":"helper.hello"}]')).error as { data: { code: string } }).data.code).toBe('invalid-request');
    expect(((await c.raw('{"jsonrpc":"1.0","id":7,"method":"helper.hello"}', 7)).error as { data: { code: string } }).data.code).toBe('invalid-request');
    expect(((await c.raw('{"jsonrpc":"2.0","id":8,"method":42}', 8)).error as { data: { code: string } }).data.code).toBe('invalid-request');
    expect(((await c.raw('"just a string"')).error as { data: { code: string } }).data.code).toBe('invalid-request');
    expect(((await c.raw(Buffer.from('{"jsonrpc":"2.0","id":9,"method":"helper.hello"}'))).error as { data: { code: string } }).data.code).toBe('invalid-request');
    expect((await c.call('helper.hello')).result).toBeTruthy();
  });

  it('refuses an oversized frame with a typed error; a huge one closes that socket only', async () => {
    const c = await rpc();
    const big = JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'topology.apply', params: { yaml: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    const r = await c.raw(big);
    expect(r.error).toMatchObject({ data: { code: 'invalid-request' } });
    expect(String((r.error as { message: string }).message)).toMatch(/larger than the limit/);
    expect(helper.seen.map((s) => s.method)).not.toContain('topology.apply');
    expect((await c.call('helper.hello')).result).toBeTruthy();

    const d = await rpc();
    const closed = new Promise<number>((resolve) => d.ws.on('close', (code) => resolve(code)));
    d.ws.send('x'.repeat(5 * MAX_MESSAGE_BYTES));
    expect(await closed).toBe(1009);
    const e = await rpc();
    expect((await e.call('helper.hello')).result).toBeTruthy();
  });

  it('forwards only the events a client subscribed to', async () => {
    const a = await rpc();
    const b = await rpc();
    expect((await a.call('events.subscribe', { events: ['activity'] })).result).toEqual({ events: ['activity'] });
    await b.call('helper.hello');
    helper.bus.emit('activity', { at: 'now', argv: ['ip', 'netns', 'add', 'nslab-red'], shell: ['ip netns add nslab-red'], ok: true, ms: 1, seq: 1, session: 's' });
    helper.bus.emit('topology.changed', { reason: 'test', topology: null });
    const ev = await a.waitForEvent('activity');
    expect(ev.params).toMatchObject({ shell: ['ip netns add nslab-red'] });
    await tick();
    expect(a.events.map((e) => e.method)).toEqual(['activity']);
    expect(b.events).toEqual([]);
    const bad = await a.call('events.subscribe', { events: ['kernel.secrets'] });
    expect((bad.error as { data: { code: string } }).data.code).toBe('invalid-params');
    await a.call('events.unsubscribe', { events: ['activity'] });
    helper.bus.emit('activity', { at: 'later', argv: [], shell: [], ok: true, ms: 1, seq: 1, session: 's' });
    await tick();
    expect(a.events.filter((e) => e.method === 'activity')).toHaveLength(1);
  });

  it('forwards a notification method sent without an id, answering nothing; with an id it is refused', async () => {
    const c = await rpc();
    helper.seen.length = 0;
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'pty.ack', params: { id: 't3', chars: 7 } }));
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'helper.hello', params: {} })); // a request method: not a notification
    const asRequest = await c.call('pty.ack', { id: 't3', chars: 7 });
    expect((asRequest.error as { data: { code: string } }).data.code).toBe('invalid-request');
    await tick();
    expect(helper.seen.filter((s) => s.method.startsWith('pty.'))).toEqual([{ method: 'pty.ack', params: { id: 't3', chars: 7 } }]);
  });

  it('cancels a request upstream with $/cancel', async () => {
    const c = await rpc();
    const answer = c.call('topology.list', {});
    await tick();
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', method: '$/cancel', params: { id: 1 } }));
    const r = await answer;
    expect((r.error as { data: { code: string } }).data.code).toBe('cancelled');
    release();
  });

  it('reports a lost helper on helper.status and reconnects on the next call, re-subscribing', async () => {
    const c = await rpc();
    await c.call('events.subscribe', { events: ['helper.status', 'activity'] });
    expect((await c.waitForEvent('helper.status')).params).toMatchObject({ state: 'ready', mode: 'host', transport: 'browser' });
    helper.kill();
    await tick();
    expect(c.events.map((e) => (e.params as { state?: string }).state).filter(Boolean)).toContain('lost');
    expect((await c.call('helper.hello')).result).toBeTruthy();
    helper.bus.emit('activity', { at: 'again', argv: [], shell: ['after reconnect'], ok: true, ms: 1, seq: 1, session: 's' });
    await tick();
    expect(c.events.some((e) => e.method === 'activity')).toBe(true);
  });

  it('closes the helper connection when the client goes away', async () => {
    const c = await rpc();
    await c.call('helper.hello');
    const before = helper.connections();
    c.close();
    await tick(50);
    expect(helper.connections()).toBe(before - 1);
  });
});
