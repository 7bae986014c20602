// The runtime's cache (spec section 3: "the runtime must cache the result of ADD"): one JSON file per
// attachment under `<state>/cni/attachments/`, written before the first plugin runs, so a DEL — by the
// user, or by gc after a crash mid-ADD — knows the list, the namespaces and what was built.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CniAttachment } from '../../shared/contract/index.js';
import type { ConfList } from './conflist.js';
import { ipamDirOf } from './conflist.js';
import type { HostObjects } from './leftovers.js';

export interface AttachmentRecord extends CniAttachment {
  list: ConfList;
  args: Record<string, string>;
  cniPath: string[];
  /** The host node's links and chains before ADD (to tell, after a crash, what ADD made). */
  before: HostObjects | null;
  /** What this ADD brought into the host node; null until ADD finished. */
  made: HostObjects | null;
  /** Leftovers handed on by attachments that left this host node before this one. */
  carried: HostObjects;
}

export const attachmentsDir = (stateDir: string): string => join(stateDir, 'cni', 'attachments');
export const attachmentIdOf = (network: string, containerId: string, ifname: string): string => `${network}.${containerId}.${ifname}`;
const fileOf = (stateDir: string, id: string): string => join(attachmentsDir(stateDir), `${id}.json`);

export function saveRecord(stateDir: string, record: AttachmentRecord): void {
  mkdirSync(attachmentsDir(stateDir), { recursive: true, mode: 0o700 });
  const file = fileOf(stateDir, record.id);
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function loadRecord(stateDir: string, id: string): AttachmentRecord | null {
  try {
    return JSON.parse(readFileSync(fileOf(stateDir, id), 'utf8')) as AttachmentRecord;
  } catch {
    return null;
  }
}

export const hasRecord = (stateDir: string, id: string): boolean => existsSync(fileOf(stateDir, id));

export function listRecords(stateDir: string): AttachmentRecord[] {
  const dir = attachmentsDir(stateDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => loadRecord(stateDir, f.slice(0, -'.json'.length)))
    .filter((r): r is AttachmentRecord => r !== null);
}

/**
 * Forgets an attachment. When it was the network's last one, host-local's directory for the network
 * (only its `last_reserved_ip` and `lock` files are left by then) goes too: nothing of nslab's remains.
 */
export function removeRecord(stateDir: string, record: AttachmentRecord): void {
  rmSync(fileOf(stateDir, record.id), { force: true });
  if (listRecords(stateDir).some((r) => r.network === record.network)) return;
  const dir = join(ipamDirOf(stateDir), record.network);
  if (!existsSync(dir)) return;
  const leftover = readdirSync(dir).filter((f) => !/^(lock|last_reserved_ip\.\d+)$/.test(f));
  if (leftover.length === 0) rmSync(dir, { recursive: true, force: true });
}

/** The attachment a public view shows (no internal fields). */
export const publicOf = (r: AttachmentRecord): CniAttachment => ({
  id: r.id,
  network: r.network,
  containerId: r.containerId,
  node: r.node,
  host: r.host,
  ifname: r.ifname,
  plugins: r.plugins,
  portMappings: r.portMappings,
  result: r.result,
  createdAt: r.createdAt,
});
