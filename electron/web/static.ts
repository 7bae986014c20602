// The built renderer's files, read-only: no directory listings, nothing outside the root, no symlink escapes.
// Read synchronously and kept in memory (checked against the file's size and mtime on each request): in
// `nslab serve` the helper shares this process's event loop, and at a cold start the page's assets arrived
// while the helper was starting one `ip` per namespace for the first snapshot — each async realpath, stat and
// read waited for a turn of that busy loop, and a 300-byte chunk took up to a second. A local stat is
// microseconds; the whole answer is now one turn.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { contentTypeOf } from '../shared/mime.js';

export interface StaticFile {
  body: Buffer;
  type: string;
  /** The Cache-Control this file may be served with (see cacheControlOf). */
  cacheControl: string;
}

/**
 * Vite's hashed build output (assets/name-HASH.ext) never changes under its name: a browser may keep it
 * (private: it was fetched with the token cookie). Everything else (the page) is asked for afresh.
 */
function cacheControlOf(root: string, file: string): string {
  const inAssets = file.startsWith(join(root, 'assets') + sep);
  return inAssets && /-[\w-]{8,}\.\w+$/.test(file) ? 'private, max-age=31536000, immutable' : 'no-store';
}

interface Cached {
  size: number;
  mtimeMs: number;
  file: StaticFile;
}
const cache = new Map<string, Cached>();

/** The file for a URL path, or null. Paths without an extension fall back to index.html (client routes). */
export function staticFileSync(root: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const wanted = resolve(base, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (wanted !== base && !wanted.startsWith(base + sep)) return null;
  const found = readable(base, wanted) ?? (extname(wanted) === '' ? readable(base, join(base, 'index.html')) : null);
  if (!found) return null;
  const hit = cache.get(found.real);
  if (hit && hit.size === found.size && hit.mtimeMs === found.mtimeMs) return hit.file;
  let body: Buffer;
  try {
    body = readFileSync(found.real);
  } catch {
    return null;
  }
  const file = { body, type: contentTypeOf(extname(found.real)), cacheControl: cacheControlOf(found.realBase, found.real) };
  cache.set(found.real, { size: found.size, mtimeMs: found.mtimeMs, file });
  return file;
}

function readable(base: string, path: string): { real: string; realBase: string; size: number; mtimeMs: number } | null {
  try {
    const real = realpathSync(path);
    const realBase = realpathSync(base);
    if (real !== realBase && !real.startsWith(realBase + sep)) return null;
    const st = statSync(real);
    if (st.isDirectory()) return readable(base, join(path, 'index.html'));
    return st.isFile() ? { real, realBase, size: st.size, mtimeMs: st.mtimeMs } : null;
  } catch {
    return null;
  }
}

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nslab: renderer not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The nslab renderer is not built</h1>
<p>The browser-mode server is running and the helper relay works, but <code>out/renderer/</code> is missing.</p>
<p>Run <code>npm run build</code> in the repository (or <code>npm start</code>), then reload this page.</p>
</body></html>
`;
