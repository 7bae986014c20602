// Writes a stand-in for an unpacked Electron 39 linux-x64 folder, for `electron-builder --dir` where the real
// binary cannot be downloaded (CI here). It has the files electron-builder copies and renames, and an `electron`
// executable that carries Electron's fuse wire (sentinel, version 1, nine fuses in Electron's defaults), so
// electron-builder's electronFuses step flips real bytes that a test can read back. It runs nothing.
// Usage: node scripts/electron-stub.mjs DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron 39's defaults, in @electron/fuses order: RunAsNode … WasmTrapHandlers. */
export const STUB_DEFAULT_FUSES = '101100010';

export function writeElectronStub(dir) {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  mkdirSync(join(dir, 'locales'), { recursive: true });
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([1, STUB_DEFAULT_FUSES.length]), Buffer.from(STUB_DEFAULT_FUSES)]);
  const script = Buffer.from('#!/bin/sh\necho "nslab electron stub: not a real Electron" >&2\nexit 3\n# fuse wire: ');
  writeFileSync(join(dir, 'electron'), Buffer.concat([script, wire, Buffer.from('\n')]), { mode: 0o755 });
  writeFileSync(join(dir, 'chrome-sandbox'), '', { mode: 0o755 });
  writeFileSync(join(dir, 'chrome_crashpad_handler'), '', { mode: 0o755 });
  for (const f of ['libffmpeg.so', 'libEGL.so', 'libGLESv2.so', 'icudtl.dat', 'resources.pak', 'snapshot_blob.bin', 'v8_context_snapshot.bin', 'locales/en-US.pak'])
    writeFileSync(join(dir, f), '');
  writeFileSync(join(dir, 'version'), '39.8.10');
  writeFileSync(join(dir, 'LICENSE'), 'stub\n');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<p>stub</p>\n');
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/electron-stub.mjs DIR');
    process.exit(2);
  }
  writeElectronStub(dir);
  console.log(`wrote an Electron stub in ${dir}`);
}
