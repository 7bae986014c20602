// Concurrent reads of one namespace share `ip` processes (issue 17.5: spawning is synchronous on the helper's
// thread), yet every answer is read after it was asked: a read asked while one runs waits for the next.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const { parseJsonSequence } = await vi.importActual<typeof import('../../electron/helper/net/ip.js')>('../../electron/helper/net/ip.js');
const fixture = parseJsonSequence(readFileSync(join(import.meta.dirname, '../fixtures/ip/red-batch.json'), 'utf8'));
/** Each `ip -batch` read the helper started: its namespace and how to finish it. */
const started: { netns: string | null; finish: () => void; fail: (e: Error) => void }[] = [];
vi.mock('../../electron/helper/net/ip.js', () => ({
  ipJsonBatch: vi.fn(
    (netns: string | null) =>
      new Promise((resolve, reject) => started.push({ netns, finish: () => resolve(structuredClone(fixture)), fail: reject })),
  ),
  ipJson: vi.fn(async () => []),
}));
const { readNamespace } = await import('../../electron/helper/net/snapshot.js');

const tick = () => new Promise((r) => setTimeout(r, 0));
beforeEach(() => void started.splice(0));

describe('readNamespace', () => {
  it('answers a burst of reads with two processes, the second started after the first ended', async () => {
    const first = readNamespace('nslab-red');
    await tick();
    expect(started).toHaveLength(1);
    const later = [readNamespace('nslab-red'), readNamespace('nslab-red'), readNamespace('nslab-red')];
    await tick();
    expect(started).toHaveLength(1); // asked while one runs: they wait for the next, which has not started
    started[0]!.finish();
    const a = await first;
    await tick();
    expect(started).toHaveLength(2);
    started[1]!.finish();
    const [b, c, d] = await Promise.all(later);
    expect(started).toHaveLength(2);
    expect(b).toEqual(a);
    // each caller fills in peers on its own copy
    expect(b).not.toBe(c);
    expect(c!.links).not.toBe(d!.links);
    expect(b!.node.links).toBe(b!.links);
  });

  it('reads other namespaces in parallel, and starts afresh once nothing runs', async () => {
    const red = readNamespace('nslab-red');
    const blue = readNamespace('nslab-blue');
    await tick();
    expect(started.map((s) => s.netns)).toEqual(['nslab-red', 'nslab-blue']);
    started[0]!.finish();
    started[1]!.finish();
    await Promise.all([red, blue]);
    const again = readNamespace('nslab-red');
    await tick();
    expect(started).toHaveLength(3);
    started[2]!.finish();
    await again;
  });

  it('gives a failed read to its callers only; the queued read runs anyway', async () => {
    const first = readNamespace('nslab-red');
    await tick();
    const queued = readNamespace('nslab-red');
    started[0]!.fail(new Error('Cannot open network namespace'));
    await expect(first).rejects.toThrow('Cannot open network namespace');
    await tick();
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await expect(queued).resolves.toMatchObject({ netns: 'nslab-red' });
  });
});
