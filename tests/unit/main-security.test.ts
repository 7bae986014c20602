// Electron main's lockdown with electron mocked: web preferences, navigation / window.open / webview /
// permissions / remote content blocked, the CSP, and that every new WebContents gets it.
import { describe, expect, it, vi } from 'vitest';
import type { App, Session, WebContents } from 'electron';
import { CSP, hardenContents, hardenSession, installSecurity, isAppUrl, isLoadable, webPreferences } from '../../electron/main/security.js';
import { FakeSession, FakeWebContents } from '../support/fake-electron.js';

// Nothing here may load the real electron module (its binary is not even installed in CI).
vi.mock('electron', () => {
  throw new Error('security.ts must not need electron at runtime');
});

const nav = (url: string) => {
  const e = { url, defaultPrevented: false, preventDefault() {
    this.defaultPrevented = true;
  } };
  return e;
};

describe('web preferences', () => {
  it('isolate and sandbox every renderer, with no Node and web security on', () => {
    const p = webPreferences('/app/out/preload/index.cjs');
    expect(p).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('WebContents restrictions', () => {
  const wc = new FakeWebContents();
  hardenContents(wc as unknown as WebContents);

  it('blocks every navigation, redirect and webview', () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'nslab://app/other.html']) {
      const e = nav(url);
      wc.emit('will-navigate', e, url);
      expect(e.defaultPrevented, url).toBe(true);
    }
    const r = nav('https://evil.example/');
    wc.emit('will-redirect', r);
    expect(r.defaultPrevented).toBe(true);
    const w = nav('https://evil.example/');
    wc.emit('will-attach-webview', w, {}, {});
    expect(w.defaultPrevented).toBe(true);
  });

  it('blocks frame navigation away from the app origin', () => {
    const away = nav('https://evil.example/');
    wc.emit('will-frame-navigate', away);
    expect(away.defaultPrevented).toBe(true);
    const home = nav('nslab://app/index.html');
    wc.emit('will-frame-navigate', home);
    expect(home.defaultPrevented).toBe(false);
  });

  it('denies window.open', () => {
    expect(wc.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler?.({ url: 'nslab://app/index.html' })).toEqual({ action: 'deny' });
  });
});

describe('session restrictions', () => {
  const s = new FakeSession();
  hardenSession(s as unknown as Session);

  it('denies every permission request and check', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      s.permissionRequest?.({}, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(s.permissionCheck?.({}, 'media')).toBe(false);
  });

  it('cancels remote content and allows only our origin and inline data', () => {
    const verdict = (url: string): boolean | undefined => {
      let cancel: boolean | undefined;
      s.beforeRequest?.fn({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(s.beforeRequest?.filter).toEqual({ urls: ['<all_urls>'] });
    for (const url of ['https://example.com/x.js', 'http://127.0.0.1:8080/', 'ws://127.0.0.1:1/rpc', 'file:///etc/passwd', 'nslab://other/index.html', 'ftp://x/']) {
      expect(verdict(url), url).toBe(true);
    }
    for (const url of ['nslab://app/index.html', 'nslab://app/assets/a.js', 'data:image/png;base64,AA==']) expect(verdict(url), url).toBe(false);
  });

  it('adds the strict CSP to every response', () => {
    let headers: Record<string, string[]> | undefined;
    s.headersReceived?.({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders));
    expect(headers?.['Content-Security-Policy']).toEqual([CSP]);
    expect(headers?.['X-Other']).toEqual(['1']);
  });
});

describe('CSP and origin helpers', () => {
  it('allows scripts from our origin only: no eval, no inline script, no remote', () => {
    expect(CSP).toMatch(/default-src 'self'/);
    expect(CSP).toMatch(/script-src 'self'(;|$)/);
    expect(CSP).not.toMatch(/unsafe-eval/);
    expect(CSP).not.toMatch(/https?:/);
    expect(CSP).toMatch(/object-src 'none'/);
    expect(CSP).toMatch(/frame-ancestors 'none'/);
  });
  it('recognises the app origin exactly', () => {
    expect(isAppUrl('nslab://app/index.html')).toBe(true);
    expect(isAppUrl('nslab://app.evil/index.html')).toBe(false);
    expect(isAppUrl('https://app/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(isLoadable('blob:nslab://app/1234')).toBe(true);
  });
});

describe('installSecurity', () => {
  it('hardens every WebContents created later', () => {
    const handlers: ((e: unknown, c: unknown) => void)[] = [];
    const app = { on: (name: string, fn: (e: unknown, c: unknown) => void) => name === 'web-contents-created' && handlers.push(fn) };
    installSecurity(app as unknown as App);
    expect(handlers).toHaveLength(1);
    const wc = new FakeWebContents('nslab://app/index.html');
    handlers[0]!({}, wc);
    expect(wc.windowOpenHandler?.({ url: 'https://x/' })).toEqual({ action: 'deny' });
    expect(wc.listenerCount('will-navigate')).toBe(1);
  });
});
