// A program that outlives the process starting it: the CLI's background sandbox helper. Detached (its own
// session, so the terminal's Ctrl-C does not reach it), stdin closed, stdout/stderr into a log file.
import { spawn } from 'node:child_process';
import { NslabError } from '../../shared/errors.js';
import { awaitedLater } from '../concurrency.js';

export interface BackgroundProcess {
  pid: number;
  /** Settles when it ends (while the caller still watches it). */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Stop watching: the caller may exit while the process runs on. */
  unref(): void;
}

export function spawnBackground(argv: readonly string[], opts: { env: Record<string, string | undefined>; logFd: number; cwd?: string }): BackgroundProcess {
  const [program, ...args] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  const child = spawn(program, args, { stdio: ['ignore', opts.logFd, opts.logFd], detached: true, env: opts.env as NodeJS.ProcessEnv, cwd: opts.cwd ?? '/' });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new NslabError('tool-missing', `${program} is not installed`, { tool: program }) : e));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  // the caller may stop watching before it ends
  return { pid: child.pid ?? -1, exited: awaitedLater(exited), unref: () => child.unref() };
}
