// The last lines of an exported script: they hand what the script built to nslab (`nslab adopt`), so the
// ledger records it and Delete, `nslab gc` and the labs treat it as nslab's own. Without nslab on PATH the
// script still runs and says how to adopt by hand.
import { isMarked } from './names.js';
import { shellLine } from './shell.js';

export function adoptLines(names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const adopt = shellLine(['nslab', 'adopt', ...names]);
  return [
    '',
    '# --- let nslab own what this script built (so Delete and `nslab gc` remove it)',
    `if command -v nslab >/dev/null 2>&1; then ${adopt}; else echo ${shellLine([`nslab is not on PATH: run \`${adopt}\` to let nslab manage what this script built`])} >&2; fi`,
  ];
}

/**
 * The marked namespaces and root-namespace links a command sequence (as typed words) leaves behind: made
 * and not deleted again, in the order they were made.
 */
export function createdObjects(argvs: readonly (readonly string[])[]): string[] {
  const live = new Set<string>();
  for (const argv of argvs) {
    if (argv[0] !== 'ip') continue;
    const [object, verb, name] = argv.slice(1);
    if ((object === 'netns' || object === 'link') && name !== undefined && isMarked(name)) {
      if (verb === 'add') live.add(name);
      else if (verb === 'del' || verb === 'delete') live.delete(name);
    }
  }
  return [...live];
}
