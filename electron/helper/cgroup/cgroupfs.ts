// The only place nslab reads or writes cgroup files. Every change (mkdir, write, rmdir) is reported as
// activity with the line a person would type, and every kernel refusal becomes a typed error.
import { mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { NslabError, type ErrorCode } from '../../shared/errors.js';
import { shellQuote } from '../../shared/shell.js';
import { reportActivity } from '../exec/run.js';

const ERRNO_CODES: Record<string, ErrorCode> = {
  EINVAL: 'invalid-params',
  ERANGE: 'invalid-params',
  ENOSPC: 'invalid-params',
  EBUSY: 'busy',
  ENOTEMPTY: 'busy',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  EROFS: 'permission-denied',
  ENOENT: 'not-found',
  ESRCH: 'not-found',
  EEXIST: 'exists',
  EOPNOTSUPP: 'unsupported-kernel',
  ENODEV: 'unsupported-kernel',
};

const ERRNO_TEXT: Record<string, string> = {
  EINVAL: 'the kernel refused the value (Invalid argument)',
  ENOSPC: 'no CPUs or memory nodes left in the set (No space left on device)',
  EBUSY: 'busy (Device or resource busy)',
  ENOTEMPTY: 'the group still has child groups',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (root needed)',
  EROFS: 'the cgroup filesystem is read-only here',
  ENOENT: 'no such file (controller not available?)',
  ESRCH: 'no such process',
};

function kernelError(err: unknown, what: string, extra: Record<string, unknown> = {}): NslabError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return new NslabError(ERRNO_CODES[code] ?? 'internal', `${what}: ${ERRNO_TEXT[code] ?? (err as Error).message}`, { errno: code, ...extra });
}

function activity(argv: string[], shell: string, started: number, error?: NslabError): void {
  reportActivity({
    at: new Date().toISOString(),
    argv,
    shell: [shell],
    ok: !error,
    ms: Math.round((performance.now() - started) * 10) / 10,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
  });
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw kernelError(err, `reading ${path}`);
  }
}

/** The file's text, or `null` when this kernel/version has no such file. */
export function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENODEV') return null;
    throw kernelError(err, `reading ${path}`);
  }
}

export const exists = (path: string): boolean => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

/** One cgroupfs change: its argv and shell line for the activity log, how an error names it, the error's data. */
interface Change {
  argv: string[];
  shell: string;
  what: string;
  data?: Record<string, unknown>;
}

/** The change as a typed error, reported as failed. */
function failed(c: Change, started: number, err: unknown): NslabError {
  const e = kernelError(err, c.what, c.data ?? {});
  activity(c.argv, c.shell, started, e);
  return e;
}

/** Runs one cgroupfs change and reports it as activity (the equivalent shell line), failed or not. */
function change(c: Change, op: () => void): void {
  const started = performance.now();
  try {
    op();
  } catch (err) {
    throw failed(c, started, err);
  }
  activity(c.argv, c.shell, started);
}

/** change() for an operation done off the event loop (the libuv thread pool). */
async function changeLater(c: Change, op: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await op();
  } catch (err) {
    throw failed(c, started, err);
  }
  activity(c.argv, c.shell, started);
}

/** `echo VALUE > PATH`. `field` names the request field a refusal is about. */
const writing = (path: string, value: string, field?: string): Change => ({
  argv: ['write', path, value],
  shell: `echo ${shellQuote(value)} > ${shellQuote(path)}`,
  what: `echo ${value} > ${path}`,
  ...(field ? { data: { field } } : {}),
});

export function writeValue(path: string, value: string, field?: string): void {
  change(writing(path, value, field), () => writeFileSync(path, value));
}

export function writeValueLater(path: string, value: string, field?: string): Promise<void> {
  return changeLater(writing(path, value, field), () => writeFile(path, value));
}

export function makeDir(path: string): void {
  change({ argv: ['mkdir', path], shell: `mkdir ${shellQuote(path)}`, what: `mkdir ${path}` }, () => mkdirSync(path));
}

export function removeDir(path: string): void {
  change({ argv: ['rmdir', path], shell: `rmdir ${shellQuote(path)}`, what: `rmdir ${path}` }, () => rmdirSync(path));
}

/** Child groups (subdirectories) of a cgroup directory; none when it does not exist. */
export function childDirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** Flat-keyed files (`cpu.stat`, `memory.events`, `memory.oom_control`): `key value` per line. */
export function parseKeyed(text: string | null): Map<string, number> | null {
  if (text === null) return null;
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

export const pidsOf = (text: string | null): number[] =>
  (text ?? '')
    .split('\n')
    .filter((l) => l.trim())
    .map(Number);
