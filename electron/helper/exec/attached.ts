// Programs that are not run to completion by the helper: one sharing the caller's terminal (the CLI's
// `nslab shell|exec`), and long-lived children with no I/O that the helper kills on request.
import { spawn } from 'node:child_process';
import { NslabError } from '../../shared/errors.js';
import { exitCodeOf } from './signals.js';

/**
 * Runs a program with the caller's terminal (stdin/stdout/stderr inherited) and resolves with its exit
 * code, 128+n for a signal, like a shell does.
 */
export function runAttached(argv: readonly string[]): Promise<number> {
  const [program, ...args] = argv;
  if (!program) return Promise.reject(new NslabError('internal', 'empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: 'inherit' });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new NslabError('tool-missing', `${program} is not installed`, { tool: program }) : e),
    );
    child.on('close', (code, signal) => {
      resolve(exitCodeOf(code, signal));
    });
  });
}

export interface TrackedProcess {
  pid: number;
  kill(): void;
  exited: Promise<void>;
}

/** A long-lived helper child with no I/O (e.g. a process parked in a namespace), killed on request. */
export function spawnTracked(argv: readonly string[]): TrackedProcess {
  const [program, ...args] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  const child = spawn(program, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => {
    child.on('error', () => resolve());
    child.on('exit', () => resolve());
  });
  return { pid: child.pid ?? -1, kill: () => void child.kill('SIGKILL'), exited };
}
