// Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security), one test per item
// that applies to nslab, against the real main-process code with electron mocked. Items 11/12 (<webview>) are
// covered by 12's "webviews refused"; 10 by 9. The fuses' bytes in a packaged binary are checked by
// tests/integration/package.test.ts; this file checks what electron-builder is told to set.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, IpcMain, Session, WebContents } from 'electron';
import { parse } from 'yaml';
import { APP_ORIGIN, CSP, hardenContents, hardenSession, isLoadable } from '../../electron/main/security.js';
import { createMainWindow } from '../../electron/main/window.js';
import { installRelay } from '../../electron/main/ipc-relay.js';
import { helperCli, unpackedPath } from '../../electron/main/app-paths.js';
import { CALL_CHANNEL, NOTIFY_CHANNEL } from '../../electron/shared/ipc-channels.js';
import { fakeHelper } from '../support/fake-helper.js';
import { FakeFrame, FakeIpcMain, FakeSession, FakeWebContents, FakeWindow } from '../support/fake-electron.js';

vi.mock('electron', () => {
  throw new Error('the main-process modules under test must not need electron at runtime');
});

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|vue|mjs|js)$/.test(f) ? [p] : [];
  });
const electronSide = [...sources('electron/main'), ...sources('electron/preload'), ...sources('renderer/src')];

function openWindow() {
  const win = createMainWindow(FakeWindow as unknown as typeof BrowserWindow, '/opt/nslab/resources/app.asar/out/preload/index.cjs');
  const fake = win as unknown as FakeWindow;
  const prefs = fake.options.webPreferences as Record<string, unknown>;
  return { fake, prefs };
}
const event = (url: string) => ({ url, defaultPrevented: false, preventDefault() {
  this.defaultPrevented = true;
} });

describe('Electron security checklist', () => {
  it('1. only secure content: the window loads nslab://app and every http(s)/ws/file request is cancelled', () => {
    const { fake } = openWindow();
    expect(String((fake.loadURL.mock.calls as unknown[][])[0]?.[0])).toMatch(/^nslab:\/\/app\//);
    const s = new FakeSession();
    hardenSession(s as unknown as Session);
    for (const url of ['http://example.com/x.js', 'https://cdn.example/y.css', 'ws://127.0.0.1:1/', 'file:///etc/passwd', 'nslab://evil/x'])
      s.beforeRequest!.fn({ url }, (r) => expect(r.cancel, url).toBe(true));
    s.beforeRequest!.fn({ url: `${APP_ORIGIN}/index.html` }, (r) => expect(r.cancel).toBe(false));
  });

  it('2. no Node.js integration in the window, its workers or its subframes', () => {
    const { prefs } = openWindow();
    expect(prefs).toMatchObject({ nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false });
  });

  it('3. context isolation on', () => {
    expect(openWindow().prefs.contextIsolation).toBe(true);
  });

  it('4. process sandbox on (and app.enableSandbox() in main)', () => {
    expect(openWindow().prefs.sandbox).toBe(true);
    expect(readFileSync('electron/main/index.ts', 'utf8')).toMatch(/app\.enableSandbox\(\)/);
  });

  it('5. every permission request and check is denied', () => {
    const s = new FakeSession();
    hardenSession(s as unknown as Session);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const cb = vi.fn();
      s.permissionRequest!({}, p, cb);
      expect(cb, p).toHaveBeenCalledWith(false);
      expect(s.permissionCheck!({}, p, APP_ORIGIN, {})).toBe(false);
    }
  });

  it('6. webSecurity stays on and insecure content is not allowed (8.)', () => {
    const { prefs } = openWindow();
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    const code = (f: string) => readFileSync(f, 'utf8').replace(/^\s*\/\/.*$/gm, ''); // comments may name what we avoid
    for (const f of electronSide) expect(code(f), f).not.toMatch(/webSecurity:\s*false|allowRunningInsecureContent:\s*true/);
  });

  it('7. a strict CSP on every response: scripts from our origin only, no objects, no frames', () => {
    const s = new FakeSession();
    hardenSession(s as unknown as Session);
    s.headersReceived!({ responseHeaders: { 'Content-Security-Policy': ["script-src *"] } }, (r) => expect(r.responseHeaders?.['Content-Security-Policy']).toEqual([CSP]));
    expect(CSP).toMatch(/script-src 'self'(;|$)/);
    expect(CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(CSP).toMatch(/object-src 'none'/);
    expect(CSP).toMatch(/frame-ancestors 'none'/);
  });

  it('9. no experimental features and no enableBlinkFeatures (10.)', () => {
    const { prefs } = openWindow();
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    for (const f of electronSide) expect(readFileSync(f, 'utf8'), f).not.toMatch(/enableBlinkFeatures/);
  });

  it('12. <webview> disabled and every webview attach refused', () => {
    expect(openWindow().prefs.webviewTag).toBe(false);
    const wc = new FakeWebContents();
    hardenContents(wc as unknown as WebContents);
    const e = event('https://example.com/');
    wc.emit('will-attach-webview', e, {}, {});
    expect(e.defaultPrevented).toBe(true);
  });

  it('13. navigation is blocked, in the main frame and in subframes leaving our origin, and redirects too', () => {
    const wc = new FakeWebContents();
    hardenContents(wc as unknown as WebContents);
    for (const url of ['https://example.com/', `${APP_ORIGIN}/other.html`, 'file:///etc/passwd']) {
      const e = event(url);
      wc.emit('will-navigate', e, url);
      expect(e.defaultPrevented, url).toBe(true);
    }
    const away = event('https://example.com/');
    wc.emit('will-frame-navigate', away);
    expect(away.defaultPrevented).toBe(true);
    const redirect = event('https://example.com/');
    wc.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);
  });

  it('14. new windows are denied, whatever they point at', () => {
    const wc = new FakeWebContents();
    hardenContents(wc as unknown as WebContents);
    for (const url of ['https://example.com/', `${APP_ORIGIN}/index.html`, 'javascript:alert(1)'])
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
  });

  it('15. shell.openExternal is never used, so no untrusted URL can reach it', () => {
    for (const f of electronSide) expect(readFileSync(f, 'utf8'), f).not.toMatch(/openExternal|openPath\(/);
    // and a permission request named openExternal is denied like every other (5.)
    expect(isLoadable('https://example.com/')).toBe(false);
  });

  it('16. a supported Electron: the pinned major is 39 or newer', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
    expect(Number(/\d+/.exec(pkg.devDependencies.electron ?? '')?.[0])).toBeGreaterThanOrEqual(39);
  });

  it('17. the sender frame of every IPC message is checked: calls and notifications from other frames are refused', async () => {
    const win = new FakeWindow();
    const ipc = new FakeIpcMain();
    const helper = fakeHelper({});
    const log = vi.fn();
    const relay = installRelay({ ipcMain: ipc as unknown as IpcMain, window: win as unknown as BrowserWindow, connect: helper.connect, log });
    const strangers = [
      { sender: win.webContents, senderFrame: new FakeFrame('nslab://app/index.html', 1, 2) }, // a subframe
      { sender: new FakeWebContents(), senderFrame: new FakeFrame('nslab://app/index.html') }, // other contents
      { sender: win.webContents, senderFrame: null }, // frame gone
    ];
    win.webContents.mainFrame.url = 'https://example.com/';
    strangers.push({ sender: win.webContents, senderFrame: win.webContents.mainFrame }); // navigated away
    for (const ev of strangers) {
      const answer = (await ipc.invoke(ev, CALL_CHANNEL, 'helper.hello', {})) as { result?: unknown; error?: { data?: { code: string } } };
      expect(answer.result).toBeUndefined();
      expect(answer.error?.data?.code).toBe('permission-denied');
      ipc.send(ev, NOTIFY_CHANNEL, 'pty.write', { id: 'x', data: 'rm -rf /\n' });
    }
    expect(log).toHaveBeenCalledTimes(strangers.length * 2);
    expect(helper.seen).toEqual([]); // nothing reached the helper
    expect(ipc.listenerCount(NOTIFY_CHANNEL)).toBe(1);
    expect(ipc.handlers.has(CALL_CHANNEL)).toBe(true);
    relay.dispose();
  });

  it('18. no file:// origin: a privileged custom scheme serves the app', () => {
    expect(APP_ORIGIN).toBe('nslab://app');
    expect(isLoadable('file:///opt/nslab/resources/app.asar/out/renderer/index.html')).toBe(false);
  });

  it('19. fuses: node options, inspector and file:// privileges off, app only from the asar', () => {
    const cfg = parse(readFileSync('electron-builder.yml', 'utf8')) as { electronFuses: Record<string, boolean>; asar: boolean };
    expect(cfg.asar).toBe(true);
    expect(cfg.electronFuses).toMatchObject({
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      grantFileProtocolExtraPrivileges: false,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      // kept on, and why: the helper runs on the app's own binary in node mode when there is no system node
      runAsNode: true,
    });
    // the helper that node mode runs lives outside the asar
    expect(helperCli('/opt/nslab/resources/app.asar')).toBe('/opt/nslab/resources/app.asar.unpacked/out/node/cli.mjs');
    expect(unpackedPath('/work/nslab')).toBe('/work/nslab');
  });

  it('20. no Electron or Node API reaches the page: the preload exposes one object of four functions', () => {
    const preload = readFileSync('electron/preload/index.ts', 'utf8');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toMatch(/exposeInMainWorld\('nslab', bridge\)/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    for (const f of sources('renderer/src')) expect(readFileSync(f, 'utf8'), f).not.toMatch(/from 'electron'|require\('electron'\)/);
  });
});
