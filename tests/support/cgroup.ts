// What the "cgroup tree as it was" rule compares: every nslab-marked directory under /sys/fs/cgroup.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function markedCgroups(root = '/sys/fs/cgroup'): string[] {
  const out: string[] = [];
  for (const h of readdirSync(root)) {
    try {
      for (const d of readdirSync(join(root, h), { withFileTypes: true })) {
        if (d.isDirectory() && d.name.startsWith('nslab')) out.push(join(root, h, d.name));
      }
    } catch {
      // not a directory
    }
  }
  return out.sort();
}
