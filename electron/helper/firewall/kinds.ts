// Ledger driver for kind `rule`: one record per (namespace, `nslab:<owner>` comment) — the group of rules a
// lab added there. Rules inside an nslab namespace die with it; gc deletes the ones still present.
import type { LedgerObject } from '../../shared/contract/index.js';
import type { KindDriver } from '../ledger/kinds.js';
import { listNetns, mapLimit } from '../net/snapshot.js';
import { readRules, removeRules, rulesWithComment } from './iptables.js';

export const ruleKind: KindDriver = {
  kind: 'rule',
  // Before namespaces: the rules are removed explicitly (and visibly) before their namespace goes.
  order: 5,
  async present(objects) {
    const namespaces = new Set(await listNetns());
    const found = await mapLimit(objects, 8, async (o) => {
      if (o.netns === null || !namespaces.has(o.netns)) return null;
      try {
        return (await rulesWithComment(o.netns, o.name)).length > 0 ? o : null;
      } catch {
        return null; // the namespace vanished meanwhile
      }
    });
    return found.filter((o): o is LedgerObject => o !== null);
  },
  async remove(objects) {
    const failed: { object: LedgerObject; message: string }[] = [];
    for (const o of objects) {
      try {
        await removeRules(o.netns!, o.name);
        if ((await rulesWithComment(o.netns!, o.name)).length) failed.push({ object: o, message: `rules ${o.name} are still present in ${o.netns}` });
      } catch (err) {
        failed.push({ object: o, message: (err as Error).message });
      }
    }
    return failed;
  },
  // Only the root namespace is scanned: nslab namespaces are accounted for by the netns driver.
  async scanMarked() {
    try {
      const rules = (await readRules(null)).flatMap((t) => t.rules).filter((r) => r.comment?.startsWith('nslab:'));
      return [...new Set(rules.map((r) => r.comment!))].map((name) => ({ kind: 'rule' as const, netns: null, name }));
    } catch {
      return []; // no iptables: nothing of ours can be there
    }
  },
};
