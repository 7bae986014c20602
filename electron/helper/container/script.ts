// A container as a shell script that builds the same container from nothing: the rootfs nslab builds once,
// then every command the build ran, with the container's PIDs as variables.
import type { ContainerRecord } from './store.js';
import { containerDir } from './store.js';
import { VERSION } from '../version.js';
import { join } from 'node:path';

export function containerScript(stateDir: string, r: ContainerRecord): string {
  const dir = containerDir(stateDir, r.name);
  const rootfs = join(stateDir, 'rootfs');
  const body = r.commands
    .filter((l) => !l.startsWith('DIR='))
    .map((l) => l.split(dir).join('$DIR').split(rootfs).join('$ROOTFS'));
  return [
    '#!/bin/sh',
    `# nslab container ${r.name}: ${r.argv.join(' ')}`,
    `# Exported by nslab ${VERSION}. Run as root; it builds the container by hand, without a runtime.`,
    `# Remove it afterwards: kill "$GATE"; rmdir ${r.cgroup} in each hierarchy; rm -rf "$DIR"`,
    'set -e',
    'DIR=$(mktemp -d /tmp/nslab-c-XXXXXX); chmod 711 "$DIR"; mkdir "$DIR/upper" "$DIR/work" "$DIR/root"',
    'ROOTFS=$DIR/rootfs',
    '',
    '# --- the busybox rootfs and the skeleton over it (nslab builds these once under its state directory)',
    'mkdir -p "$ROOTFS/busybox/bin" "$ROOTFS/busybox/etc" "$ROOTFS/skeleton/dev" "$ROOTFS/skeleton/.nslab"',
    'cp "$(command -v busybox)" "$ROOTFS/busybox/bin/busybox"',
    'chroot "$ROOTFS/busybox" /bin/busybox --install -s /bin',
    "printf 'root:x:0:0:root:/root:/bin/sh\\n' > \"$ROOTFS/busybox/etc/passwd\"",
    'for d in proc sys .oldroot tmp; do mkdir -p "$ROOTFS/skeleton/$d"; done; touch "$ROOTFS/skeleton/.nslab/busybox"',
    'mknod -m 666 "$ROOTFS/skeleton/dev/null" c 1 3; mknod -m 666 "$ROOTFS/skeleton/dev/zero" c 1 5; mknod -m 666 "$ROOTFS/skeleton/dev/urandom" c 1 9',
    '',
    '# --- the container',
    ...body,
    'wait "$GATE"',
    '',
  ].join('\n');
}
