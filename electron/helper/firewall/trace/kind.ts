// Ledger driver for kind `trace-table`: the `nslab_trace` table a packet walk put in one namespace. A walk
// removes its tables at the end; after a kill -9 the ledger still lists them and gc removes them.
import type { LedgerObject } from '../../../shared/contract/index.js';
import type { KindDriver } from '../../ledger/kinds.js';
import { listNetns, mapLimit } from '../../net/snapshot.js';
import { hasTraceTable, removeTraceTable, TRACE_TABLE } from './table.js';

export const traceTableObject = (netns: string, trace: string): LedgerObject => ({ kind: 'trace-table', netns, name: TRACE_TABLE, owner: `trace:${trace}` });

export const traceTableKind: KindDriver = {
  kind: 'trace-table',
  // Before namespaces (which take their tables with them) and before rules.
  order: 4,
  async present(objects) {
    const namespaces = new Set(await listNetns());
    const found = await mapLimit(objects, 8, async (o) => (o.netns !== null && namespaces.has(o.netns) && (await hasTraceTable(o.netns)) ? o : null));
    return found.filter((o): o is LedgerObject => o !== null);
  },
  async remove(objects) {
    const failed: { object: LedgerObject; message: string }[] = [];
    for (const o of objects) {
      try {
        await removeTraceTable(o.netns!);
      } catch (err) {
        failed.push({ object: o, message: (err as Error).message });
      }
    }
    return failed;
  },
  // Traces are only ever put in nslab namespaces, which the netns driver accounts for.
  scanMarked: async () => [],
};
