// The busybox rootfs (built once from busybox-static under nslab's state dir) and the skeleton laid over
// every rootfs (mount points, a minimal /dev, nslab's read-only busybox), both as overlayfs lower layers so
// neither a busybox base nor a directory the user gave is ever written to.
import { chmodSync, existsSync, mkdirSync, realpathSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { NslabError } from '../../shared/errors.js';
import { run } from '../exec/run.js';

const STAMP = '.nslab-rootfs-v1';
export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

/** nslab's tools inside every container: a read-only bind mount, so no container can replace them. */
export const NSLAB_TOOLS = '/.nslab';
export const NSLAB_BUSYBOX = `${NSLAB_TOOLS}/busybox`;
/**
 * util-linux `setpriv` run through the dynamic loader from the tools directory: after `nsenter` joined the
 * mount namespace only the container's files are reachable, and busybox's setpriv cannot narrow the
 * bounding set.
 */
export const NSLAB_SETPRIV = [`${NSLAB_TOOLS}/ld.so`, '--library-path', NSLAB_TOOLS, `${NSLAB_TOOLS}/setpriv`];

const ETC: Record<string, string> = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  group: 'root:x:0:\nnogroup:x:65534:\n',
  hosts: '127.0.0.1\tlocalhost\n::1\tlocalhost\n',
  'os-release': 'NAME="nslab busybox"\nID=nslab-busybox\n',
};

function hostBusybox(): string {
  const found = BUSYBOX_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new NslabError('tool-missing', 'busybox is not installed (apt-get install busybox-static): the busybox rootfs is built from it', { tool: 'busybox' });
  return found;
}

/** `<state>/rootfs/busybox`: /bin/busybox + `busybox --install -s /bin` (links to /bin/busybox, not the host path) + /etc. */
export async function ensureBusyboxRootfs(stateDir: string): Promise<string> {
  const dir = join(stateDir, 'rootfs', 'busybox');
  if (existsSync(join(dir, STAMP))) return dir;
  rmSync(dir, { recursive: true, force: true }); // a build a crash left half-done
  for (const d of ['bin', 'etc', 'root', 'tmp', 'home']) mkdirSync(join(dir, d), { recursive: true, mode: 0o755 });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(hostBusybox(), join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  // Inside a chroot so every link points at /bin/busybox, the path it will have in the container.
  await run(['chroot', dir, '/bin/busybox', '--install', '-s', '/bin'], { change: true });
  for (const [file, text] of Object.entries(ETC)) writeFileSync(join(dir, 'etc', file), text, { mode: 0o644 });
  writeFileSync(join(dir, STAMP), '');
  return dir;
}

const DEVICES: [name: string, major: number, minor: number][] = [
  ['null', 1, 3], ['zero', 1, 5], ['full', 1, 7], ['random', 1, 8], ['urandom', 1, 9], ['tty', 5, 0],
];

/** `<state>/rootfs/skeleton`: the mount points and device nodes every container needs, on top of any rootfs. */
export async function ensureSkeleton(stateDir: string): Promise<string> {
  const dir = join(stateDir, 'rootfs', 'skeleton');
  if (existsSync(join(dir, STAMP))) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (const d of ['proc', 'sys', 'dev', '.oldroot', '.nslab', 'tmp']) mkdirSync(join(dir, d), { recursive: true, mode: 0o755 });
  chmodSync(join(dir, 'tmp'), 0o1777);
  for (const [name, major, minor] of DEVICES) await run(['mknod', '-m', '666', join(dir, 'dev', name), 'c', String(major), String(minor)], { change: true });
  await run(['ln', '-s', '/proc/self/fd', join(dir, 'dev', 'fd')], { change: true });
  writeFileSync(join(dir, STAMP), '');
  return dir;
}

/** `<state>/rootfs/tools`: busybox, util-linux setpriv and the libraries it loads (found with ldd), flat. */
export async function ensureTools(stateDir: string): Promise<string> {
  const dir = join(stateDir, 'rootfs', 'tools');
  if (existsSync(join(dir, STAMP))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  copyFileSync(hostBusybox(), join(dir, 'busybox'));
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  if (!setpriv) throw new NslabError('tool-missing', 'setpriv (util-linux) is not installed', { tool: 'setpriv' });
  copyFileSync(setpriv, join(dir, 'setpriv'));
  const { stdout } = await run(['ldd', setpriv]);
  for (const line of stdout.split('\n')) {
    const lib = /=>\s*(\/\S+)/.exec(line)?.[1];
    const loader = /^\s*(\/\S*ld-linux\S*)/.exec(line)?.[1];
    if (lib) copyFileSync(lib, join(dir, lib.split('/').pop()!));
    if (loader) copyFileSync(loader, join(dir, 'ld.so'));
  }
  if (!existsSync(join(dir, 'ld.so'))) throw new NslabError('internal', `ldd ${setpriv} named no dynamic loader`);
  for (const f of ['busybox', 'setpriv', 'ld.so']) chmodSync(join(dir, f), 0o755);
  writeFileSync(join(dir, STAMP), '');
  return dir;
}

/**
 * A rootfs the user gave: an existing directory (symlinks resolved) that is not the host's root, not a
 * system directory, and not inside nslab's own state (which only nslab writes).
 */
export function checkRootfsDir(path: string, stateDir: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new NslabError('not-found', `rootfs ${path} does not exist`, { field: 'rootfs' });
  }
  if (!statSync(real).isDirectory()) throw new NslabError('invalid-params', `rootfs ${path} is not a directory`, { field: 'rootfs' });
  const system = ['/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/run', '/sbin', '/sys', '/usr', '/var', '/home', '/root', '/tmp'];
  if (system.includes(real)) throw new NslabError('invalid-params', `rootfs ${real} is a host system directory: give 'busybox' or a directory that holds a root filesystem`, { field: 'rootfs' });
  const state = realpathSync(stateDir);
  if (real === state || real.startsWith(state + sep)) throw new NslabError('invalid-params', `rootfs ${real} is inside nslab's state directory (${state}): use --rootfs busybox for nslab's own`, { field: 'rootfs' });
  if (!existsSync(join(real, 'bin')) && !existsSync(join(real, 'usr', 'bin'))) {
    throw new NslabError('invalid-params', `rootfs ${real} has neither bin/ nor usr/bin/: it is not a root filesystem`, { field: 'rootfs' });
  }
  return real;
}
