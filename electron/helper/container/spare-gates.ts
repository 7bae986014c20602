// Start gates made ahead: while one container runs, FIFO pairs for the next are made (one `mkfifo` under
// <state>/gates, off any build's path), and a build moves a ready pair into its own directory (a rename)
// instead of waiting for a spawn. The pair is a plain file in nslab's state, not a kernel object: a helper
// killed at any point leaves at most its spare pairs, which the next helper's first build clears.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../shared/shell.js';
import { reportActivity, run } from '../exec/run.js';

interface Spares {
  ready: string[];
  making: boolean;
}
const byState = new Map<string, Spares>();

const sparesDir = (stateDir: string): string => join(stateDir, 'gates');
const mkfifoArgv = (...fifos: string[]): string[] => ['mkfifo', '-m', '0666', ...fifos];

/** Pairs kept ready: builds back to back each find one while the `mkfifo` of the next is still running. */
const STOCK = 2;

/**
 * Makes spare pairs up to the stock in the background (one `mkfifo`), once a build is done (not reported
 * as a change: the build that takes a pair reports the mkfifo that stands for it).
 */
export function prepareGates(stateDir: string): void {
  const spares = byState.get(stateDir);
  if (!spares || spares.making || spares.ready.length >= STOCK) return;
  spares.making = true;
  const ids = Array.from({ length: STOCK - spares.ready.length }, () => randomBytes(6).toString('hex'));
  const dir = sparesDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  run(mkfifoArgv(...ids.flatMap((id) => [join(dir, `${id}-start`), join(dir, `${id}-run`)])))
    .then(() => void spares.ready.push(...ids))
    .catch(() => undefined) // the next build makes its own
    .finally(() => (spares.making = false));
}

/**
 * Puts the FIFOs `start` and `run` in place: a spare pair moved in when one is ready, else one `mkfifo`.
 * Either way the activity log shows the `mkfifo` that makes the same pair.
 */
export async function placeGates(stateDir: string, start: string, runGate: string): Promise<void> {
  let spares = byState.get(stateDir);
  if (!spares) {
    rmSync(sparesDir(stateDir), { recursive: true, force: true }); // a previous helper's, possibly half-made
    spares = { ready: [], making: false };
    byState.set(stateDir, spares);
  }
  const id = spares.ready.shift();
  let moved = false;
  if (id !== undefined) {
    const started = performance.now();
    try {
      renameSync(join(sparesDir(stateDir), `${id}-start`), start);
      renameSync(join(sparesDir(stateDir), `${id}-run`), runGate);
      moved = true;
      const shell = `${mkfifoArgv(start, runGate).map(shellQuote).join(' ')}   # made ahead, moved in`;
      reportActivity({ at: new Date().toISOString(), argv: mkfifoArgv(start, runGate), shell: [shell], ok: true, ms: Math.round((performance.now() - started) * 10) / 10 });
    } catch {
      rmSync(start, { force: true }); // a pair someone removed: make a fresh one
    }
  }
  if (!moved) await run(mkfifoArgv(start, runGate), { change: true });
}
