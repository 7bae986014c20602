// Where the shipped resources (topologies, labs, polkit policy) are: next to the source tree in a
// checkout, `process.resourcesPath` in a packaged app, or $NSLAB_RESOURCES.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NslabError } from '../shared/errors.js';

export function resourcesDir(): string {
  if (process.env.NSLAB_RESOURCES) return process.env.NSLAB_RESOURCES;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'resources', 'topologies'))) return join(dir, 'resources');
    dir = resolve(dir, '..');
  }
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  return packaged ? join(packaged, 'resources') : join(process.cwd(), 'resources');
}

/** A file of out/node/ (launcher.mjs, probe.mjs): next to the bundle this runs from, or the checkout's build output (tests). */
export function builtNodeEntry(file: string, what: string): string {
  const candidates = [join(dirname(fileURLToPath(import.meta.url)), file), join(resourcesDir(), '..', 'out', 'node', file)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new NslabError('tool-missing', `${what} is missing (looked in ${candidates.join(', ')}); run npm run build`, { tool: file });
  return found;
}
