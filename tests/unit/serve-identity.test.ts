// `nslab serve` across restarts: the kept port and token (serve.json, 0600), --new-token, an explicit
// --port winning, a kept port taken meanwhile replaced with a notice; and durations as typed for
// --terminal-grace.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseIdentity, startOnChoice } from '../../electron/cli/commands/serve.js';
import { formatDuration, parseDuration } from '../../electron/shared/duration.js';
import { IDENTITY_FILE, loadIdentity, saveIdentity } from '../../electron/web/identity.js';
import { fakeHelper } from '../support/fake-helper.js';

const dirs: string[] = [];
const freshDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'nslab-serve-id-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const TOKEN = 'A'.repeat(32);

describe('the kept identity', () => {
  it('round-trips port and token in a file only its owner can read, also over a looser old one', () => {
    const dir = freshDir();
    expect(loadIdentity(dir)).toBeNull();
    writeFileSync(join(dir, IDENTITY_FILE), '{}');
    chmodSync(join(dir, IDENTITY_FILE), 0o644);
    saveIdentity(dir, { port: 8123, token: TOKEN });
    expect(statSync(join(dir, IDENTITY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadIdentity(dir)).toEqual({ port: 8123, token: TOKEN });
  });

  it('ignores a file that is broken or holds what is not a port and token', () => {
    const dir = freshDir();
    for (const bad of ['not json', '{"port":0,"token":"' + TOKEN + '"}', '{"port":80000,"token":"' + TOKEN + '"}', '{"port":8123,"token":"short"}', '{"port":8123,"token":"a b;c' + TOKEN + '"}']) {
      writeFileSync(join(dir, IDENTITY_FILE), bad);
      expect(loadIdentity(dir)).toBeNull();
    }
  });

  it('keeps port and token; --new-token rotates only the token; an explicit --port wins', () => {
    const dir = freshDir();
    const first = chooseIdentity(dir, {});
    expect(first).toMatchObject({ port: 0, keptPort: false });
    expect(first.token).toMatch(/^[\w-]{32}$/);
    saveIdentity(dir, { port: 8123, token: first.token });
    expect(chooseIdentity(dir, {})).toMatchObject({ port: 8123, token: first.token, keptPort: true });
    const rotated = chooseIdentity(dir, { newToken: true });
    expect(rotated).toMatchObject({ port: 8123, keptPort: true });
    expect(rotated.token).not.toBe(first.token);
    expect(rotated.notes.join(' ')).toMatch(/new token/);
    expect(chooseIdentity(dir, { port: '9001' })).toMatchObject({ port: 9001, token: first.token, keptPort: false });
    expect(chooseIdentity(dir, { port: '0' })).toMatchObject({ port: 0, keptPort: false });
    expect(() => chooseIdentity(dir, { port: 'http' })).toThrow(/--port must be 0-65535/);
  });
});

describe('a kept port that is taken', () => {
  const listenOn = (port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve(s));
    });

  it('gives way to a free port with a notice; an explicit one fails with a typed error naming the port', async () => {
    const squatter = await listenOn(0);
    const taken = (squatter.address() as { port: number }).port;
    const helper = fakeHelper();
    const opts = { rendererDir: freshDir(), connect: helper.connect };
    const said: string[] = [];
    try {
      const server = await startOnChoice({ port: taken, token: TOKEN, keptPort: true, notes: [] }, opts, (l) => said.push(l));
      expect(server.port).not.toBe(taken);
      expect(server.token).toBe(TOKEN);
      expect(said.join('\n')).toMatch(new RegExp(`port ${taken} \\(kept from the last run\\) is taken by another program; serving on ${server.port} instead`));
      await server.close();
      const err = await startOnChoice({ port: taken, token: TOKEN, keptPort: false, notes: [] }, opts, (l) => said.push(l)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'busy', data: { field: 'port' } });
      expect((err as Error).message).toMatch(new RegExp(`port ${taken} on 127\\.0\\.0\\.1 is taken by another program`));
    } finally {
      squatter.close();
    }
  });
});

describe('durations for --terminal-grace', () => {
  it('reads 90s, 10m, 1.5h, 2d, 500ms and 0', () => {
    expect(parseDuration('90s', 'x')).toBe(90_000);
    expect(parseDuration('10m', 'x')).toBe(600_000);
    expect(parseDuration('1.5h', 'x')).toBe(5_400_000);
    expect(parseDuration('2d', 'x')).toBe(172_800_000);
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('0', 'x')).toBe(0);
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(90_000)).toBe('90s');
  });

  it('refuses a bare number, a unit it does not know, and more than the limit, naming the option', () => {
    for (const bad of ['10', '10 minutes', '-1m', 'soon', '']) expect(() => parseDuration(bad, '--terminal-grace')).toThrow(/--terminal-grace: expected a duration such as 90s, 10m/);
    expect(() => parseDuration('8d', '--terminal-grace', 7 * 86_400_000)).toThrow(/--terminal-grace: at most 7d/);
  });
});
