#!/usr/bin/env node
// The `nslab` command: runs the bundled CLI built by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../out/node/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('nslab: not built yet. Run `npm run build` (or `npm start`) in the repository first.\n');
  process.exit(2);
}
await import(bundle);
