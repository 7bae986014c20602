// fw.* methods: read any namespace's rules, write rules only in nodes nslab owns, watch counters.
import { NslabError } from '../../shared/errors.js';
import { isMarked, netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { listNetns } from '../net/snapshot.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { checkRuleWords, parseIptablesLine } from './line.js';
import type { FwNetns } from './netns.js';
import { addNftRule } from './nft-write.js';
import { iptablesBackend, readRuleset } from './ruleset.js';
import { CounterWatch } from './watch.js';
import { addIptablesRules, deleteByOwner, deleteIptablesById, deleteIptablesByLine, restoreAhead, setPolicy } from './write.js';

type FwMethods = Extract<keyof Handlers, `fw.${string}`>;

const owns = (ctx: HelperContext, netns: FwNetns): boolean => netns !== null && isMarked(netns) && ctx.ledger.has({ kind: 'netns', netns: null, name: netns });

/** The namespace a read names: a node, a namespace by name, or the root namespace; it must exist. */
async function readTarget(where: { node?: string | undefined; netns?: string | undefined }): Promise<FwNetns> {
  const netns = where.node !== undefined ? netnsOf(where.node) : (where.netns ?? null);
  if (netns !== null && !(await listNetns()).includes(netns)) {
    const field = where.node !== undefined ? 'node' : 'netns';
    throw new NslabError('not-found', `${field}: there is no namespace ${netns}`, { field });
  }
  return netns;
}

/** The namespace a write goes to: a node nslab made and recorded; never the root namespace. */
async function writeTarget(ctx: HelperContext, node: string | undefined): Promise<string> {
  if (node === undefined) throw new NslabError('permission-denied', 'node: the root namespace is read-only for nslab; name a node nslab made', { field: 'node' });
  const netns = await readTarget({ node });
  if (!owns(ctx, netns)) throw new NslabError('permission-denied', `node: nslab did not make ${netns} (it is not in the ledger), so it does not write rules there`, { field: 'node' });
  return netns!;
}

export function firewallHandlers(ctx: HelperContext): { handlers: Pick<Handlers, FwMethods>; watch: CounterWatch } {
  const watch = new CounterWatch();
  return {
    watch,
    handlers: {
      'fw.show': async (where) => {
        const netns = await readTarget(where);
        return readRuleset(netns, { writable: owns(ctx, netns) });
      },
      'fw.rule.add': async (p) => {
        const netns = await writeTarget(ctx, p.node);
        if (p.nft) return addNftRule(ctx, netns, p.owner, p.nft);
        if (p.iptables) {
          checkRuleWords(p.iptables.rule, 'iptables.rule');
          const { position, rule, ...rest } = p.iptables;
          return addIptablesRules(ctx, netns, p.owner, [{ ...rest, words: rule, op: position ? 'insert' : 'append', ...(position ? { position } : {}) }]);
        }
        const lines = p.lines ?? [p.line!];
        // A batch's restore starts while its lines are parsed and checked; refused, it reads nothing.
        const ahead = lines.length > 1 ? restoreAhead(netns, await iptablesBackend()) : undefined;
        try {
          const rules = lines.map((text, i) => {
            const field = p.lines ? `lines.${i}` : 'line';
            const line = parseIptablesLine(text, field);
            if (line.op === 'delete') throw new NslabError('invalid-params', `${field}: -D deletes; use fw.rule.delete (nslab fw delete)`, { field });
            return { ...line, op: line.op };
          });
          // A big batch is answered with its commands; reading a thousand rules back is left to fw.show.
          return await addIptablesRules(ctx, netns, p.owner, rules, rules.length <= 100, ahead);
        } finally {
          ahead?.abandon();
        }
      },
      'fw.rule.delete': async (p) => {
        const netns = await writeTarget(ctx, p.node);
        if (p.owner !== undefined) return deleteByOwner(ctx, netns, p.owner);
        if (p.id !== undefined) return deleteIptablesById(ctx, netns, p.id);
        const line = parseIptablesLine(p.line!);
        return deleteIptablesByLine(ctx, netns, line);
      },
      'fw.policy.set': async (p) => setPolicy(await writeTarget(ctx, p.node), p.table, p.chain, p.policy),
      'fw.watch': async ({ targets, interval }, call) => {
        const namespaces = await Promise.all(targets.map((t) => readTarget(t)));
        const before = watch.watching(call.client.id).length;
        const watching = watch.watch(call.client, namespaces, interval);
        if (before === 0) call.client.onClose(() => watch.unwatch(call.client.id));
        return { watching, interval: watch.interval };
      },
      'fw.unwatch': async ({ targets }, call) => {
        const namespaces = targets?.map((t) => (t.node !== undefined ? netnsOf(t.node) : (t.netns ?? null)));
        return { watching: watch.unwatch(call.client.id, namespaces) };
      },
    },
  };
}
