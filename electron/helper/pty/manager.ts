// The helper's terminals: who owns which, what each runs, and their end when their client goes away.
import { accessSync, constants, existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { cgroupPath } from '../../shared/cgroup/names.js';
import type { ParsedParams, PtyInfo, PtyTarget } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { cgroupDriverFor } from '../cgroup/service.js';
import { launcherArgv } from '../exec/cgroup-launcher.js';
import { containerEnv } from '../container/build.js';
import { containerCgroup } from '../container/names.js';
import { enterArgv, isRunning, mustLoad } from '../container/lifecycle.js';
import { spawnPty } from '../exec/pty.js';
import { listNetns } from '../net/snapshot.js';
import type { ClientHandle } from '../rpc/dispatcher.js';
import { initialGraceMs, storeGraceMs } from './grace.js';
import { SCROLLBACK_CHARS } from './scrollback.js';
import { PtySession, clampSize } from './session.js';

/** A finished terminal stays attachable this long (its scrollback), then is forgotten. */
const KEEP_EXITED_MS = 10 * 60_000;

function loginShell(): string {
  try {
    const shell = userInfo().shell;
    if (shell && existsSync(shell)) return shell;
  } catch {
    // no passwd entry
  }
  return '/bin/sh';
}

/**
 * The shell's home (and first working directory): the helper user's own, when the shell may enter it. In
 * sandbox mode the helper is uid 0 of a user namespace, which passwd calls root, but /root belongs to the
 * real root, not mapped there: the shell could not start in it. Then the caller's $HOME, else /.
 */
function homeDir(): string {
  for (const dir of [userInfo().homedir, process.env.HOME]) {
    try {
      if (dir) {
        accessSync(dir, constants.X_OK);
        return dir;
      }
    } catch {
      // not ours to enter: the next one
    }
  }
  return '/';
}

/** A clean environment: nothing of the helper's own leaks into a user's shell. */
function shellEnv(shell: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    LANG: process.env.LANG && /UTF-8/i.test(process.env.LANG) ? process.env.LANG : 'C.UTF-8',
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: homeDir(),
    SHELL: shell,
    ...extra,
  };
}

async function commandFor(ctx: HelperContext, target: PtyTarget): Promise<{ argv: string[]; title: string; env: Record<string, string> }> {
  const shell = loginShell();
  switch (target.kind) {
    case 'host':
      if (ctx.mode !== 'host') throw new NslabError('permission-denied', 'a host shell is available in host mode only', { field: 'target.kind' });
      return { argv: [shell, '-l'], title: 'host', env: shellEnv(shell) };
    case 'node': {
      const netns = netnsOf(target.node);
      if (!(await listNetns()).includes(netns)) throw new NslabError('not-found', `node ${target.node} has no namespace (${netns})`, { field: 'target.node' });
      return { argv: ['ip', 'netns', 'exec', netns, shell], title: target.node, env: shellEnv(shell, { NSLAB_NODE: target.node }) };
    }
    case 'pid':
      if (!existsSync(`/proc/${target.pid}`)) throw new NslabError('not-found', `no process ${target.pid}`, { field: 'target.pid' });
      // The process's own filesystem may not have our shell: /bin/sh is the one every image has.
      return { argv: ['nsenter', '--target', String(target.pid), '--all', '/bin/sh'], title: `pid ${target.pid}`, env: shellEnv('/bin/sh') };
    case 'container':
      return containerShell(ctx, target.name, target.argv ?? ['/bin/sh']);
  }
}

/**
 * A shell in a running container, as `container.exec` runs a program: its namespaces, its capability
 * bounding set and no_new_privs, and (through the cgroup launcher) its cgroup, so the shell is limited,
 * counted and killed with the container.
 */
function containerShell(ctx: HelperContext, name: string, argv: string[]): { argv: string[]; title: string; env: Record<string, string> } {
  const r = mustLoad(ctx, name);
  if (!isRunning(r)) throw new NslabError('busy', `container ${name} is not running: nothing to open a shell in (nslab container ls)`, { field: 'target.name' });
  const driver = cgroupDriverFor(ctx);
  if (!driver) throw new NslabError('unsupported-kernel', 'no cgroup hierarchy is mounted', { field: 'target.name' });
  return {
    argv: launcherArgv({ dirs: driver.backend.dirs(containerCgroup(name)), argv: enterArgv(r, argv) }),
    title: `container ${name}`,
    env: { ...containerEnv(r.hostname), TERM: 'xterm-256color', NSLAB_CONTAINER: name },
  };
}

/**
 * The same command started through the cgroup launcher: the launcher joins nslab/<name> in every hierarchy,
 * forks the program (which so starts inside the group), then steps back out itself. It stays the pty's
 * session leader and exits with the program's code.
 */
function inCgroup(ctx: HelperContext, name: string, cmd: { argv: string[]; title: string; env: Record<string, string> }): { argv: string[]; title: string; env: Record<string, string> } {
  if (ctx.mode !== 'host' || process.getuid?.() !== 0) throw new NslabError('permission-denied', 'a terminal in a cgroup needs the host helper (root); cgroups are read-only here', { field: 'cgroup' });
  const driver = cgroupDriverFor(ctx);
  if (!driver) throw new NslabError('unsupported-kernel', 'no cgroup hierarchy is mounted', { field: 'cgroup' });
  if (!driver.backend.exists(name)) throw new NslabError('not-found', `cgroup ${cgroupPath(name)} does not exist`, { field: 'cgroup' });
  return {
    argv: launcherArgv({ dirs: driver.backend.dirs(name), argv: cmd.argv }),
    title: `${cmd.title} · ${cgroupPath(name)}`,
    env: { ...cmd.env, NSLAB_CGROUP: cgroupPath(name) },
  };
}

export class PtyManager {
  private readonly sessions = new Map<string, PtySession>();
  private readonly clients = new Map<string, ClientHandle>();
  private nextId = 1;
  /**
   * When its last client goes away, a terminal that is not detached waits this long for one to come back
   * (a reloaded window, a reopened tab, another tab's Running shells list) before it is hung up.
   */
  private graceMs: number;

  constructor(private readonly ctx: HelperContext) {
    this.graceMs = initialGraceMs(ctx.stateDir);
  }

  /** Reads or changes the grace; a change applies to the terminals already waiting too, and is remembered. */
  config(graceMs?: number): { graceMs: number; scrollbackChars: number } {
    if (graceMs !== undefined && graceMs !== this.graceMs) {
      const old = this.graceMs;
      this.graceMs = graceMs;
      storeGraceMs(this.ctx.stateDir, graceMs);
      for (const s of this.sessions.values()) s.regrace(old, graceMs);
    }
    return { graceMs: this.graceMs, scrollbackChars: SCROLLBACK_CHARS };
  }

  async open(p: ParsedParams<'pty.open'>, client: ClientHandle): Promise<PtyInfo> {
    const plain = await commandFor(this.ctx, p.target);
    const { argv, title, env } = p.cgroup === undefined ? plain : inCgroup(this.ctx, p.cgroup, plain);
    const size = clampSize(p.cols, p.rows);
    const proc = spawnPty(argv, { ...size, env, cwd: env.HOME ?? homeDir() });
    const id = `t${this.nextId++}`;
    const session = new PtySession(id, p.target, title, argv.join(' '), proc, client.id, size, {
      data: (sid, data) => this.ownerOf(sid)?.notify('pty.data', { id: sid, data }),
      exit: (sid, exit) => {
        this.ownerOf(sid)?.notify('pty.exit', { id: sid, ...exit });
        setTimeout(() => this.sessions.delete(sid), KEEP_EXITED_MS).unref();
      },
    });
    this.sessions.set(id, session);
    this.adopt(client);
    return session.info();
  }

  get(id: string): PtySession {
    const session = this.sessions.get(id);
    if (!session) throw new NslabError('not-found', `no terminal ${id}`, { field: 'id' });
    return session;
  }

  /** Only the owner types, resizes, acknowledges or kills; others attach first. */
  owned(id: string, client: ClientHandle): PtySession {
    const session = this.get(id);
    if (session.owner !== client.id) throw new NslabError('permission-denied', `terminal ${id} belongs to another client; attach to it first`, { field: 'id' });
    return session;
  }

  /** The client becomes the owner; the scrollback reaches it as pty.data before any new output. */
  attach(id: string, client: ClientHandle): PtyInfo & { replayChars: number } {
    const session = this.get(id);
    this.adopt(client);
    const replayChars = session.takeOver(client.id);
    return { ...session.info(), replayChars };
  }

  list(): PtyInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  killAll(): void {
    for (const s of this.sessions.values()) s.kill('SIGHUP');
  }

  private ownerOf(id: string): ClientHandle | undefined {
    const owner = this.sessions.get(id)?.owner;
    return owner ? this.clients.get(owner) : undefined;
  }

  /** When a client goes, its terminals go with it unless detached (those wait for a new owner). */
  private adopt(client: ClientHandle): void {
    if (this.clients.has(client.id)) return;
    this.clients.set(client.id, client);
    client.onClose(() => {
      this.clients.delete(client.id);
      for (const s of this.sessions.values()) {
        if (s.owner !== client.id) continue;
        s.owner = null;
        if (!s.detached) s.hangupAfter(this.graceMs);
      }
    });
  }
}
