// One writer per ledger: a lock file holding the owner's pid (and its socket, so a CLI can find a running
// helper). A lock whose owner died (`kill -9`) is taken over at once.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { NslabError } from '../../shared/errors.js';

export interface LockInfo {
  pid: number;
  socket?: string;
  /** Which kernel the owner works on, so a client can say it without asking. */
  mode?: 'host' | 'sandbox';
}

/** Whether a process with this pid exists (EPERM: it does, but belongs to someone else). */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function readLock(path: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && processAlive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

function tryLock(path: string, info: LockInfo): boolean {
  try {
    const fd = openSync(path, 'wx', 0o600);
    writeSync(fd, JSON.stringify(info));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (readLock(path)) return false;
  try {
    unlinkSync(path); // the owner is gone
  } catch {
    // someone else removed it first
  }
  return false;
}

export async function acquireLock(path: string, info: LockInfo, waitMs: number): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (tryLock(path, info)) {
      return () => {
        try {
          if (readLock(path)?.pid === info.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    }
    const holder = readLock(path);
    if (Date.now() >= deadline && holder) {
      throw new NslabError('busy', `the nslab ledger is in use by process ${holder.pid}, which announces no socket to reach it; stop it or wait for it`, { pid: holder.pid });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Update the socket a running helper announces. */
export function announceSocket(path: string, info: LockInfo): void {
  const fd = openSync(path, 'w', 0o600);
  writeSync(fd, JSON.stringify(info));
  closeSync(fd);
}
