// The cgroup driver a helper works with: this machine's backend, writable only by a root helper in host
// mode. The RPC face (handlers.ts), labs and terminals all get theirs here.
import type { HelperContext } from '../context.js';
import { machineBackend } from './detect.js';
import { CgroupDriver } from './driver.js';

const SANDBOX_READ_ONLY = 'cgroup writes need host mode (root: `sudo nslab …`, or the app through pkexec): in sandbox mode cgroups are read-only';

/** Why this helper may not write cgroups, or undefined when it may. */
export function cgroupWriteRefusal(ctx: HelperContext): string | undefined {
  return ctx.mode === 'sandbox' ? SANDBOX_READ_ONLY : process.getuid?.() === 0 ? undefined : 'cgroup writes need root';
}

export function cgroupDriverFor(ctx: HelperContext): CgroupDriver | null {
  const { backend } = machineBackend();
  if (!backend) return null;
  return new CgroupDriver(backend, ctx.ledger, cgroupWriteRefusal(ctx) ?? null);
}
