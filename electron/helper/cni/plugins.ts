// Where CNI plugins are (CNI_PATH) and what each says about itself (CNI_COMMAND=VERSION). Debian's
// containernetworking-plugins installs them in /usr/lib/cni; upstream tarballs go to /opt/cni/bin.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CniPluginInfo } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { run } from '../exec/run.js';

export const DEFAULT_PLUGIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];
export const INSTALL_HINT = 'apt install containernetworking-plugins';
/** The plugins the lab and the Docker comparison use. */
export const CORE_PLUGINS = ['bridge', 'host-local', 'portmap', 'loopback', 'ptp', 'macvlan'];

export const pluginDirsOf = (extra: readonly string[]): string[] => [...new Set([...extra, ...DEFAULT_PLUGIN_DIRS])];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findPlugin(type: string, dirs: readonly string[]): string | null {
  for (const dir of dirs) {
    const path = join(dir, type);
    if (executable(path)) return path;
  }
  return null;
}

/** Every plugin file found, first directory wins (as CNI_PATH is searched). */
export function listPlugins(dirs: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) if (!found.has(name) && executable(join(dir, name))) found.set(name, join(dir, name));
  }
  return found;
}

/** Resolves every type to its file, or refuses with all the missing ones and how to install them. */
export function resolvePlugins(types: readonly string[], dirs: readonly string[]): Map<string, string> {
  const paths = new Map(types.map((t) => [t, findPlugin(t, dirs)] as const));
  const missing = [...paths].filter(([, p]) => p === null).map(([t]) => t);
  if (missing.length) {
    throw new NslabError('tool-missing', `CNI plugin${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in ${dirs.join(':')}; install them with \`${INSTALL_HINT}\``, {
      field: 'config',
      tool: missing[0],
      missing,
      fix: INSTALL_HINT,
    });
  }
  return paths as Map<string, string>;
}

/** `CNI_COMMAND=VERSION`, and the about line a plugin prints when run without a command. */
export async function pluginInfo(plugin: string, path: string | null): Promise<CniPluginInfo> {
  if (path === null) return { plugin, path, supportedVersions: [], about: null };
  const [version, about] = await Promise.all([
    run([path], { env: { CNI_COMMAND: 'VERSION' }, input: '{"cniVersion":"1.0.0"}', allowFailure: true, timeoutMs: 5000 }),
    run([path], { allowFailure: true, timeoutMs: 5000 }),
  ]);
  let supportedVersions: string[] = [];
  try {
    const parsed = JSON.parse(version.stdout) as { supportedVersions?: unknown };
    if (Array.isArray(parsed.supportedVersions)) supportedVersions = parsed.supportedVersions.filter((v): v is string => typeof v === 'string');
  } catch {
    // not a CNI plugin (or a broken one): no versions
  }
  const line = `${about.stderr}\n${about.stdout}`.split('\n').map((l) => l.trim()).find((l) => /plugin/i.test(l) && /version/i.test(l)) ?? null;
  return { plugin, path, supportedVersions, about: line };
}
