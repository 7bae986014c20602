// The real `nslab serve` (built CLI, free port, real helper core, private ledger) over HTTP and WebSocket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelState } from '../support/cli.js';
import { connectRpc, startServe, type ServeHandle } from '../support/serve.js';

let serve: ServeHandle;
let before = '';
beforeAll(async () => {
  before = kernelState();
  serve = await startServe();
});
afterAll(async () => {
  await serve?.stop();
  expect(kernelState()).toBe(before);
});

describe('nslab serve', () => {
  it('prints its URL first, on 127.0.0.1 with a token', () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(serve.port).toBeGreaterThan(0);
  });

  it('refuses HTTP without the token and with a foreign Origin', async () => {
    expect((await fetch(`${serve.origin}/`)).status).toBe(401);
    expect((await fetch(`${serve.origin}/?token=nope`)).status).toBe(401);
    const page = await fetch(serve.url);
    expect([200, 503]).toContain(page.status); // 503: renderer not built yet, with instructions
    expect(page.headers.get('set-cookie')).toMatch(/nslab_token=.*HttpOnly.*SameSite=Strict/);
  });

  it('refuses a WebSocket without the token or from another origin', async () => {
    await expect(connectRpc(`ws://127.0.0.1:${serve.port}/rpc`)).rejects.toThrow(/401/);
    await expect(connectRpc(serve.wsUrl, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('relays helper.hello and topology.list to the real helper', async () => {
    const c = await connectRpc(serve.wsUrl, { origin: serve.origin });
    try {
      const hello = await c.call('helper.hello');
      expect(hello.result).toMatchObject({ mode: 'host', root: process.getuid?.() === 0, stateDir: serve.stateDir });
      const list = (await c.call('topology.list')).result as { applied: unknown[]; builtin: { name: string }[] };
      expect(list.applied).toEqual([]);
      expect(list.builtin.map((b) => b.name)).toContain('red-blue');
      const bad = await c.call('nslab.nothing');
      expect(bad.error).toMatchObject({ data: { code: 'unknown-method' } });
      const malformed = await c.raw('{"jsonrpc":');
      expect(malformed.error).toMatchObject({ data: { code: 'parse-error' } });
      await c.call('events.subscribe', { events: ['helper.status'] });
      expect((await c.waitForEvent('helper.status')).params).toMatchObject({ state: 'ready', mode: 'host' });
    } finally {
      c.close();
    }
  });
});
