// What a stopping sandbox helper would otherwise leave: processes still inside its user namespace — a
// program `nslab exec` started in a node, a lab's server, a dockernet's proxy. Each keeps its network (and
// mount) namespaces alive where no nslab command can reach them any more. The helper ends them as it stops,
// and `nslab helper stop` does once more after it is gone (a helper killed with SIGKILL cleans nothing).
import { readdirSync, readlinkSync } from 'node:fs';
import { inUserNamespace } from './sandbox.js';

/** The user namespace of a process (`user:[4026531837]`), null when it is gone or cannot be read. */
export function userNamespaceOf(pid: number | 'self'): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return null;
  }
}

/** Every process in user namespace `ns` but the ones in `except`. */
export function processesInUserNamespace(ns: string, except: readonly number[] = []): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => !except.includes(pid) && userNamespaceOf(pid) === ns);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const signal = (pid: number, sig: NodeJS.Signals): void => {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already, or not ours to signal: nothing to end
  }
};

/**
 * Ends every process in the sandbox's user namespace `ns` (SIGTERM, SIGKILL after `graceMs`) and returns
 * how many there were. Refuses the caller's own user namespace: on the host that would be every process.
 */
export async function endProcessesInSandbox(ns: string, graceMs = 2000): Promise<number> {
  if (ns === userNamespaceOf('self') && !inUserNamespace()) return 0;
  const mine = [process.pid];
  const found = processesInUserNamespace(ns, mine);
  for (const pid of found) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processesInUserNamespace(ns, mine).length && Date.now() < deadline) await sleep(50);
  for (const pid of processesInUserNamespace(ns, mine)) signal(pid, 'SIGKILL');
  while (processesInUserNamespace(ns, mine).length && Date.now() < deadline + graceMs) await sleep(50);
  return found.length;
}
