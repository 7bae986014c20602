// Assembles the .deb from electron-builder's dir output (dist/linux-unpacked) with dpkg-deb, for machines
// where electron-builder's deb target cannot fetch its fpm tool. The layout is the one electron-builder's deb
// target makes: the app in /opt/nslab, the desktop file and hicolor icons, and the same maintainer scripts
// (build/linux/after-install.sh → postinst, before-remove.sh → prerm, after-remove.sh → postrm).
// Usage: node scripts/deb-offline.mjs [--app dist/linux-unpacked] [--out dist]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(new URL('..', import.meta.url).pathname);

function du(dir) {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += du(p);
    else if (e.isFile()) bytes += statSync(p).size;
  }
  return bytes;
}

export function assembleDeb({ app = join(root, 'dist', 'linux-unpacked'), out = join(root, 'dist') } = {}) {
  if (!existsSync(join(app, 'nslab'))) throw new Error(`${app}/nslab is missing: run npm run dist:dir first`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const builder = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
  const stage = join(out, 'deb-stage');
  rmSync(stage, { recursive: true, force: true });
  cpSync(app, join(stage, 'opt', 'nslab'), { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(stage, 'usr', 'share', 'applications'), { recursive: true });
  copyFileSync(join(root, 'resources', 'nslab.desktop'), join(stage, 'usr', 'share', 'applications', 'nslab.desktop'));
  for (const f of readdirSync(join(root, 'build', 'icons'))) {
    const size = f.replace(/\.png$/, '');
    const dir = join(stage, 'usr', 'share', 'icons', 'hicolor', size, 'apps');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(root, 'build', 'icons', f), join(dir, 'nslab.png'));
  }
  const debian = join(stage, 'DEBIAN');
  mkdirSync(debian);
  const control = [
    'Package: nslab',
    `Version: ${pkg.version}`,
    'Architecture: amd64',
    'Maintainer: nslab contributors <nslab@localhost>',
    `Installed-Size: ${Math.ceil(du(stage) / 1024)}`,
    `Depends: ${builder.deb.depends.join(', ')}`,
    'Section: devel',
    'Priority: optional',
    'Homepage: https://github.com/nslab/nslab',
    `Description: ${builder.linux.synopsis}`,
    ` ${builder.linux.description}`,
    '',
  ].join('\n');
  writeFileSync(join(debian, 'control'), control);
  for (const [script, name] of [['after-install.sh', 'postinst'], ['before-remove.sh', 'prerm'], ['after-remove.sh', 'postrm']]) {
    copyFileSync(join(root, 'build', 'linux', script), join(debian, name));
    chmodSync(join(debian, name), 0o755);
  }
  const deb = join(out, `nslab_${pkg.version}_amd64.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '-z1', '--build', stage, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(stage, { recursive: true, force: true });
  return deb;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? resolve(process.argv[i + 1]) : undefined;
  };
  console.log(assembleDeb({ app: arg('--app'), out: arg('--out') }));
}
