#!/usr/bin/env node
// `npm start`: install what is missing, build, check the machine, then open the Electron window where an
// Electron binary and a display exist (never as root), or else browser mode (`nslab serve`) and its URL.
//   npm start -- --browser        browser mode even where Electron could run
//   npm start -- --port 8080      browser mode on this port (default: a free one)
//   npm run setup                 (= --setup) install, build and check, without starting anything
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NSLAB = join(ROOT, 'bin', 'nslab.mjs');
const say = (line) => process.stdout.write(`nslab: ${line}\n`);
const warn = (line) => process.stderr.write(`nslab: ${line}\n`);

function parseArgs(argv) {
  const opts = { browser: false, port: '0', setup: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--browser') opts.browser = true;
    else if (argv[i] === '--setup') opts.setup = true;
    else if (argv[i] === '--port' && /^\d+$/.test(argv[i + 1] ?? '')) opts.port = argv[++i];
    else {
      warn(`unknown option ${argv[i]} (use --browser, --port N, --setup)`);
      process.exit(2);
    }
  }
  return opts;
}

/** argv only, output shown to the user; returns the exit status. */
function run(command, args, env = {}) {
  const r = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) warn(`${command}: ${r.error.message}`);
  return r.status ?? 1;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    warn(`Node.js ${process.versions.node} is too old: nslab needs >= 20.19 (https://nodejs.org or apt-get install nodejs from NodeSource)`);
    process.exit(1);
  }
}

/** Every package package.json names is in node_modules (a pull may have added one since the last install). */
function installed() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  return names.every((n) => existsSync(join(ROOT, 'node_modules', n, 'package.json')));
}

/** Why there is no Electron binary, for the message that starts browser mode instead. */
let electronMissing = 'its binary is not installed';

function install() {
  if (installed()) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = existsSync(join(ROOT, 'package-lock.json')) ? ['ci'] : ['install'];
  say(`installing dependencies (npm ${args[0]})…`);
  // The Electron binary is fetched separately (below), so that a failed download (offline, proxy) is one
  // clear line instead of a stack trace in the middle of npm's output — and never fails the install.
  if (run(npm, args, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }) !== 0) {
    warn('npm could not install the dependencies; see the messages above');
    process.exit(1);
  }
}

/**
 * Downloads the Electron binary when the window could be shown (a display, not root) and it is missing —
 * newer npm versions skip dependencies' install scripts, older ones were told to above. Output is kept
 * quiet; a failure is reported in one line with how to retry.
 */
function fetchElectron() {
  if (electronBinary()) return;
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return void (electronMissing = 'ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it was not downloaded');
  if (!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) || process.getuid?.() === 0) return;
  const script = join(ROOT, 'node_modules', 'electron', 'install.js');
  if (!existsSync(script)) return;
  say('downloading the Electron binary…');
  const r = spawnSync(process.execPath, [script], { cwd: join(ROOT, 'node_modules', 'electron'), encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0 && electronBinary()) return;
  const why = `${r.stderr ?? ''}\n${r.error?.message ?? ''}`.split('\n').map((l) => l.trim()).find((l) => /error|fail|ENOTFOUND|ECONN|timed? ?out/i.test(l)) ?? 'no reason given';
  electronMissing = `its download failed (${why.slice(0, 160)}); retry with: node node_modules/electron/install.js`;
  warn(`could not download the Electron binary: ${why.slice(0, 160)}`);
}

function build() {
  say('building…');
  if (run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')]) !== 0) {
    warn('the build failed; see the messages above');
    process.exit(1);
  }
}

/** What `nslab doctor` finds missing; as root on Debian/Ubuntu the missing packages are installed. */
function doctor(again = true) {
  const r = spawnSync(process.execPath, [NSLAB, 'doctor', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    warn(`nslab doctor did not answer (${(r.stderr || r.error?.message || '').trim()}); continuing`);
    return;
  }
  if (report.error) return warn(`nslab doctor: ${report.error.code}: ${report.error.message}`);
  const missing = (report.checks ?? []).filter((c) => c.status !== 'ok' && (c.status === 'missing' || c.id.startsWith('tool.')));
  const packages = new Set();
  for (const c of missing) {
    warn(`missing: ${c.title}${c.reason ? ` — ${c.reason}` : ''}${c.fix ? ` (fix: ${c.fix})` : ''}`);
    const m = /^apt-get install (.+)$/.exec(c.fix ?? '');
    if (m) m[1].split(/\s+/).forEach((p) => packages.add(p));
  }
  if (packages.size === 0) return;
  const list = [...packages];
  if (again && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    say(`installing missing system packages: ${list.join(' ')}`);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['install', '-y', '--no-install-recommends', ...list], env) !== 0) {
      run('apt-get', ['update'], env); // a fresh machine has no package lists yet
      run('apt-get', ['install', '-y', '--no-install-recommends', ...list], env);
    }
    return doctor(false);
  }
  warn(`install the missing system packages with: sudo apt-get install -y ${list.join(' ')}`);
}

/** The Electron binary's path, if the npm package downloaded it. */
function electronBinary() {
  try {
    const path = createRequire(join(ROOT, 'package.json'))('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function forward(child) {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

function browserMode(port, why) {
  if (why) say(why);
  if (process.getuid?.() !== 0) warn('kernel changes need root: for a working lab run `sudo npm start` (browser mode) or use the Electron app, which asks through pkexec');
  forward(spawn(process.execPath, [NSLAB, 'serve', '--port', port], { cwd: ROOT, stdio: 'inherit' }));
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  checkNode();
  install();
  fetchElectron();
  build();
  doctor();
  if (opts.setup) return say('set up: `npx nslab …` and `npm test` are ready');
  if (opts.browser || opts.port !== '0') return browserMode(opts.port, 'browser mode, as asked');
  const electron = electronBinary();
  const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
  if (!electron) return browserMode(opts.port, `no Electron window: ${electronMissing}. Starting browser mode`);
  if (!display) return browserMode(opts.port, 'no display ($DISPLAY / $WAYLAND_DISPLAY unset): starting browser mode');
  if (process.getuid?.() === 0) {
    // Chromium must not run as root, and a root helper's socket is not the desktop user's to open.
    const user = process.env.SUDO_USER ? ` Run \`npm start\` as ${process.env.SUDO_USER} instead: the app asks for root through pkexec.` : '';
    return browserMode(opts.port, `never running the Electron window as root: starting browser mode.${user}`);
  }
  say('opening the nslab window…');
  // The helper is started by the app with this same Node (its native modules are built for it).
  forward(spawn(electron, [ROOT], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NSLAB_NODE: process.execPath } }));
}

main();
