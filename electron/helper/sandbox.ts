// Sandbox mode: the helper runs as the user inside `unshare --user --map-root-user --net --mount`. It may
// build namespaces there, but `ip netns` keeps them under /run/netns, which belongs to the real root: a
// private tmpfs on /run (visible only in this mount namespace) gives the sandbox a /run of its own.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../shared/errors.js';
import { run } from './exec/run.js';

const MARKER = '/run/.nslab-sandbox';

/** True inside a user namespace that maps less than the whole id range (i.e. not the initial one). */
export function inUserNamespace(uidMap = readFileSync('/proc/self/uid_map', 'utf8')): boolean {
  const [inside, outside, count] = uidMap.trim().split(/\s+/).map(Number);
  return !(inside === 0 && outside === 0 && count === 4294967295);
}

/** Prepares a fresh sandbox's private /run; true when it was fresh (a new namespace), false when reused. */
export async function prepareSandbox(): Promise<boolean> {
  if (existsSync(MARKER)) return false;
  if (!inUserNamespace()) {
    throw new NslabError('permission-denied', 'sandbox mode runs inside a user namespace; start it with `unshare --user --map-root-user --net --mount`');
  }
  await run(['mount', '-t', 'tmpfs', '-o', 'mode=0755', 'nslab-sandbox', '/run']);
  writeFileSync(MARKER, `${process.pid}\n`);
  return true;
}

/**
 * A fresh sandbox starts with an empty kernel: whatever a previous sandbox helper recorded (its ledger, its
 * applied topologies) died with that helper's namespaces. Forget it instead of trying to undo it. Called
 * with the ledger lock held, before the ledger is read; lab progress and the activity journal are kept.
 */
export function forgetDeadSandbox(stateDir: string): void {
  rmSync(join(stateDir, 'ledger.jsonl'), { force: true });
  rmSync(join(stateDir, 'topologies'), { recursive: true, force: true });
}
