// Which cgroup layout this machine has, and the backend that drives it: pure v2 (most workstations),
// pure v1, or hybrid (v1 controllers plus a v2 hierarchy at /sys/fs/cgroup/unified).
import type { CgroupBackend } from './backend.js';
import { cgroupLayout, cgroupMounts } from './mounts.js';
import { UnifiedTree } from './unified.js';
import { V1Backend, V1_CONTROLLERS, type V1Controller } from './v1.js';
import { V2Backend } from './v2.js';

export type Layout = 'v1' | 'v2' | 'hybrid' | 'none';

export function detectBackend(mountinfo?: string): { layout: Layout; backend: CgroupBackend | null } {
  const mounts = cgroupMounts(mountinfo);
  const layout = cgroupLayout(mounts);
  const v2 = mounts.find((m) => m.version === 'v2');
  const v1: Partial<Record<V1Controller, string>> = {};
  for (const m of mounts) {
    if (m.version !== 'v1') continue;
    for (const c of m.controllers) if ((V1_CONTROLLERS as readonly string[]).includes(c) && !v1[c as V1Controller]) v1[c as V1Controller] = m.mount;
  }
  if (layout === 'v2' && v2) return { layout, backend: new V2Backend(v2.mount) };
  if (layout === 'hybrid' || layout === 'v1') return { layout, backend: new V1Backend(v1, v2 ? new UnifiedTree(v2.mount) : null) };
  return { layout, backend: null };
}

let cached: ReturnType<typeof detectBackend> | undefined;
/** This machine's backend (mounts do not change under a running helper). */
export const machineBackend = (): ReturnType<typeof detectBackend> => (cached ??= detectBackend());
