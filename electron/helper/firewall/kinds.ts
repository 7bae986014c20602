// Ledger drivers for firewall objects.
//
// Kind `rule`: one record per (namespace, `nslab:<owner>` comment) — the group of rules a
// lab added there. Rules inside an nslab namespace die with it; gc deletes the ones still present.
import type { LedgerObject } from '../../shared/contract/index.js';
import type { KindDriver } from '../ledger/kinds.js';
import { listNetns, mapLimit } from '../net/snapshot.js';
import { run } from '../exec/run.js';
import { readRules, removeRules, rulesWithComment } from './iptables.js';
import { parseNftJson } from './nft-parse.js';
import { deleteNftTable } from './nft-write.js';

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

/** `<family> <name>` of every nft table in a namespace (null = root). */
async function nftTables(netns: string | null): Promise<Set<string>> {
  const argv = ['nft', '-j', 'list', 'tables'];
  const { stdout } = await run(netns === null ? argv : ['ip', 'netns', 'exec', netns, ...argv]);
  return new Set(parseNftJson(stdout).map((t) => `${t.family} ${t.name}`));
}

// Ledger driver for kind `nft-table`: an `nslab_<owner>` nft table (name `<family> <table>`) in a namespace.
export const nftTableKind: KindDriver = {
  kind: 'nft-table',
  order: 5,
  async present(objects) {
    const namespaces = new Set(await listNetns());
    const byNetns = new Map<string | null, LedgerObject[]>();
    for (const o of objects) if (o.netns === null || namespaces.has(o.netns)) byNetns.set(o.netns, [...(byNetns.get(o.netns) ?? []), o]);
    const found = await mapLimit([...byNetns], 8, async ([netns, list]) => {
      try {
        const tables = await nftTables(netns);
        return list.filter((o) => tables.has(o.name));
      } catch {
        return [];
      }
    });
    return found.flat();
  },
  async remove(objects) {
    const failed: { object: LedgerObject; message: string }[] = [];
    for (const o of objects) {
      try {
        await deleteNftTable(o.netns, o.name);
      } catch (err) {
        failed.push({ object: o, message: (err as Error).message });
      }
    }
    return failed;
  },
  // Only the root namespace is scanned: nslab namespaces are accounted for by the netns driver.
  async scanMarked() {
    try {
      return [...(await nftTables(null))].filter((n) => n.split(' ')[1]?.startsWith('nslab_')).map((name) => ({ kind: 'nft-table' as const, netns: null, name }));
    } catch {
      return [];
    }
  },
};
