// `nslab serve` restarted, as a user does it: the second run keeps the port and token of the first (kept
// in serve.json, 0600), so an open page's address still works; --new-token rotates the token (the old one is
// refused); a kept port that another program took meanwhile gives way to a free one with a notice; an
// explicit --port wins; --terminal-grace reaches the helper. Only 127.0.0.1 traffic; no kernel objects.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRpc, startServe, type ServeHandle } from '../support/serve.js';

const stateDir = mkdtempSync(join(tmpdir(), 'nslab-serve-restart-'));
const running: ServeHandle[] = [];
async function serve(args: string[] = [], port: number | 'kept' = 'kept'): Promise<ServeHandle> {
  const s = await startServe({ stateDir, port, args });
  running.push(s);
  return s;
}
afterAll(async () => {
  for (const s of running) await s.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The page at `url` (GET with its ?token=): its HTTP status. */
const statusOf = (url: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: { host: u.host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

describe('nslab serve across restarts', () => {
  it('keeps its port and token, so the old address (page and WebSocket) works again', async () => {
    const first = await serve();
    const kept = JSON.parse(readFileSync(join(stateDir, 'serve.json'), 'utf8')) as { port: number; token: string };
    expect(kept).toEqual({ port: first.port, token: first.token });
    expect(statSync(join(stateDir, 'serve.json')).mode & 0o777).toBe(0o600);
    await first.stop();

    const second = await serve();
    expect(second.port).toBe(first.port);
    expect(second.token).toBe(first.token);
    expect(second.url).toBe(first.url);
    expect(second.stderr()).toMatch(/the token of the last run/);
    expect(await statusOf(first.url)).toBe(200);
    const rpc = await connectRpc(first.wsUrl);
    const hello = await rpc.call('helper.hello', {});
    expect(hello.result).toMatchObject({ root: true });
    rpc.close();
    await second.stop();
  });

  it('--new-token rotates the token on the same port; the old one is refused', async () => {
    const before = JSON.parse(readFileSync(join(stateDir, 'serve.json'), 'utf8')) as { port: number; token: string };
    const rotated = await serve(['--new-token']);
    expect(rotated.port).toBe(before.port);
    expect(rotated.token).not.toBe(before.token);
    expect(rotated.stderr()).toMatch(/a new token \(--new-token\)/);
    expect(await statusOf(`${rotated.origin}/?token=${before.token}`)).toBe(401);
    expect(await statusOf(rotated.url)).toBe(200);
    await expect(connectRpc(`ws://127.0.0.1:${rotated.port}/rpc?token=${before.token}`)).rejects.toThrow(/401/);
    await rotated.stop();
    // and the next plain restart keeps the new one
    const again = await serve();
    expect(again.token).toBe(rotated.token);
    await again.stop();
  });

  it('a kept port another program took gives way to a free one, with a notice; --port wins', async () => {
    const { port } = JSON.parse(readFileSync(join(stateDir, 'serve.json'), 'utf8')) as { port: number };
    const squatter: Server = await new Promise((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
    try {
      const moved = await serve();
      expect(moved.port).not.toBe(port);
      expect(moved.stderr()).toContain(`port ${port} (kept from the last run) is taken by another program; serving on ${moved.port} instead`);
      await moved.stop();
      // an explicit port that is taken is an error naming it, not a silent move
      const refused = await startServe({ stateDir, port }).catch((e: unknown) => String(e));
      expect(refused).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken by another program`));
    } finally {
      squatter.close();
    }
    const explicit = await serve([], 0);
    expect(explicit.stderr()).toMatch(/the token of the last run/);
    await explicit.stop();
  });

  it('--terminal-grace reaches the helper; a bad one is refused before anything starts', async () => {
    const s = await serve(['--terminal-grace', '90s']);
    expect(s.stderr()).toMatch(/terminals keep running 90s after their last window closed/);
    const rpc = await connectRpc(s.wsUrl);
    expect((await rpc.call('pty.config', {})).result).toMatchObject({ graceMs: 90_000 });
    rpc.close();
    await s.stop();
    const bad = await startServe({ stateDir, args: ['--terminal-grace', '10'] }).catch((e: unknown) => String(e));
    expect(bad).toMatch(/--terminal-grace: expected a duration such as 90s, 10m, 2h or 0, not '10'/);
  });
});
