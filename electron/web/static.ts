// The built renderer's files, read-only: no directory listings, nothing outside the root, no symlink escapes.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { contentTypeOf } from '../shared/mime.js';


export interface StaticFile {
  body: Buffer;
  type: string;
}

/** The file for a URL path, or null. Paths without an extension fall back to index.html (client routes). */
export async function staticFile(root: string, urlPath: string): Promise<StaticFile | null> {
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
  const file = (await readable(base, wanted)) ?? (extname(wanted) === '' ? await readable(base, join(base, 'index.html')) : null);
  if (!file) return null;
  return { body: await readFile(file), type: contentTypeOf(extname(file)) };
}

async function readable(base: string, path: string): Promise<string | null> {
  try {
    const real = await realpath(path);
    const realBase = await realpath(base);
    if (real !== realBase && !real.startsWith(realBase + sep)) return null;
    const st = await stat(real);
    if (st.isDirectory()) return readable(base, join(path, 'index.html'));
    return st.isFile() ? real : null;
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
