// ct.* methods: the table of a node, live events per connection, flushing in namespaces nslab owns.
import { NslabError } from '../../../shared/errors.js';
import { isMarked, netnsOf } from '../../../shared/names.js';
import type { HelperContext } from '../../context.js';
import { listNetns } from '../../net/snapshot.js';
import type { Handlers } from '../../rpc/dispatcher.js';
import { flushConntrack, readConntrackTable } from './table.js';
import { ConntrackWatches } from './watch.js';

type CtMethods = Extract<keyof Handlers, `ct.${string}`>;

async function existingNetns(node: string): Promise<string> {
  const netns = netnsOf(node);
  if (!(await listNetns()).includes(netns)) throw new NslabError('not-found', `node ${node} has no namespace (${netns} does not exist)`, { field: 'node' });
  return netns;
}

export function conntrackHandlers(ctx: HelperContext): { handlers: Pick<Handlers, CtMethods>; watches: ConntrackWatches } {
  const watches = new ConntrackWatches();
  const hooked = new Set<string>();
  return {
    watches,
    handlers: {
      'ct.list': async ({ node }) => {
        const netns = await existingNetns(node);
        return { netns, ...(await readConntrackTable(netns)) };
      },
      'ct.watch': async ({ node }, call) => {
        const netns = await existingNetns(node);
        const listening = watches.watch(call.client, netns);
        if (!hooked.has(call.client.id)) {
          hooked.add(call.client.id);
          call.client.onClose(() => (watches.unwatchAll(call.client.id), hooked.delete(call.client.id)));
        }
        await listening;
        return { netns };
      },
      'ct.unwatch': async ({ node }, call) => {
        const netns = netnsOf(node);
        return { netns, lost: watches.unwatch(call.client.id, netns) };
      },
      'ct.flush': async ({ node, match }) => {
        const netns = await existingNetns(node);
        if (!isMarked(netns) || !ctx.ledger.has({ kind: 'netns', netns: null, name: netns })) {
          throw new NslabError('permission-denied', `nslab flushes conntrack entries only in namespaces it created, not in ${netns}`, { field: 'node' });
        }
        return { netns, deleted: await flushConntrack(netns, match ?? null) };
      },
    },
  };
}
