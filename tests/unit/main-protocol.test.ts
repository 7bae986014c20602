// nslab://app with electron mocked: privileged standard scheme, files from out/renderer only, CSP on each.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Protocol } from 'electron';
import { registerAppScheme, resolveAppFile, serveApp } from '../../electron/main/protocol.js';
import { CSP } from '../../electron/main/security.js';

vi.mock('electron', () => {
  throw new Error('protocol.ts must not need electron at runtime');
});

const root = mkdtempSync(join(tmpdir(), 'nslab-proto-'));
const dist = join(root, 'renderer');
mkdirSync(join(dist, 'assets'), { recursive: true });
writeFileSync(join(dist, 'index.html'), '<title>nslab</title>');
writeFileSync(join(dist, 'assets', 'a.js'), 'x');
writeFileSync(join(root, 'secret'), 'no');
symlinkSync(join(root, 'secret'), join(dist, 'assets', 'link.js'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('nslab://app', () => {
  it('is registered as a secure standard scheme', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() };
    registerAppScheme(protocol as unknown as Protocol);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'nslab', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('resolves files inside the renderer directory only', async () => {
    expect(await resolveAppFile(dist, 'nslab://app/')).toBe(join(dist, 'index.html'));
    expect(await resolveAppFile(dist, 'nslab://app/assets/a.js')).toBe(join(dist, 'assets', 'a.js'));
    expect(await resolveAppFile(dist, 'nslab://app/topology')).toBe(join(dist, 'index.html'));
    // URL parsing already folds ../ away; whatever is left must not leave the directory
    for (const url of ['nslab://app/../secret', 'nslab://app/%2e%2e/secret', 'nslab://app/assets/..%2f..%2fsecret']) {
      expect([null, join(dist, 'index.html')], url).toContain(await resolveAppFile(dist, url));
    }
    for (const url of ['nslab://app/assets/link.js', 'nslab://other/index.html', 'nslab://app/missing.js', 'nslab://app/%00', 'https://app/index.html']) {
      expect(await resolveAppFile(dist, url), url).toBeNull();
    }
  });

  it('answers with the CSP, and a build hint when the renderer is missing', async () => {
    let handler: ((req: { url: string }) => Promise<Response>) | undefined;
    const protocol = { handle: (_s: string, fn: typeof handler) => (handler = fn) };
    serveApp(protocol as unknown as Protocol, dist);
    const ok = await handler!({ url: 'nslab://app/index.html' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CSP);
    expect(await ok.text()).toContain('<title>nslab</title>');
    expect((await handler!({ url: 'nslab://app/nope.js' })).status).toBe(404);
    serveApp(protocol as unknown as Protocol, join(root, 'missing'));
    const missing = await handler!({ url: 'nslab://app/index.html' });
    expect(missing.status).toBe(503);
    expect(await missing.text()).toContain('npm run build');
  });
});
