// Reads of /proc, /sys and cgroupfs files, the ground floor beside exec/: one file re-read through a kept
// descriptor (the sampler's hot path), one-shot reads, and the fields of /proc/PID/stat. Imports no feature.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/**
 * A file kept open and re-read at offset 0 (pread): the sampler's hot path. An order of magnitude cheaper
 * than open+read+close per value, and it never spawns anything.
 */
export class FileReader {
  private static readonly buffer = Buffer.allocUnsafe(64 * 1024);
  private fd: number | null;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch {
      this.fd = null;
    }
  }

  get open(): boolean {
    return this.fd !== null;
  }

  /** The file's current text, or null when it is gone (the group was removed). */
  read(): string | null {
    if (this.fd === null) return null;
    try {
      const n = readSync(this.fd, FileReader.buffer, 0, FileReader.buffer.length, 0);
      return FileReader.buffer.toString('latin1', 0, n);
    } catch {
      this.close();
      return null;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** A small file's text without its trailing newline, or null when it cannot be read. */
export function readTrimmed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Where a field sits in /proc/PID/stat once the `pid (comm)` head is cut off (proc(5) number − 3). */
const STAT_FIELD = { ppid: 1, session: 3, policy: 38 } as const;

/**
 * One numeric field of /proc/PID/stat, or null when the process is gone. The command name may contain
 * spaces and parentheses, so fields are counted from the last `)`.
 */
export function procStatField(pid: number | string, field: keyof typeof STAT_FIELD): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const value = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[STAT_FIELD[field]];
  return value === undefined ? null : Number(value);
}

/** Every process's argv (from /proc/PID/cmdline); kernel threads and processes that vanish are left out. */
export function listProcesses(): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const raw = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (raw) out.push({ pid: Number(entry), argv: raw.replace(/\0$/, '').split('\0') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The group IDs this process's user namespace maps, as one inclusive range (the first line of gid_map).
 * A sysctl such as ping_group_range only accepts groups mapped there: in the sandbox that is 0–0, not 0–2³¹.
 */
export function mappedGroupRange(): [number, number] | null {
  const first = readTrimmed('/proc/self/gid_map')?.split('\n')[0]?.trim().split(/\s+/).map(Number);
  if (!first || first.length !== 3 || first.some((n) => !Number.isFinite(n))) return null;
  return [first[0]!, first[0]! + first[2]! - 1];
}
