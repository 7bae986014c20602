// `why.fix`: applies one proposed fix, action by action, through the same services the net and firewall
// methods use — and only in namespaces nslab made (recorded in the ledger), never the root namespace.
import type { WhyAction } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import type { HelperContext } from '../context.js';
import { run } from '../exec/run.js';
import { parseIptablesLine } from '../firewall/line.js';
import { addIptablesRules, deleteIptablesById, setPolicy } from '../firewall/write.js';
import { changeAddress, changeRoute, setLink, setSysctl } from '../net/driver.js';
import { ipBatch } from '../net/ip.js';
import { listNetns } from '../net/snapshot.js';
import { commandOf, SYSCTL_NAMES } from './fixes.js';

/** The fix's rules are tagged `nslab:why`. */
const OWNER = 'why';

async function owned(ctx: HelperContext, node: string, field: string): Promise<string> {
  const netns = netnsOf(node);
  if (!(await listNetns()).includes(netns)) throw new NslabError('not-found', `${field}: there is no namespace ${netns}`, { field });
  if (!ctx.ledger.has({ kind: 'netns', netns: null, name: netns })) throw new NslabError('permission-denied', `${field}: nslab did not make ${netns} (it is not in the ledger), so it changes nothing there`, { field });
  return netns;
}

async function applyOne(ctx: HelperContext, a: WhyAction, field: string): Promise<void> {
  const netns = await owned(ctx, a.node, `${field}.node`);
  switch (a.op) {
    case 'link.set':
      await setLink(ctx, { node: a.node, name: a.name, ...(a.up !== undefined ? { up: a.up } : {}), ...(a.master ? { master: a.master } : {}) });
      return;
    case 'link.move':
      await owned(ctx, a.to, `${field}.to`);
      await ipBatch(netns, [['link', 'set', a.name, 'netns', netnsOf(a.to)]]);
      return;
    case 'addr.add':
      await changeAddress(ctx, 'add', { node: a.node, dev: a.dev, address: a.address }).catch((err: NslabError) => {
        if (err.code !== 'exists') throw err;
      });
      return;
    case 'addr.del':
      await changeAddress(ctx, 'del', { node: a.node, dev: a.dev, address: a.address });
      return;
    case 'route.add':
      await changeRoute(ctx, 'replace', { node: a.node, to: a.to, ...(a.via ? { via: a.via } : {}), ...(a.dev ? { dev: a.dev } : {}) });
      return;
    case 'sysctl':
      if (a.key === 'bridge-nf-call-iptables') {
        await run(['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', ...SYSCTL_NAMES[a.key]!.map((k) => `${k}=${a.value}`)], { change: true });
      } else await setSysctl(ctx, { node: a.node, key: a.key, value: a.value });
      return;
    case 'fw.delete':
      await deleteIptablesById(ctx, netns, a.id);
      return;
    case 'fw.add': {
      const line = parseIptablesLine(a.line, `${field}.line`);
      if (line.op === 'delete') throw new NslabError('invalid-params', `${field}.line: a fix adds rules; -D is fw.delete`, { field: `${field}.line` });
      await addIptablesRules(ctx, netns, OWNER, [{ ...line, op: line.op }], false);
      return;
    }
    case 'fw.policy':
      await setPolicy(netns, a.table, a.chain, a.policy);
  }
}

export async function applyFix(ctx: HelperContext, actions: WhyAction[]): Promise<{ applied: number; commands: string[] }> {
  // every namespace is checked before anything changes
  for (const [i, a] of actions.entries()) {
    await owned(ctx, a.node, `actions.${i}.node`);
    if (a.op === 'link.move') await owned(ctx, a.to, `actions.${i}.to`);
  }
  const commands: string[] = [];
  for (const [i, a] of actions.entries()) {
    await applyOne(ctx, a, `actions.${i}`);
    commands.push(commandOf(a));
  }
  return { applied: actions.length, commands };
}
