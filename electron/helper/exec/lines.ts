// Long-running readers whose output is consumed line by line (nft monitor trace, conntrack -E).
import { spawn } from 'node:child_process';
import { NslabError } from '../../shared/errors.js';
import { awaitedLater } from '../concurrency.js';
import { shellLine } from '../../shared/shell.js';

export interface LineStream {
  pid: number;
  /** The line a person would type to run the same listener. */
  shell: string;
  /** Ends the program (SIGTERM); `exited` settles once it has. */
  stop(): void;
  exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

/**
 * A long-running reader (`nft monitor trace`, `conntrack -E`): stdout is handed over line by line as it
 * arrives (UTF-8 safe), stderr lines too (listeners report losses there), until it exits or is stopped.
 * It runs under `setpriv --pdeathsig KILL` (the setting survives the exec into `ip netns exec` and the
 * program), so a listener never outlives an nslab that was killed with -9.
 */
export function spawnLines(argv: readonly string[], onLine: (line: string) => void, onStderrLine?: (line: string) => void): LineStream {
  const [program] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  const split = (each: (line: string) => void): ((chunk: string) => void) => {
    let rest = '';
    return (chunk) => {
      rest += chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) !== -1) {
        each(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    };
  };
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', split(onLine));
  child.stderr.setEncoding('utf8').on('data', split((line) => {
    if (stderr.length < 64 * 1024) stderr += `${line}\n`;
    onStderrLine?.(line);
  }));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new NslabError('tool-missing', 'setpriv (util-linux) is not installed', { tool: 'setpriv' }) : new NslabError('internal', e.message)),
    );
    child.on('close', (code, signal) => {
      // setpriv exits 127 when it cannot run the program
      if (code === 127 && /No such file|cannot execute|failed to execute/i.test(stderr)) reject(new NslabError('tool-missing', `${program} is not installed`, { tool: program }));
      else resolve({ code, signal, stderr });
    });
  });
  return { pid: child.pid ?? -1, shell: shellLine(argv), stop: () => void child.kill('SIGTERM'), exited: awaitedLater(exited) };
}
