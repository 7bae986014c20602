// Names of nslab cgroups. Every group lives under the `nslab/` subtree of each hierarchy; the user names
// only the leaf, so no request can reach a group nslab did not create.
import { z } from 'zod';

/** The subtree every nslab group lives in, in every hierarchy. */
export const CGROUP_ROOT = 'nslab';

export const CgroupName = z
  .string({ error: 'cgroup name must be a string' })
  .min(1, { error: 'cgroup name must not be empty' })
  .max(64, { error: 'cgroup name must be at most 64 characters' })
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, {
    error: "cgroup name may contain only letters, digits, '_', '.' and '-' (no '/': every group lives directly under nslab/)",
  });

/** `web` → `nslab/web`, the path below each hierarchy's mount point. */
export const cgroupPath = (name: string): string => `${CGROUP_ROOT}/${name}`;
