// A container's long-lived processes (electron/helper/container/): started behind a start gate, their
// output captured or logged, their start reported as activity.
import { spawn } from 'node:child_process';
import { NslabError } from '../../shared/errors.js';
import { shellLine } from '../../shared/shell.js';
import { reportActivity } from './run.js';

export interface GatedProcess {
  pid: number;
  /** How it ended (exit code, or the signal that killed it). */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** What it printed so far, when its output is captured (capped). */
  output(): { stdout: string; stderr: string };
  /** Lets the helper exit while the process runs on. */
  unref(): void;
}

const CAPTURE_MAX_BYTES = 1024 * 1024;

/**
 * Starts a long-lived argv whose first program is `flock GATE …`: it blocks until the caller opens the gate
 * FIFO for writing, so the caller can move it into a cgroup and build its namespaces before anything of
 * the container's runs. Output is captured (capped) or written to a log file; `fds` are passed on as fd 3….
 */
export function spawnGated(argv: readonly string[], opts: { logFd?: number; fds?: number[]; detached?: boolean; shell?: string[]; env?: Record<string, string> } = {}): GatedProcess {
  const [program, ...args] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  const out = opts.logFd ?? 'pipe';
  const child = spawn(program, args, { stdio: ['ignore', out, out, ...(opts.fds ?? [])], detached: opts.detached ?? false, env: opts.env ?? { ...process.env, LC_ALL: 'C' } });
  const captured = { stdout: '', stderr: '' };
  const keep = (key: 'stdout' | 'stderr') => (d: Buffer): void => {
    if (captured[key].length < CAPTURE_MAX_BYTES) captured[key] += d.toString('utf8').slice(0, CAPTURE_MAX_BYTES - captured[key].length);
  };
  child.stdout?.on('data', keep('stdout'));
  child.stderr?.on('data', keep('stderr'));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new NslabError('tool-missing', `${program} is not installed`, { tool: program }) : e));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  reportActivity({ at: new Date().toISOString(), argv: [...argv], shell: opts.shell ?? [`${shellLine(argv)} &`], ok: true, ms: 0 });
  return {
    pid: child.pid ?? -1,
    exited,
    output: () => ({ ...captured }),
    unref: () => {
      child.unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}
