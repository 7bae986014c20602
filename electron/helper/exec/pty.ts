// Programs on a pseudo-terminal (node-pty), with the tail guard that keeps their last output (tail-guard.ts).
import nodePty, { type IPty } from '@lydell/node-pty';
import { NslabError } from '../../shared/errors.js';
import { guardTail } from './tail-guard.js';

export interface PtyOptions {
  cols: number;
  rows: number;
  env: Record<string, string>;
  cwd: string;
}

/** Starts a program on a new pseudo-terminal (raw bytes; the caller decodes), keeping its last output. */
export function spawnPty(argv: readonly string[], opts: PtyOptions): IPty {
  const [program, ...args] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  let proc: IPty;
  try {
    proc = nodePty.spawn(program, args, { name: opts.env.TERM ?? 'xterm-256color', cols: opts.cols, rows: opts.rows, cwd: opts.cwd, env: opts.env, encoding: null });
  } catch (err) {
    throw new NslabError('tool-missing', `cannot start ${program}: ${(err as Error).message}`, { tool: program });
  }
  guardTail(proc);
  return proc;
}
