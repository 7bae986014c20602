// What the packages ship besides code: the icons (the committed PNGs are scripts/icons.mjs's output, in every
// hicolor size), the desktop entry (the same in resources/nslab.desktop and electron-builder.yml), the one
// polkit action and the maintainer scripts' paths, which must match where electron-builder puts the helper.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error plain ES module script without types
import { ICON_SIZES, png } from '../../scripts/icons.mjs';

const builder = parse(readFileSync('electron-builder.yml', 'utf8')) as {
  linux: { icon: string; target: string[]; desktop: { entry: Record<string, string> } };
  asarUnpack: string[];
  deb: { afterInstall: string; afterRemove: string; fpm: string[] };
  rpm: { afterInstall: string; afterRemove: string; fpm: string[] };
};

describe('package contents', () => {
  it('icons: every hicolor size, valid RGBA PNGs, exactly what scripts/icons.mjs draws', () => {
    expect(ICON_SIZES).toEqual([16, 24, 32, 48, 64, 128, 256, 512]);
    for (const n of ICON_SIZES as number[]) {
      const file = readFileSync(`${builder.linux.icon}/${n}x${n}.png`);
      expect(file.subarray(1, 4).toString()).toBe('PNG');
      expect([file.readUInt32BE(16), file.readUInt32BE(20), file[25]]).toEqual([n, n, 6]);
      expect(file.equals(png(n) as Buffer), `${n}x${n}.png is stale: run node scripts/icons.mjs`).toBe(true);
    }
  });

  it('targets deb, AppImage and rpm, with the same maintainer scripts for both package formats', () => {
    expect(builder.linux.target).toEqual(expect.arrayContaining(['deb', 'AppImage', 'rpm', 'dir']));
    for (const p of [builder.deb, builder.rpm]) {
      expect(p.afterInstall).toBe('build/linux/after-install.sh');
      expect(p.afterRemove).toBe('build/linux/after-remove.sh');
      expect(p.fpm).toContain('--before-remove=build/linux/before-remove.sh');
    }
  });

  it('the desktop entry is the same in resources/nslab.desktop and electron-builder.yml', () => {
    const desktop = Object.fromEntries(
      readFileSync('resources/nslab.desktop', 'utf8')
        .split('\n')
        .filter((l) => /^[A-Za-z]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    for (const [k, v] of Object.entries(builder.linux.desktop.entry)) expect(desktop[k], k).toBe(v);
    expect(desktop).toMatchObject({ Type: 'Application', Exec: 'nslab %U', Icon: 'nslab', Terminal: 'false' });
  });

  it('one polkit action, auth_admin_keep for the active session, allowing only the installed wrapper', () => {
    const policy = readFileSync('resources/polkit/org.nslab.helper.policy', 'utf8');
    expect(policy.match(/<action id="[^"]+"/g)).toEqual(['<action id="org.nslab.helper"']);
    expect(policy).toMatch(/<allow_active>auth_admin_keep<\/allow_active>/);
    expect(policy).toMatch(/<allow_any>auth_admin<\/allow_any>/);
    expect(policy).toMatch(/exec\.path">\/usr\/lib\/nslab\/nslab-helper</);
  });

  it('the wrapper, postinst and asarUnpack agree on where the helper lives', () => {
    expect(builder.asarUnpack).toEqual(expect.arrayContaining(['out/node/**', 'resources/**', 'node_modules/@lydell/**']));
    const wrapper = readFileSync('resources/polkit/nslab-helper', 'utf8');
    const postinst = readFileSync('build/linux/after-install.sh', 'utf8');
    expect(wrapper).toContain('/opt/nslab/resources/app.asar.unpacked/out/node/cli.mjs helper --stdio');
    expect(postinst).toContain('$ROOT/opt/nslab/resources/app.asar.unpacked');
    expect(postinst).toContain('/usr/lib/nslab/nslab-helper');
  });
});
