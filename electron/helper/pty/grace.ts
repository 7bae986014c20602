// How long a terminal outlives its last client: the value a user chose (pty.config, `nslab serve
// --terminal-grace`) is kept in the state directory so it survives a helper restart; NSLAB_PTY_GRACE_MS
// (tests) wins over it; otherwise PTY_GRACE.defaultMs.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PTY_GRACE } from '../../shared/contract/index.js';

export const GRACE_FILE = 'terminals.json';

const valid = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= PTY_GRACE.maxMs;

export function initialGraceMs(stateDir: string, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.NSLAB_PTY_GRACE_MS === undefined || env.NSLAB_PTY_GRACE_MS === '' ? NaN : Number(env.NSLAB_PTY_GRACE_MS);
  if (valid(fromEnv)) return fromEnv;
  try {
    const stored = (JSON.parse(readFileSync(join(stateDir, GRACE_FILE), 'utf8')) as { graceMs?: unknown }).graceMs;
    if (valid(stored)) return stored;
  } catch {
    // never chosen (or unreadable): the default
  }
  return PTY_GRACE.defaultMs;
}

/** Remembers the choice (atomically: a crash leaves the old file or the new one, never half of one). */
export function storeGraceMs(stateDir: string, graceMs: number): void {
  const path = join(stateDir, GRACE_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify({ graceMs })}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
