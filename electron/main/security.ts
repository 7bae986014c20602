// The lockdown (podman-desktop's security-restrictions.ts, minus its webSecurity: false): every renderer is
// sandboxed and isolated, loads only our own nslab://app origin, cannot navigate, open windows, attach
// webviews, fetch remote content or get any permission.
import type { App, Session, WebContents, WebPreferences } from 'electron';

export const APP_SCHEME = 'nslab';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Vue and chart libraries set inline style attributes; styles cannot run code.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Schemes a renderer may load from: our app, and inline data the page makes itself. */
const LOADABLE = new Set([`${APP_SCHEME}:`, 'data:', 'blob:', 'devtools:']);

export function isLoadable(url: string): boolean {
  try {
    const u = new URL(url);
    return LOADABLE.has(u.protocol) && (u.protocol !== `${APP_SCHEME}:` || u.host === APP_HOST);
  } catch {
    return false;
  }
}

export function hardenContents(contents: WebContents): void {
  // The app is one page: any navigation is either a bug or an attack.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
  // No remote content: http(s), ws(s), file and everything else but our origin is cancelled.
  session.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => callback({ cancel: !isLoadable(details.url) }));
  session.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }),
  );
}

/** Every WebContents, present and future (devtools included), gets the same restrictions. */
export function installSecurity(app: App): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}
