// The ledger's `cni` kind: one attachment (network × container × interface), removed by a CNI DEL of its
// cached list — what gc runs after a crash mid-ADD. Before rules and namespaces (order 3): the plugins
// undo their own rules and release their leases while the namespaces are still there.
import type { LedgerObject } from '../../shared/contract/index.js';
import { netnsOf } from '../../shared/names.js';
import type { KindDriver } from '../ledger/kinds.js';
import { tearDown } from './service.js';
import { hasRecord, listRecords, loadRecord } from './store.js';

export function cniKindFor(stateDir: string): KindDriver {
  return {
    kind: 'cni',
    order: 3,
    async present(objects) {
      return objects.filter((o) => hasRecord(stateDir, o.name));
    },
    async remove(objects) {
      const failed: { object: LedgerObject; message: string }[] = [];
      for (const object of objects) {
        const record = loadRecord(stateDir, object.name);
        if (record === null) continue;
        try {
          await tearDown(stateDir, record);
        } catch (err) {
          failed.push({ object, message: (err as Error).message });
        }
      }
      return failed;
    },
    async scanMarked() {
      return listRecords(stateDir).map((r) => ({ kind: 'cni' as const, netns: netnsOf(r.node), name: r.id }));
    },
  };
}
