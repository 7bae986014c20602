// The same code at another git revision, bundled for a before/after in one run: NSLAB_BENCH_BEFORE=<rev>
// (e.g. `main` before a change is merged). The revision's electron/ is extracted with `git archive` into a
// temporary directory and bundled with the checkout's node_modules; nothing in the work tree changes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { nodeBundleOptions } from '../../../scripts/node-bundle.mjs';

/** The checkout of `rev`'s electron/ folder; `dispose()` removes it. */
export function checkoutAt(root, rev) {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-bench-before-'));
  const archive = spawnSync('git', ['archive', '--format=tar', rev, 'electron'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
  if (archive.status !== 0) throw new Error(`git archive ${rev}: ${String(archive.stderr).trim()}`);
  const tar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (tar.status !== 0) throw new Error(`tar: ${String(tar.stderr).trim()}`);
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bundles `exports` (path inside the checkout or work tree `dir` → names) into one ES module at `outfile`. */
export async function bundleFrom(root, dir, outfile, exports) {
  const entry = `${outfile}.entry.ts`;
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(entry, Object.entries(exports).map(([path, names]) => `export { ${names.join(', ')} } from ${JSON.stringify(join(dir, path))};`).join('\n'));
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning', absWorkingDir: root, nodePaths: [join(root, 'node_modules')] });
  return outfile;
}

/** The nslab CLI (and its helper) of a checkout, built as scripts/build.mjs builds out/node. Returns cli.mjs. */
export async function buildCliFrom(root, dir, outdir) {
  await build({
    ...nodeBundleOptions(dir),
    outdir,
    logLevel: 'warning',
    absWorkingDir: root,
    nodePaths: [join(root, 'node_modules')],
    define: { __NSLAB_VERSION__: JSON.stringify('before') },
  });
  return join(outdir, 'cli.mjs');
}
