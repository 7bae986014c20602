// Start gates and the process tree of a container. A gate is a FIFO that `flock` opens for reading: the
// open blocks until nslab opens it for writing, so a process can be put into its cgroup and given its
// mounts before it runs a single instruction of the container's program.
import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../../shared/errors.js';
import { reportActivity } from '../exec/run.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Opens the gate for writing (the blocked reader goes on); waits until a reader is there. */
export async function releaseGate(fifo: string, timeoutMs = 5000): Promise<void> {
  const started = performance.now();
  for (;;) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      reportActivity({ at: new Date().toISOString(), argv: ['sh', '-c', `: > ${fifo}`], shell: [`: > ${fifo}   # open the start gate`], ok: true, ms: Math.round(performance.now() - started) });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err; // ENXIO: nobody is reading yet
      if (performance.now() - started > timeoutMs) throw new NslabError('timeout', `nothing opened the start gate ${fifo} within ${timeoutMs} ms`);
      await sleep(1);
    }
  }
}

export const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** The inode of a process's namespace of this type (what `ls -l /proc/PID/ns` shows), or null if gone. */
export function nsInode(pid: number | 'self', type: string): number | null {
  try {
    return statSync(`/proc/${pid}/ns/${type}`).ino;
  } catch {
    return null;
  }
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export const exeOf = (pid: number): string | null => {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
};

/** Waits for the descendant `depth` generations down the first-child line (gate → unshare → PID 1). */
export async function waitDescendant(pid: number, depth: number, timeoutMs = 5000): Promise<number> {
  const end = performance.now() + timeoutMs;
  let at = pid;
  for (let level = 0; level < depth; ) {
    const [child] = childrenOf(at);
    if (child !== undefined) {
      at = child;
      level++;
      continue;
    }
    if (!alive(pid)) throw new NslabError('internal', `the container's start chain (pid ${pid}) exited before its PID 1 appeared`);
    if (performance.now() > end) throw new NslabError('timeout', `the container's PID 1 did not appear within ${timeoutMs} ms`);
    await sleep(1);
  }
  return at;
}

/** Waits until the process runs this program (its exec happened). */
export async function waitExe(pid: number, program: string, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!exeOf(pid)?.endsWith(`/${program}`)) {
    if (!alive(pid)) throw new NslabError('internal', `process ${pid} exited before it ran ${program}`);
    if (performance.now() > end) throw new NslabError('timeout', `process ${pid} did not start ${program} within ${timeoutMs} ms`);
    await sleep(1);
  }
}

/**
 * SIGKILLs every start chain of the container whose directory is `dir`: each `flock DIR/gate-start …` still
 * waiting at its gate (it joins the container's cgroup only after the spawn, so a helper killed in between
 * leaves one that neither the record nor the cgroup knows). Found by its command line, which names the
 * container's private directory: nothing else has it. Returns the PIDs it killed.
 */
export function killStartChains(dir: string): number[] {
  const gate = join(dir, 'gate-start');
  const killed: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(gate)) continue;
      process.kill(Number(entry), 'SIGKILL');
      killed.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}

/** SIGKILLs a container's start chain, only if that PID still is it (its command line names the container's directory). */
export function killGate(pid: number | null, dir: string): void {
  if (!pid) return;
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
