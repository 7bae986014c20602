// How the Node-side bundles (CLI, helper launcher, trace probe) are built: one set of esbuild
// options for `npm run build` and for the benches that build another revision the same way.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const NODE_ENTRIES = {
  cli: 'electron/cli/main.ts',
  launcher: 'electron/helper/exec/launcher-entry.ts',
  probe: 'electron/helper/firewall/trace/probe-main.ts',
  spawner: 'electron/helper/exec/spawner-entry.ts',
};

/** esbuild options for the entries found under `dir` (an older revision may lack the newer ones). */
export function nodeBundleOptions(dir = '.') {
  const entryPoints = Object.fromEntries(
    Object.entries(NODE_ENTRIES)
      .map(([name, path]) => [name, join(dir, path)])
      .filter(([, path]) => existsSync(path)),
  );
  return {
    entryPoints,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['@lydell/node-pty', 'ws', 'electron'],
    // Bundled CommonJS dependencies may call require(): give the ES module bundle one.
    banner: { js: "import { createRequire as __nslabRequire } from 'node:module'; const require = __nslabRequire(import.meta.url);" },
  };
}
