// Applied topologies on disk: the YAML and, beside it, the node names `topology.list` answers with on every
// page load (parsing the YAML again there cost a cold start ~50 ms). A store written before the names were
// kept still answers, from the YAML.
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HelperContext } from '../../electron/helper/context.js';
import { topologyHandlers } from '../../electron/helper/topology/handlers.js';
import { TopologyStore } from '../../electron/helper/topology/store.js';

const YAML = 'name: pair\nnodes:\n  - name: red\n  - name: blue\nlinks: []\n';
const dirs: string[] = [];
const stateDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'nslab-unit-topostore-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const list = (store: TopologyStore) => topologyHandlers({ topologies: store } as unknown as HelperContext)['topology.list']({} as never, {} as never);

describe('TopologyStore', () => {
  it('keeps the node names beside the YAML and removes both', () => {
    const dir = stateDir();
    const store = new TopologyStore(dir);
    store.save('pair', YAML, ['red', 'blue']);
    expect(store.load('pair')).toBe(YAML);
    expect(store.nodes('pair')).toEqual(['red', 'blue']);
    expect(store.list().map((t) => t.name)).toEqual(['pair']);
    store.remove('pair');
    expect(readdirSync(join(dir, 'topologies'))).toEqual([]);
    expect(store.nodes('pair')).toBeNull();
  });

  it('topology.list answers with the saved names without parsing the YAML', async () => {
    const store = new TopologyStore(stateDir());
    // Names that the YAML does not have: the answer can only have come from the saved list.
    store.save('pair', YAML, ['saved-a', 'saved-b']);
    const { applied } = await list(store);
    expect(applied.map((t) => [t.name, t.nodes])).toEqual([['pair', ['saved-a', 'saved-b']]]);
  });

  it('a topology saved without names (an older state directory), or with a damaged list, is read from its YAML', async () => {
    const dir = stateDir();
    const store = new TopologyStore(dir);
    store.save('pair', YAML, ['red', 'blue']);
    store.save('other', YAML.replace('pair', 'other'), ['red', 'blue']);
    unlinkSync(join(dir, 'topologies', 'pair.nodes.json'));
    writeFileSync(join(dir, 'topologies', 'other.nodes.json'), '{"not":"a list"}');
    expect(store.nodes('pair')).toBeNull();
    expect(store.nodes('other')).toBeNull();
    const { applied } = await list(store);
    expect(Object.fromEntries(applied.map((t) => [t.name, t.nodes]))).toEqual({ pair: ['red', 'blue'], other: ['red', 'blue'] });
  });
});
