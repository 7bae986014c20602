import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { changeAddress, changeRoute, createLink, createNetns, deleteLink, deleteNetns, setLink, setSysctl } from './driver.js';
import { listNetns, snapshotMarked, snapshotOne } from './snapshot.js';
import { nodeRoute, nodeSysctl } from './node-scope.js';
import { isMarked, netnsOf } from '../../shared/names.js';

type NetMethods = Extract<keyof Handlers, `net.${string}`>;

export function netHandlers(ctx: HelperContext): Pick<Handlers, NetMethods> {
  return {
    'net.netns.list': async () => ({
      namespaces: (await listNetns()).map((name) => ({ name, marked: isMarked(name), owned: ctx.ledger.has({ kind: 'netns', netns: null, name }) })),
    }),
    'net.netns.create': async ({ node }) => createNetns(ctx, node),
    'net.netns.delete': async ({ node }) => deleteNetns(ctx, node),
    'net.link.create': async (p) => createLink(ctx, p),
    'net.link.delete': async (p) => deleteLink(ctx, p),
    'net.link.set': async (p) => setLink(ctx, p),
    'net.addr.add': async (p) => changeAddress(ctx, 'add', p),
    'net.addr.delete': async (p) => changeAddress(ctx, 'del', p),
    'net.route.add': async (p) => changeRoute(ctx, 'replace', p),
    'net.route.delete': async (p) => changeRoute(ctx, 'del', p),
    'net.sysctl.set': async (p) => setSysctl(ctx, p),
    // The page's versions: only inside a node nslab owns (node-scope.ts).
    'net.node.route.add': async (p) => nodeRoute(ctx, 'replace', p),
    'net.node.route.delete': async (p) => nodeRoute(ctx, 'del', p),
    'net.node.sysctl.set': async (p) => nodeSysctl(ctx, p),
    // One node's links still name their peers in the other namespaces: those are read too, and no others.
    'net.snapshot': async ({ node }) => (node === undefined ? snapshotMarked(ctx.ledger) : snapshotOne(ctx.ledger, netnsOf(node))),
  };
}
