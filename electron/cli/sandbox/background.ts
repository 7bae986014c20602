// The background sandbox helper: `nslab helper --socket …` inside `unshare --user --map-root-user --net
// --mount`, started on demand by the first command that needs it, found again by later ones (and by
// `nslab serve`) through the ledger lock in the user's sandbox state directory, stopped by
// `nslab helper stop` or after it has had no client for a while.
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { lockPathOf } from '../../helper/core.js';
import { spawnBackground } from '../../helper/exec/background.js';
import { acquireLock, processAlive, readLock } from '../../helper/ledger/lock.js';
import { endProcessesInSandbox, userNamespaceOf } from '../../helper/sandbox-leftovers.js';
import { NslabError } from '../../shared/errors.js';

/** How long a background sandbox helper waits without a client before it stops (NSLAB_SANDBOX_IDLE_SECONDS). */
export const DEFAULT_IDLE_SECONDS = 30 * 60;
const READY_TIMEOUT_MS = 30_000;

export interface SandboxPaths {
  stateDir: string;
  socket: string;
  log: string;
  /** Held while one command starts the helper, so two commands at once start only one. */
  startLock: string;
}

/** The sandbox's own state directory: beside the host ledger's (NSLAB_STATE_DIR or $XDG_STATE_HOME/nslab). */
export function sandboxPaths(env: NodeJS.ProcessEnv = process.env): SandboxPaths {
  const base = env.NSLAB_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'nslab');
  const stateDir = join(base, 'sandbox');
  return { stateDir, socket: join(stateDir, 'helper.sock'), log: join(stateDir, 'helper.log'), startLock: join(stateDir, 'start.lock') };
}

export interface RunningSandbox {
  pid: number;
  socket: string;
}

/** The sandbox helper announced in the lock, if it is alive and answers on its socket. */
export async function runningSandbox(paths: SandboxPaths = sandboxPaths()): Promise<RunningSandbox | null> {
  const lock = readLock(lockPathOf(paths.stateDir));
  if (!lock?.socket) return null;
  return (await answers(lock.socket)) ? { pid: lock.pid, socket: lock.socket } : null;
}

/** Whether something accepts connections on the socket (the helper listens once its core is open). */
const answers = (path: string): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(path);
    socket.once('error', () => resolve(false));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
  });

function idleSeconds(env: NodeJS.ProcessEnv): number {
  const text = env.NSLAB_SANDBOX_IDLE_SECONDS;
  if (text === undefined || text === '') return DEFAULT_IDLE_SECONDS;
  if (!/^\d+$/.test(text)) throw new NslabError('invalid-params', `NSLAB_SANDBOX_IDLE_SECONDS must be a whole number of seconds (0 = never), not '${text}'`, { field: 'NSLAB_SANDBOX_IDLE_SECONDS' });
  return Number(text);
}

/** The argv that starts the sandbox helper (argv only: unshare execs node, so its pid is the helper's). */
export function sandboxHelperArgv(node: string, cli: string, socket: string, idle: number): string[] {
  return ['unshare', '--user', '--map-root-user', '--net', '--mount', '--', node, cli, 'helper', '--socket', socket, '--idle-timeout', String(idle)];
}

function makeStateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new NslabError('permission-denied', `sandbox mode keeps its state in ${dir}, which cannot be created (${(err as NodeJS.ErrnoException).code}): set XDG_STATE_HOME (or NSLAB_STATE_DIR) to a directory you can write`, { field: 'XDG_STATE_HOME' });
  }
}

const logTail = (path: string): string => {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-3).join(' / ');
  } catch {
    return '';
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The running sandbox helper, started now if there is none. */
export async function ensureSandbox(env: NodeJS.ProcessEnv = process.env, cli = realpathSync(process.argv[1] ?? '')): Promise<RunningSandbox & { started: boolean }> {
  const paths = sandboxPaths(env);
  const running = await runningSandbox(paths);
  if (running) return { ...running, started: false };
  makeStateDir(paths.stateDir);
  const idle = idleSeconds(env);
  const release = await acquireLock(paths.startLock, { pid: process.pid }, READY_TIMEOUT_MS);
  try {
    // Another command may have started it while we waited for the start lock.
    const meanwhile = await runningSandbox(paths);
    if (meanwhile) return { ...meanwhile, started: false };
    const logFd = openSync(paths.log, 'w', 0o600);
    let child;
    try {
      child = spawnBackground(sandboxHelperArgv(process.execPath, cli, paths.socket, idle), {
        logFd,
        // Inside the namespace we look like uid 0: the ledger stays in the user's own sandbox directory.
        env: { ...env, NSLAB_SANDBOX: '1', NSLAB_STATE_DIR: paths.stateDir, NSLAB_MODE: undefined },
      });
    } finally {
      closeSync(logFd);
    }
    let ended: string | null = null;
    child.exited.then(
      ({ code, signal }) => (ended = signal ? `killed by ${signal}` : `exited with code ${code}`),
      (err: Error) => (ended = err.message),
    );
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const up = await runningSandbox(paths);
      if (up?.pid === child.pid) {
        child.unref();
        return { ...up, started: true };
      }
      if (ended) break;
      await sleep(50);
    }
    child.unref();
    const why = ended ? `it ${ended}` : `it did not answer within ${READY_TIMEOUT_MS / 1000} s`;
    const said = logTail(paths.log);
    throw new NslabError(
      'permission-denied',
      `the sandbox helper could not be started: ${why}${said ? ` (${said})` : ''}. Sandbox mode needs unshare and unprivileged user namespaces (see \`nslab doctor\`); with root, \`sudo nslab …\` works in host mode`,
      { log: paths.log },
    );
  } finally {
    release();
  }
}

/**
 * Stops the running sandbox helper: SIGTERM (it closes its core, ends what still runs in its namespaces and
 * exits; the namespaces go with it), SIGKILL if it is still there after a while. Then whatever is left in
 * its user namespace is ended from here (`ended`: how many; a helper killed with SIGKILL ends nothing itself).
 * Null when none was running.
 */
export async function stopSandbox(paths: SandboxPaths = sandboxPaths(), graceMs = 10_000): Promise<{ pid: number; forced: boolean; ended: number } | null> {
  const lock = readLock(lockPathOf(paths.stateDir));
  if (!lock) return null;
  const ns = userNamespaceOf(lock.pid);
  process.kill(lock.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(lock.pid) && Date.now() < deadline) await sleep(50);
  const forced = processAlive(lock.pid);
  if (forced) {
    process.kill(lock.pid, 'SIGKILL');
    while (processAlive(lock.pid)) await sleep(50);
  }
  const ended = ns ? await endProcessesInSandbox(ns) : 0;
  return { pid: lock.pid, forced, ended };
}
