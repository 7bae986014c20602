// Builds the Node-side bundles (CLI + helper) with esbuild. Pure-JS dependencies are bundled (one file loads
// far faster than dozens of ES modules: CLI start-up is most of a short command's time); native node-pty and
// the optional `ws` stay external.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { nodeBundleOptions } from './node-bundle.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

rmSync('out/node', { recursive: true, force: true });
const nodeBundle = nodeBundleOptions();
await build({ ...nodeBundle, outdir: 'out/node', sourcemap: 'linked', logLevel: 'warning', define: { __NSLAB_VERSION__: JSON.stringify(pkg.version) } });
console.log(`built ${Object.keys(nodeBundle.entryPoints).map((name) => `out/node/${name}.mjs`).join(', ')}`);

// Electron main and preload: CommonJS (package.json `main` is out/main/index.cjs). The preload is one
// self-contained file because a sandboxed preload can require nothing but `electron`.
rmSync('out/main', { recursive: true, force: true });
rmSync('out/preload', { recursive: true, force: true });
const electronBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['electron'],
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __NSLAB_VERSION__: JSON.stringify(pkg.version) },
};
await build({ ...electronBundle, entryPoints: ['electron/main/index.ts'], outfile: 'out/main/index.cjs' });
await build({ ...electronBundle, entryPoints: ['electron/preload/index.ts'], outfile: 'out/preload/index.cjs' });
console.log('built out/main/index.cjs, out/preload/index.cjs');

// The renderer (Vue), with Vite's JS API and renderer/vite.config.ts: out/renderer, served by Electron main
// (nslab://app) and by `nslab serve`.
const { build: viteBuild } = await import('vite');
await viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
console.log('built out/renderer/');
