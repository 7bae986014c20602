// Where the packaged app's parts are. The window's code (main, preload, renderer) is read by Electron from
// resources/app.asar; the helper runs on plain Node (directly, via pkexec or in a user namespace), and plain
// Node cannot read an asar archive, so electron-builder unpacks it (asarUnpack in electron-builder.yml) to
// resources/app.asar.unpacked, with node-pty, ws and the shipped resources.
import { join } from 'node:path';

/** The unpacked twin of a path inside app.asar; a path in a checkout (no asar) is returned unchanged. */
export function unpackedPath(path: string): string {
  return path.replace(/([/\\])app\.asar(?=[/\\]|$)/, '$1app.asar.unpacked');
}

/** The helper's CLI bundle, runnable by plain Node. */
export const helperCli = (appPath: string): string => unpackedPath(join(appPath, 'out', 'node', 'cli.mjs'));
