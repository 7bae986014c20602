// Builds the Node-side bundles (CLI + helper) with esbuild; dependencies stay external.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

rmSync('out/node', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'electron/cli/main.ts' },
  outdir: 'out/node',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __NSLAB_VERSION__: JSON.stringify(pkg.version) },
});
console.log('built out/node/cli.mjs');
