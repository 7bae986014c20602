// `kill -9` of the helper in the middle of building a 20-namespace topology, then `nslab gc`: nothing
// nslab made remains, and objects nslab did not make (decoys without the mark) are untouched.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelState, markedNetns, markedRootLinks, nslab, nslabJson, tempStateDir } from '../support/cli.js';
import { startHelper } from '../support/helper.js';

const ip = (...args: string[]): void => void spawnSync('ip', args);
const DECOY_NS = `decoy-${process.pid}`;
const DECOY_BR = `decoybr${process.pid % 10000}`;
const DECOY_VETH = [`decoyv${process.pid % 10000}`, `decoyw${process.pid % 10000}`] as const;

function twentyNodes(): string {
  const nodes = Array.from({ length: 20 }, (_, i) => `crash-${String(i).padStart(2, '0')}`);
  return [
    'name: crash20',
    'nodes:',
    '  - name: crash-hub',
    '    bridges: [{ name: br0 }]',
    ...nodes.map((n) => `  - name: ${n}\n    routes: [{ to: default, via: 10.88.0.254 }]`),
    'links:',
    ...nodes.map((n, i) => `  - endpoints:\n      - { node: ${n}, name: eth0, addresses: [10.88.0.${i + 1}/24] }\n      - { node: crash-hub, name: v${i}, master: br0 }`),
  ].join('\n');
}

const state = tempStateDir();
let before = '';

beforeAll(() => {
  before = kernelState();
  ip('netns', 'add', DECOY_NS);
  ip('link', 'add', DECOY_BR, 'type', 'bridge');
  ip('link', 'add', DECOY_VETH[0], 'type', 'veth', 'peer', 'name', DECOY_VETH[1]);
});

afterAll(async () => {
  ip('link', 'del', DECOY_VETH[0]);
  ip('link', 'del', DECOY_BR);
  ip('netns', 'del', DECOY_NS);
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(kernelState()).toBe(before);
});

const decoysPresent = (): boolean => {
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
  return ns.includes(DECOY_NS) && links.includes(`${DECOY_BR}:`) && links.includes(`${DECOY_VETH[0]}@`) && links.includes(`${DECOY_VETH[1]}@`);
};

describe('kill -9 while applying', () => {
  // Kill at different moments: right after the request, after the root batch, deep into the per-namespace batches.
  it.each([0, 1, 5])('gc after a kill following %i activity events leaves zero nslab objects', async (events) => {
    const helper = await startHelper(state.dir);
    await helper.request('events.subscribe', { events: ['activity'] });
    helper.send(JSON.stringify({ jsonrpc: '2.0', id: 999, method: 'topology.apply', params: { yaml: twentyNodes() } }) + '\n');
    if (events > 0) {
      let seen = 0;
      await helper.waitFor((m) => m.method === 'activity' && ++seen >= events);
    }
    helper.child.kill('SIGKILL');
    await new Promise((r) => helper.child.on('exit', r));
    expect(helper.messages.find((m) => m.id === 999)).toBeUndefined(); // it really died mid-way
    if (events > 0) expect(markedNetns().length).toBeGreaterThan(0); // and left namespaces behind

    const report = await nslabJson<{ failed: unknown[]; unknown: unknown[] }>(state.dir, ['gc', '--json']);
    expect(report.failed).toEqual([]);
    expect(markedNetns()).toEqual([]);
    expect(markedRootLinks()).toEqual([]);
    expect(decoysPresent()).toBe(true);
  });

  it('reports nslab- objects it has no record of, without touching them', async () => {
    ip('netns', 'add', 'nslab-unrecorded');
    try {
      const report = await nslabJson<{ unknown: { kind: string; name: string }[]; deleted: unknown[] }>(state.dir, ['gc', '--json']);
      expect(report.unknown).toContainEqual({ kind: 'netns', netns: null, name: 'nslab-unrecorded' });
      expect(report.deleted).toEqual([]);
      expect(markedNetns()).toEqual(['nslab-unrecorded']);
    } finally {
      ip('netns', 'del', 'nslab-unrecorded');
    }
    expect(decoysPresent()).toBe(true);
  });

  it('gc --dry-run reports without deleting', async () => {
    await nslabJson(state.dir, ['topo', 'apply', 'resources/topologies/red-blue.yaml', '--json']);
    const dry = await nslabJson<{ deleted: { name: string }[]; dryRun: boolean }>(state.dir, ['gc', '--dry-run', '--json']);
    expect(dry.dryRun).toBe(true);
    expect(dry.deleted.map((o) => o.name)).toEqual(expect.arrayContaining(['nslab-red', 'nslab-blue']));
    expect(markedNetns().sort()).toEqual(['nslab-blue', 'nslab-red']);
    const real = await nslabJson<{ deleted: { name: string }[] }>(state.dir, ['gc', '--json']);
    expect(real.deleted.map((o) => o.name)).toEqual(expect.arrayContaining(['nslab-red', 'nslab-blue']));
    expect(markedNetns()).toEqual([]);
  });
});
