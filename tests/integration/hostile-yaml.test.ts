// Hostile topology and lab YAML over the real helper: topologies generated from the schema's shape and
// shipped labs, each mutated (a value replaced by a hostile one, a key dropped, stray and prototype keys,
// the text cut or spliced). Every refused file is refused as `invalid-params` naming the file, the helper
// keeps serving, and nothing reaches the kernel.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTopology } from '../../electron/helper/topology/load.js';
import { ERROR_CODES } from '../../electron/shared/errors.js';
import { markedCgroups } from '../support/cgroup.js';
import { ROOT, kernelState, nslab, tempStateDir } from '../support/cli.js';
import { startHelper, type HelperProcess } from '../support/helper.js';
import { mutatedDoc, mutatedText } from '../support/mutate.js';
import { batchClient, type BatchClient } from '../support/rpc-batch.js';

const RUNS = 1000;
const SEED = Number(process.env.NSLAB_FUZZ_SEED ?? 17);
const KNOWN = new Set<string>(ERROR_CODES);
const snapshot = (): string => `${kernelState()}\n---\n${markedCgroups().join('\n')}`;

/** A topology as the schema describes it: 1–4 nodes, links between them with addresses, bridges, routes. */
const topology: fc.Arbitrary<unknown> = fc
  .uniqueArray(fc.constantFrom('fz-a', 'fz-b', 'fz-c', 'fz-d', 'fz-e'), { minLength: 1, maxLength: 4 })
  .chain((nodes) =>
    fc.record({
      name: fc.constantFrom('fuzz', 'fz-topo'),
      nodes: fc.constant(nodes.map((name, i) => ({ name, forwarding: i === 0, ...(i === 1 ? { bridges: [{ name: 'br0', addresses: ['10.9.9.1/24'] }] } : {}), routes: [{ to: 'default', via: `10.9.${i}.254` }] }))),
      links: fc.array(
        fc.tuple(fc.nat({ max: nodes.length - 1 }), fc.nat({ max: nodes.length - 1 }), fc.nat({ max: 200 })).map(([a, b, n]) => ({
          endpoints: [
            { node: nodes[a], name: `fa${n}`, addresses: [`10.${n}.0.1/24`] },
            { node: nodes[b], name: `fb${n}`, mtu: 1400 },
          ],
        })),
        { maxLength: 3 },
      ),
    }),
  );

const shippedTopologies = readdirSync(join(ROOT, 'resources/topologies')).map((f) => parse(readFileSync(join(ROOT, 'resources/topologies', f), 'utf8')) as unknown);

const state = tempStateDir();
const resources = mkdtempSync(join(tmpdir(), 'nslab-fuzz-res-'));
let helper: HelperProcess;
let client: BatchClient;
let before = '';

beforeAll(async () => {
  before = snapshot();
  for (const entry of readdirSync(join(ROOT, 'resources'))) if (entry !== 'labs') symlinkSync(join(ROOT, 'resources', entry), join(resources, entry));
  mkdirSync(join(resources, 'labs'));
  process.env.NSLAB_RESOURCES = resources;
  try {
    helper = await startHelper(state.dir);
  } finally {
    delete process.env.NSLAB_RESOURCES;
  }
  client = batchClient(helper.child);
});

afterAll(async () => {
  await helper?.stop();
  await nslab(state.dir, ['gc']);
  state.cleanup();
  rmSync(resources, { recursive: true, force: true });
  expect(snapshot()).toBe(before);
});

const refusedLocally = (yaml: string): boolean => {
  try {
    parseTopology(yaml, 'fuzz.yaml');
    return false;
  } catch {
    return true;
  }
};

describe('topology YAML', () => {
  it(`${RUNS} mutated topologies: refused as invalid-params naming the file, nothing applied`, async () => {
    const texts: string[] = [];
    const mutated = fc.oneof(
      fc.oneof(topology, fc.constantFrom(...shippedTopologies)).chain((doc) => mutatedDoc(doc)).map((d) => stringify(d) ?? ''),
      fc.oneof(topology, fc.constantFrom(...shippedTopologies)).chain((doc) => mutatedText(stringify(doc))),
    );
    for (let seed = SEED; texts.length < RUNS && seed < SEED + 50; seed++) {
      for (const t of fc.sample(mutated, { numRuns: 400, seed })) if (texts.length < RUNS && refusedLocally(t)) texts.push(t);
    }
    expect(texts.length).toBe(RUNS);
    const replies = await client.batch(texts.map((yaml) => ({ method: 'topology.apply', params: { yaml, file: 'fuzz.yaml' } })), 50);
    replies.forEach((r, i) => {
      const what = `${JSON.stringify(texts[i]).slice(0, 300)} → ${JSON.stringify(r).slice(0, 300)}`;
      expect(r.error?.data?.code, what).toBe('invalid-params');
      expect(r.error?.message, what).toMatch(/^fuzz\.yaml/);
    });
    expect(snapshot()).toBe(before);
    expect((await client.batch([{ method: 'ledger.list', params: {} }]))[0]?.result).toEqual(expect.objectContaining({}));
  });
});

describe('lab YAML', () => {
  const shipped = readdirSync(join(ROOT, 'resources/labs')).map((f) => parse(readFileSync(join(ROOT, 'resources/labs', f), 'utf8')) as Record<string, unknown>);

  it(`${RUNS} mutated labs: each shown or refused as invalid-params naming its file, nothing run`, async () => {
    const docs = fc.sample(
      fc.constantFrom(...shipped).chain((lab) =>
        fc.oneof(
          mutatedDoc(lab).map((d) => stringify(d) ?? ''),
          mutatedText(stringify(lab)),
        ),
      ),
      { numRuns: RUNS, seed: SEED },
    );
    const ids = docs.map((text, i) => {
      const id = `fuzz-${i}`;
      // keep the id matching the file most of the time, so the mutation itself is what gets judged
      writeFileSync(join(resources, 'labs', `${id}.yaml`), text.replace(/^id: .*$/m, `id: ${id}`));
      return id;
    });
    const replies = await client.batch(ids.map((id) => ({ method: 'lab.show', params: { id } })), 50);
    let refused = 0;
    replies.forEach((r, i) => {
      const what = `${ids[i]} → ${JSON.stringify(r).slice(0, 300)}`;
      if ('result' in r) return;
      refused++;
      expect(KNOWN.has(r.error?.data?.code ?? ''), what).toBe(true);
      expect(r.error?.data?.code, what).toBe('invalid-params');
      expect(r.error?.message, what).toContain(`${ids[i]}.yaml`);
    });
    expect(refused).toBeGreaterThan(RUNS / 2);
    expect(snapshot()).toBe(before);
  });
});
