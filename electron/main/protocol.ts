// The renderer's origin, nslab://app: a privileged standard scheme serving out/renderer read-only with the
// CSP header. A real origin (not file://) is what the IPC sender check compares against.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME, CSP } from './security.js';
import { contentTypeOf } from '../shared/mime.js';


const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>nslab</title>
<body style="font-family: system-ui, sans-serif; margin: 4rem"><h1>The nslab renderer is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>) and start the app again.</p></body>`;

/** Must run before app `ready`. */
export function registerAppScheme(protocol: Protocol): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

const headers = (type: string): Record<string, string> => ({
  'Content-Type': type,
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
});

/** The file a nslab://app URL names, or null; never anything outside `root`. */
export async function resolveAppFile(root: string, url: string): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const base = resolve(root);
  const wanted = resolve(base, `.${path === '/' ? '/index.html' : path}`);
  if (!wanted.startsWith(base + sep)) return null;
  try {
    const [real, realBase] = [await realpath(wanted), await realpath(base)];
    if (!real.startsWith(realBase + sep) || !(await stat(real)).isFile()) return null;
    return real;
  } catch {
    return extname(wanted) === '' ? resolveAppFile(root, `${APP_SCHEME}://${APP_HOST}/index.html`) : null;
  }
}

export function serveApp(protocol: Protocol, root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = await resolveAppFile(root, request.url);
    if (file) return new Response(await readFile(file), { headers: headers(contentTypeOf(extname(file))) });
    const isPage = new URL(request.url).pathname === '/' || request.url.endsWith('/index.html');
    return new Response(isPage ? NOT_BUILT : 'Not found', { status: isPage ? 503 : 404, headers: headers(isPage ? contentTypeOf('.html') : 'text/plain') });
  });
}

export const appIndex = (): string => `${APP_SCHEME}://${APP_HOST}/index.html`;
export const rendererRoot = (appPath: string): string => join(appPath, 'out', 'renderer');
