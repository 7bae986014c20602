// The ledger's cgroup kind: gc removes leaked nslab/ groups (killing what is left in them) and reports
// nslab/ groups nobody recorded, without touching them.
import { CGROUP_ROOT } from '../../shared/cgroup/names.js';
import type { KindDriver } from '../ledger/kinds.js';
import type { CgroupBackend } from './backend.js';
import { machineBackend } from './detect.js';

const leaf = (path: string): string | null => (path.startsWith(`${CGROUP_ROOT}/`) && !path.slice(CGROUP_ROOT.length + 1).includes('/') ? path.slice(CGROUP_ROOT.length + 1) : null);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function cgroupKindFor(backend: () => CgroupBackend | null): KindDriver {
  return {
    kind: 'cgroup',
    order: 5, // before namespaces: a process in a group may hold a namespace open
    async present(objects) {
      const b = backend();
      if (!b) return [];
      const found = objects.filter((o) => {
        const name = leaf(o.name);
        return name !== null && b.exists(name);
      });
      // A create killed after it made an `nslab/` parent but before the group itself: the recorded group
      // still counts as there, so that removing it (nothing to rmdir) takes the empty parent with it.
      if (found.length === 0 && b.hasEmptyRoot()) return objects.filter((o) => leaf(o.name) !== null).slice(0, 1);
      return found;
    },
    async remove(objects) {
      const b = backend();
      const failed: { object: (typeof objects)[number]; message: string }[] = [];
      if (!b) return objects.map((object) => ({ object, message: 'no cgroup hierarchy is mounted' }));
      for (const object of objects) {
        const name = leaf(object.name)!;
        try {
          for (let i = 0; i < 100 && b.procs(name).length; i++) {
            b.kill(name);
            await sleep(20);
          }
          for (let i = 0; ; i++) {
            try {
              b.remove(name);
              break;
            } catch (err) {
              if (i >= 50) throw err;
              await sleep(20);
            }
          }
        } catch (err) {
          failed.push({ object, message: (err as Error).message });
        }
      }
      try {
        b.removeRootIfEmpty();
      } catch {
        // another group is still there
      }
      return failed;
    },
    async scanMarked() {
      const b = backend();
      return (b?.list() ?? []).map((n) => ({ kind: 'cgroup' as const, netns: null, name: `${CGROUP_ROOT}/${n}` }));
    },
  };
}

export const cgroupKind: KindDriver = cgroupKindFor(() => machineBackend().backend);
