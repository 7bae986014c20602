// Each container's record: <state>/containers/<name>/config.json, next to its overlay upper/work dirs,
// its mount point, its start gates and its log.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerInfo } from '../../shared/contract/index.js';
import type { IdMapLine } from '../../shared/container/idmap.js';

export interface ContainerRecord extends Omit<ContainerInfo, 'state' | 'pid'> {
  /** Host PID of the container's PID 1 and its namespace inode (a reused PID is not the container). */
  pid1: number | null;
  pidNs: number | null;
  /** The `flock` at the top of the chain (host PID namespace): gc kills it if it never joined the cgroup. */
  gatePid: number | null;
  peer: { netns: string; name: string } | null;
  /** Its network namespace's name while it has one (build.ts: until PID 1 holds it); absent in older records. */
  ownNetns?: string | null;
  commands: string[];
  uidMap: IdMapLine[] | null;
  gidMap: IdMapLine[] | null;
}

export const containersDir = (stateDir: string): string => join(stateDir, 'containers');
export const containerDir = (stateDir: string, name: string): string => join(containersDir(stateDir), name);

const trashDir = (stateDir: string): string => join(stateDir, 'trash');
const emptied = new Set<string>();

/**
 * Removes a container's directory at once for everyone (a rename out of containers/), its files after (off
 * the caller's path: its overlay layers can be many files). What a helper killed meanwhile leaves in
 * <state>/trash is not a kernel object; the next helper's first removal empties it.
 */
export function discardContainerDir(stateDir: string, name: string): void {
  const dir = containerDir(stateDir, name);
  if (!existsSync(dir)) return;
  const trash = trashDir(stateDir);
  if (!emptied.has(stateDir)) {
    emptied.add(stateDir);
    void rm(trash, { recursive: true, force: true }).catch(() => undefined);
  }
  mkdirSync(trash, { recursive: true, mode: 0o700 });
  const gone = join(trash, `${name}-${randomBytes(4).toString('hex')}`);
  renameSync(dir, gone);
  void rm(gone, { recursive: true, force: true }).catch(() => undefined);
}

export function saveRecord(stateDir: string, record: ContainerRecord): void {
  const dir = containerDir(stateDir, record.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, 'config.json.tmp');
  writeFileSync(tmp, JSON.stringify(record, null, 2), { mode: 0o600 });
  renameSync(tmp, join(dir, 'config.json'));
}

export function loadRecord(stateDir: string, name: string): ContainerRecord | null {
  try {
    return JSON.parse(readFileSync(join(containerDir(stateDir, name), 'config.json'), 'utf8')) as ContainerRecord;
  } catch {
    return null;
  }
}

export function listRecords(stateDir: string): ContainerRecord[] {
  const dir = containersDir(stateDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => loadRecord(stateDir, n))
    .filter((r): r is ContainerRecord => r !== null)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
