// Ledger drivers for namespaces and links.
import type { LedgerObject } from '../../shared/contract/index.js';
import { isMarked } from '../../shared/names.js';
import { objectKey } from '../ledger/journal.js';
import type { KindDriver } from '../ledger/kinds.js';
import { run } from '../exec/run.js';
import { ipJson, type Netns } from './ip.js';
import { listMarkedNetns, listNetns, mapLimit } from './snapshot.js';
import { shellLine } from '../../shared/shell.js';

/**
 * Runs every line even if one fails (`-force`); true when all succeeded. What failed is found by looking
 * again afterwards.
 */
async function forceBatch(netns: Netns, lines: string[][]): Promise<boolean> {
  const ns = netns ? ['-n', netns] : [];
  const { code } = await run(['ip', ...ns, '-force', '-batch', '-'], {
    change: true,
    allowFailure: true,
    input: lines.map((l) => l.join(' ')).join('\n') + '\n',
    shell: lines.map((l) => shellLine(['ip', ...ns, ...l])),
  });
  return code === 0;
}

function failures(wanted: LedgerObject[], stillThere: LedgerObject[], what: string): { object: LedgerObject; message: string }[] {
  const keys = new Set(stillThere.map(objectKey));
  return wanted.filter((o) => keys.has(objectKey(o))).map((object) => ({ object, message: `${what} ${object.name} is still present after deletion` }));
}

export const netnsKind: KindDriver = {
  kind: 'netns',
  order: 10,
  async present(objects) {
    const names = new Set(await listNetns());
    return objects.filter((o) => names.has(o.name));
  },
  async remove(objects) {
    if (await forceBatch(null, objects.map((o) => ['netns', 'del', o.name]))) return [];
    return failures(objects, await this.present(objects), 'namespace');
  },
  async scanMarked() {
    return (await listMarkedNetns()).map((name) => ({ kind: 'netns' as const, netns: null, name }));
  },
};

async function linkNames(netns: Netns): Promise<Set<string>> {
  try {
    return new Set(((await ipJson(netns, ['link', 'show'])) as { ifname: string }[]).map((l) => l.ifname));
  } catch {
    return new Set(); // the namespace vanished meanwhile
  }
}

const groupByNetns = (objects: LedgerObject[]): Map<Netns, LedgerObject[]> => {
  const groups = new Map<Netns, LedgerObject[]>();
  for (const o of objects) groups.set(o.netns, [...(groups.get(o.netns) ?? []), o]);
  return groups;
};

export const linkKind: KindDriver = {
  kind: 'link',
  order: 20,
  async present(objects) {
    const namespaces = new Set(await listNetns());
    const groups = [...groupByNetns(objects)].filter(([netns]) => netns === null || namespaces.has(netns));
    const found = await mapLimit(groups, 8, async ([netns, links]) => {
      const names = await linkNames(netns);
      return links.filter((l) => names.has(l.name));
    });
    return found.flat();
  },
  async remove(objects) {
    const results = await mapLimit([...groupByNetns(objects)], 8, ([netns, links]) => forceBatch(netns, links.map((l) => ['link', 'del', l.name])));
    if (results.every(Boolean)) return [];
    return failures(objects, await this.present(objects), 'link');
  },
  async scanMarked() {
    return [...(await linkNames(null))].filter(isMarked).map((name) => ({ kind: 'link' as const, netns: null, name }));
  },
};
