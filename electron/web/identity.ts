// What `nslab serve` keeps across restarts so an open page can reconnect: its port and token, in
// <state dir>/serve.json, readable by its owner only (0600; the token is a password for the helper).
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const IDENTITY_FILE = 'serve.json';

export interface ServeIdentity {
  port: number;
  token: string;
}

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** The stored identity, or null (never served, or the file is unreadable or not ours to trust). */
export function loadIdentity(stateDir: string): ServeIdentity | null {
  try {
    const v = JSON.parse(readFileSync(join(stateDir, IDENTITY_FILE), 'utf8')) as Partial<ServeIdentity>;
    const portOk = typeof v.port === 'number' && Number.isInteger(v.port) && v.port > 0 && v.port <= 65535;
    return portOk && typeof v.token === 'string' && TOKEN.test(v.token) ? { port: v.port!, token: v.token } : null;
  } catch {
    return null;
  }
}

/** Writes it atomically, mode 0600 (also when an older file was looser). */
export function saveIdentity(stateDir: string, identity: ServeIdentity): string {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, IDENTITY_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(identity)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}
