// Where a program is on PATH, as exec would find it: for doctor (asked afresh each time, since a learner may
// install a package while nslab runs) and for the helper's own choices of program (perl), which ask often.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The program's path on PATH (and the sbin directories root's PATH may lack), or null. */
export function onPath(program: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(delimiter), '/usr/sbin', '/sbin'].filter(Boolean)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const found = new Set<string>();

/**
 * Whether the program is installed, remembered once it was found (a program is rarely removed while the
 * helper runs, and a run of a removed one still fails with `tool-missing`); a miss is asked again next time,
 * so installing the package is noticed without a restart.
 */
export function hasProgram(program: string): boolean {
  if (found.has(program)) return true;
  if (onPath(program) === null) return false;
  found.add(program);
  return true;
}
