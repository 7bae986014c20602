// The packaged app, built here without internet: electron-builder's dir target against a stub Electron
// (scripts/electron-stub.mjs), then the .deb assembled from it offline (scripts/deb-offline.mjs), inspected
// with dpkg-deb and installed into and removed from a throwaway root with dpkg --root. Needs `npm run build`.
// Touches no kernel object; it writes only under a fresh temporary directory.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helperCli } from '../../electron/main/app-paths.js';
// @ts-expect-error plain ES module script without types
import { FUSE_SENTINEL, writeElectronStub } from '../../scripts/electron-stub.mjs';
// @ts-expect-error plain ES module script without types
import { assembleDeb } from '../../scripts/deb-offline.mjs';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(p: string, o: { isPack: boolean }): string[]; extractFile(p: string, f: string): Buffer; getRawHeader(p: string): { header: AsarDir } };
interface AsarDir { files: Record<string, AsarDir & { unpacked?: boolean; size?: number }> }

const work = mkdtempSync(join(tmpdir(), 'nslab-package-'));
const appOut = join(work, 'dist', 'linux-unpacked');
const appAsar = join(appOut, 'resources', 'app.asar');
const unpacked = join(appOut, 'resources', 'app.asar.unpacked');
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  if (!existsSync('out/node/cli.mjs') || !existsSync('out/renderer/index.html')) throw new Error('run npm run build first');
  writeElectronStub(join(work, 'electron'));
  execFileSync('node', ['node_modules/electron-builder/cli.js', '--linux', 'dir', `-c.electronDist=${join(work, 'electron')}`, `-c.directories.output=${join(work, 'dist')}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run dist:dir (stub Electron)', () => {
  it('puts main, preload and the renderer in app.asar, with package.json naming main', () => {
    const files = new Set(asar.listPackage(appAsar, { isPack: false }).map((f) => f.replaceAll('\\', '/')));
    for (const f of ['/package.json', '/out/main/index.cjs', '/out/preload/index.cjs', '/out/renderer/index.html']) expect(files, f).toContain(f);
    expect([...files].some((f) => f.startsWith('/out/renderer/assets/') && f.endsWith('.js'))).toBe(true);
    expect([...files].some((f) => f.endsWith('.map'))).toBe(false);
    const pkg = JSON.parse(asar.extractFile(appAsar, 'package.json').toString()) as { main: string };
    expect(pkg.main).toBe('out/main/index.cjs');
    // only what the bundles leave external ships as node_modules
    const modules = new Set(
      [...files]
        .filter((f) => f.startsWith('/node_modules/'))
        .map((f) => f.split('/').slice(2, f.startsWith('/node_modules/@') ? 4 : 3).join('/'))
        .filter((m) => !/^@[^/]+$/.test(m)), // the scope folder itself
    );
    expect(modules.has('@lydell/node-pty')).toBe(true);
    for (const m of modules) expect(['@lydell/node-pty', '@lydell/node-pty-linux-x64', 'ws'], m).toContain(m);
  });

  it('marks the helper, node-pty, ws and the resources unpacked, and they are on disk where the launcher looks', () => {
    const header = asar.getRawHeader(appAsar).header;
    const entry = (path: string) => path.split('/').reduce<AsarDir & { unpacked?: boolean }>((d, part) => d.files[part]!, header);
    for (const p of ['out/node/cli.mjs', 'out/node/launcher.mjs', 'out/node/spawner.mjs', 'resources/polkit/nslab-helper', 'node_modules/@lydell/node-pty/package.json'])
      expect(entry(p).unpacked, p).toBe(true);
    expect(entry('out/main/index.cjs').unpacked).toBeUndefined();
    expect(helperCli(appAsar)).toBe(join(unpacked, 'out', 'node', 'cli.mjs'));
    for (const p of ['out/node/cli.mjs', 'out/node/launcher.mjs', 'out/node/spawner.mjs', 'out/node/probe.mjs', 'resources/topologies/red-blue.yaml', 'resources/labs/netns-veth.yaml', 'resources/polkit/org.nslab.helper.policy'])
      expect(existsSync(join(unpacked, p)), p).toBe(true);
    // the polkit wrapper runs the helper from the same place, under /opt/nslab
    expect(readFileSync(join(unpacked, 'resources/polkit/nslab-helper'), 'utf8')).toContain('/opt/nslab/resources/app.asar.unpacked/out/node/cli.mjs helper --stdio');
  });

  it('lets plain Node run the helper bundle and load the native node-pty from the unpacked tree', () => {
    const cli = helperCli(appAsar);
    expect(run('node', [cli, '--version']).trim()).toMatch(/\d+\.\d+\.\d+/);
    const probe = `const r = require('node:module').createRequire(${JSON.stringify(cli)}); const p = r.resolve('@lydell/node-pty'); const pty = r('@lydell/node-pty');
      const t = pty.spawn('/bin/echo', ['nslab-pty-ok'], {}); let out = ''; t.onData((d) => (out += d)); t.onExit(() => { console.log(p + '\\n' + out.trim()); });`;
    const [where, echoed] = run('node', ['-e', probe]).trim().split('\n');
    expect(where?.startsWith(unpacked)).toBe(true);
    expect(echoed).toBe('nslab-pty-ok');
    const native = run('find', [join(unpacked, 'node_modules', '@lydell'), '-name', '*.node']).trim().split('\n');
    expect(native.some((f) => f.endsWith('pty.node'))).toBe(true);
  });

  it('flips the fuses electron-builder.yml asks for in the executable', () => {
    const exe = readFileSync(join(appOut, 'nslab'));
    const at = exe.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    expect(exe[at]).toBe(1);
    const wire = exe.subarray(at + 2, at + 2 + exe[at + 1]!).toString();
    const order = ['runAsNode', 'enableCookieEncryption', 'enableNodeOptionsEnvironmentVariable', 'enableNodeCliInspectArguments', 'enableEmbeddedAsarIntegrityValidation', 'onlyLoadAppFromAsar', 'loadBrowserProcessSpecificV8Snapshot', 'grantFileProtocolExtraPrivileges'];
    const want = (parse(readFileSync('electron-builder.yml', 'utf8')) as { electronFuses: Record<string, boolean> }).electronFuses;
    order.forEach((name, i) => {
      if (name in want) expect(wire[i], name).toBe(want[name] ? '1' : '0');
    });
    // runAsNode, cookie encryption, node options, inspect, asar integrity (stub default), asar only, v8 snapshot, file://
    expect(wire.slice(0, 8)).toBe('11000100');
  });
});

describe('the offline .deb', () => {
  let deb = '';
  const root = join(work, 'root');
  const dpkg = (...args: string[]) => run('dpkg', [`--root=${root}`, '--force-script-chrootless', ...args]);
  beforeAll(() => {
    deb = assembleDeb({ app: appOut, out: join(work, 'dist') }) as string;
  }, 300_000);

  it('has control fields and the tools it needs as dependencies (dpkg-deb -I)', () => {
    const info = run('dpkg-deb', ['-I', deb]);
    expect(info).toMatch(/Package: nslab/);
    expect(info).toMatch(/Architecture: amd64/);
    expect(info).toMatch(/Depends: iproute2, iptables, nftables, conntrack, util-linux, pkexec \| policykit-1/);
    for (const s of ['postinst', 'prerm', 'postrm']) expect(info, s).toMatch(new RegExp(`\\s${s}\\s`));
  });

  it('lays out /opt/nslab, the desktop file and every icon size (dpkg-deb -c)', () => {
    const files = run('dpkg-deb', ['-c', deb]);
    for (const p of ['./opt/nslab/nslab', './opt/nslab/resources/app.asar', './opt/nslab/resources/app.asar.unpacked/out/node/cli.mjs', './usr/share/applications/nslab.desktop'])
      expect(files, p).toContain(p);
    for (const n of [16, 24, 32, 48, 64, 128, 256, 512]) expect(files).toContain(`./usr/share/icons/hicolor/${n}x${n}/apps/nslab.png`);
    expect(files).toMatch(/root\/root/);
    expect(files).not.toMatch(/^\S+ (?!root\/root)/m);
  });

  it('installs into a throwaway root: postinst puts the polkit action and its program in place', () => {
    for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(root, 'var/lib/dpkg', d), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), '');
    writeFileSync(join(root, 'var/lib/dpkg/available'), '');
    dpkg('--force-depends', '-i', deb);
    expect(dpkg('-s', 'nslab')).toMatch(/Status: install ok installed/);
    const wrapper = statSync(join(root, 'usr/lib/nslab/nslab-helper'));
    expect(wrapper.mode & 0o7777).toBe(0o755);
    expect(wrapper.uid).toBe(0);
    const policy = readFileSync(join(root, 'usr/share/polkit-1/actions/org.nslab.helper.policy'), 'utf8');
    expect(policy.match(/<action id=/g)).toHaveLength(1);
    expect(policy).toContain('<allow_active>auth_admin_keep</allow_active>');
    expect(policy).toContain('<annotate key="org.freedesktop.policykit.exec.path">/usr/lib/nslab/nslab-helper</annotate>');
    expect(readlinkSync(join(root, 'usr/bin/nslab'))).toBe('/opt/nslab/nslab');
    expect(statSync(join(root, 'opt/nslab/chrome-sandbox')).mode & 0o7777).toBe(0o755); // user namespaces work here
    expect(readFileSync(join(root, 'usr/share/applications/nslab.desktop'), 'utf8')).toMatch(/^Exec=nslab %U$/m);
    // nothing outside the root was written
    expect(existsSync('/usr/lib/nslab/nslab-helper') && lstatSync('/usr/lib/nslab/nslab-helper').mtimeMs > Date.now() - 60_000).toBe(false);
  });

  it('removes cleanly: prerm withdraws the action, postrm the link and directory, dpkg the files', () => {
    dpkg('--purge', 'nslab');
    for (const p of ['usr/lib/nslab', 'usr/share/polkit-1/actions/org.nslab.helper.policy', 'usr/bin/nslab', 'opt/nslab', 'usr/share/applications/nslab.desktop'])
      expect(existsSync(join(root, p)), p).toBe(false);
    expect(run('dpkg', [`--root=${root}`, '-l'])).not.toMatch(/nslab/);
  });
});
