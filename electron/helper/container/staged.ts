// The container-side build steps in one staged process: a single `nsenter` into PID 1's namespaces runs
// GNU find as a sequencer — `find START -maxdepth 0 -exec A… ; -exec B… ;` visits START once and runs
// each -exec in order (argv arrays, no shell), stopping at the first that fails — so the mounts, hostname,
// links, pivot_root and old-root unmount cost one spawn instead of one each. Every step keeps the single
// `nsenter -t PID1 … -- CMD` it stands for: that is what the activity log shows and the script runs.
import { NslabError } from '../../shared/errors.js';

export interface StagedStep {
  /** What runs inside the staged process. */
  argv: string[];
  /** The single commands it stands for, each with the namespaces its own `nsenter` would join. */
  stands: { flags: string[]; argv: string[] }[];
}

/** Printed after the last step only: a step that failed stops the chain before it. */
export const STAGED_DONE = 'nslab-staged-done';

export const enterArgv = (pid1: number, flags: readonly string[]): string[] => ['nsenter', '-t', String(pid1), ...flags, '--'];

/** The namespaces the staged process joins: every step's, in nsenter's order. */
export function stagedFlags(steps: readonly StagedStep[]): string[] {
  const wanted = new Set(steps.flatMap((s) => s.stands.flatMap((c) => c.flags)));
  return ['-U', '-m', '-u', '-i', '-n', '-p', '-C'].filter((f) => wanted.has(f));
}

/** `nsenter -t PID1 FLAGS -- find START -maxdepth 0 -exec STEP ; … -printf DONE`. */
export function stagedArgv(pid1: number, start: string, steps: readonly StagedStep[]): string[] {
  for (const s of steps) {
    // find gives these words a meaning of its own inside -exec
    const bad = s.argv.find((w) => w === ';' || w.includes('{}'));
    if (bad !== undefined) throw new NslabError('invalid-params', `a container build step cannot carry ${JSON.stringify(bad)}: ${s.argv.join(' ')}`);
  }
  return [...enterArgv(pid1, stagedFlags(steps)), 'find', start, '-maxdepth', '0', ...steps.flatMap((s) => ['-exec', ...s.argv, ';']), '-printf', `${STAGED_DONE}\\n`];
}

/** The single commands of every step, in order (what a person would type instead). */
export const stagedLines = (pid1: number, steps: readonly StagedStep[]): string[][] => steps.flatMap((s) => s.stands.map((c) => [...enterArgv(pid1, c.flags), ...c.argv]));
