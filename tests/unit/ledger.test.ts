import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LedgerObject } from '../../electron/shared/contract/index.js';
import { adopt, gc, reconcile, removeObjects } from '../../electron/helper/ledger/gc.js';
import { Ledger } from '../../electron/helper/ledger/journal.js';
import type { KindDriver } from '../../electron/helper/ledger/kinds.js';
import { acquireLock, readLock } from '../../electron/helper/ledger/lock.js';

const made: string[] = [];
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'nslab-ledger-'));
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const ns = (name: string, owner = 'topology:t'): LedgerObject => ({ kind: 'netns', netns: null, name, owner });

/** A fake kernel: a set of names; only unit tests mock it. */
function fakeKernel(present: string[], marked: string[] = []) {
  const kernel = new Set(present);
  const removed: string[] = [];
  const driver: KindDriver = {
    kind: 'netns',
    order: 1,
    present: async (objs) => objs.filter((o) => kernel.has(o.name)),
    remove: async (objs) => {
      objs.forEach((o) => (kernel.delete(o.name), removed.push(o.name)));
      return [];
    },
    scanMarked: async () => [...kernel].filter((n) => n.startsWith('nslab-') || marked.includes(n)).map((name) => ({ kind: 'netns' as const, netns: null, name })),
  };
  return { kernel, removed, driver };
}

describe('Ledger', () => {
  it('replays intent/done/removed across reopen', () => {
    const d = dir();
    const a = new Ledger(d);
    const tx = a.begin([ns('nslab-a'), ns('nslab-b')]);
    a.commit(tx);
    a.removed([ns('nslab-a')]);
    a.close();
    const b = new Ledger(d);
    expect(b.objects().map((o) => o.name)).toEqual(['nslab-b']);
    expect(b.interrupted()).toEqual([]);
    b.close();
  });

  it('remembers a transaction a crash left open, and survives a torn last line', () => {
    const d = dir();
    const a = new Ledger(d);
    a.begin([ns('nslab-half')]);
    a.close();
    appendFileSync(join(d, 'ledger.jsonl'), '{"t":"done","tx":"tor');
    const b = new Ledger(d);
    expect(b.interrupted()).toEqual([[ns('nslab-half')]]);
    b.close();
  });

  it('compacts to the live state', () => {
    const d = dir();
    const a = new Ledger(d);
    for (let i = 0; i < 20; i++) a.removed([ns(`nslab-${i}`)], a.begin([ns(`nslab-${i}`)]));
    a.commit(a.begin([ns('nslab-keep')]));
    a.compact();
    const lines = readFileSync(join(d, 'ledger.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    a.close();
    expect(new Ledger(d).objects()).toEqual([ns('nslab-keep')]);
  });
});

describe('gc', () => {
  it('deletes recorded objects still present, forgets vanished ones, reports unrecorded marked ones', async () => {
    const d = dir();
    const ledger = new Ledger(d);
    ledger.commit(ledger.begin([ns('nslab-here'), ns('nslab-gone')]));
    const k = fakeKernel(['nslab-here', 'nslab-stranger', 'docker0']);
    const dry = await gc(ledger, [k.driver], true);
    expect(dry.deleted.map((o) => o.name)).toEqual(['nslab-here']);
    expect(k.removed).toEqual([]);
    const report = await gc(ledger, [k.driver], false);
    expect(report.deleted.map((o) => o.name)).toEqual(['nslab-here']);
    expect(report.forgotten.map((o) => o.name)).toEqual(['nslab-gone']);
    expect(report.unknown.map((o) => o.name)).toEqual(['nslab-stranger']);
    expect([...k.kernel].sort()).toEqual(['docker0', 'nslab-stranger']);
    expect(ledger.objects()).toEqual([]);
  });

  it('start-up reconciliation undoes only interrupted transactions', async () => {
    const d = dir();
    const a = new Ledger(d);
    a.commit(a.begin([ns('nslab-finished')]));
    a.begin([ns('nslab-half')]);
    a.close();
    const b = new Ledger(d);
    const k = fakeKernel(['nslab-finished', 'nslab-half']);
    await reconcile(b, [k.driver]);
    expect(k.removed).toEqual(['nslab-half']);
    expect(b.objects().map((o) => o.name)).toEqual(['nslab-finished']);
    expect(b.interrupted()).toEqual([]);
  });

  it('removes exactly the objects asked for', async () => {
    const ledger = new Ledger(dir());
    ledger.commit(ledger.begin([ns('nslab-a', 'topology:x'), ns('nslab-b', 'topology:y')]));
    const k = fakeKernel(['nslab-a', 'nslab-b']);
    await removeObjects(ledger, [k.driver], ledger.objects((o) => o.owner === 'topology:x'));
    expect([...k.kernel]).toEqual(['nslab-b']);
  });
});

describe('adopt', () => {
  it('takes unrecorded marked objects into the ledger, across a reopen, and gc then removes them', async () => {
    const d = dir();
    const ledger = new Ledger(d);
    ledger.commit(ledger.begin([ns('nslab-mine')]));
    const k = fakeKernel(['nslab-mine', 'nslab-red', 'nslab-blue', 'foreign']);
    const dry = await adopt(ledger, [k.driver], undefined, true);
    expect(dry.adopted.map((o) => o.name).sort()).toEqual(['nslab-blue', 'nslab-red']);
    expect(ledger.has({ kind: 'netns', netns: null, name: 'nslab-red' })).toBe(false);
    const report = await adopt(ledger, [k.driver], ['nslab-red', 'nslab-mine'], false);
    expect(report.adopted).toEqual([{ kind: 'netns', netns: null, name: 'nslab-red', owner: 'adopted' }]);
    ledger.close();
    const again = new Ledger(d);
    expect(again.objects().map((o) => o.name).sort()).toEqual(['nslab-mine', 'nslab-red']);
    const swept = await gc(again, [k.driver], false);
    expect(k.removed.sort()).toEqual(['nslab-mine', 'nslab-red']);
    expect(swept.unknown.map((o) => o.name)).toEqual(['nslab-blue']);
    expect([...k.kernel].sort()).toEqual(['foreign', 'nslab-blue']);
  });

  it('refuses a name that is not a marked object, changing nothing', async () => {
    const ledger = new Ledger(dir());
    const k = fakeKernel(['nslab-red', 'foreign']);
    await expect(adopt(ledger, [k.driver], ['foreign', 'nslab-red'], false)).rejects.toMatchObject({ code: 'not-found', data: { field: 'names', missing: ['foreign'] } });
    expect(ledger.objects()).toEqual([]);
  });

  it('gc with adopt removes unrecorded marked objects too, and a dry run only says so', async () => {
    const ledger = new Ledger(dir());
    const k = fakeKernel(['nslab-red', 'foreign']);
    const dry = await gc(ledger, [k.driver], true, true);
    expect(dry.deleted.map((o) => o.name)).toEqual(['nslab-red']);
    expect(k.removed).toEqual([]);
    expect(ledger.objects()).toEqual([]);
    const real = await gc(ledger, [k.driver], false, true);
    expect(real.adopted.map((o) => o.name)).toEqual(['nslab-red']);
    expect(real.unknown).toEqual([]);
    expect([...k.kernel]).toEqual(['foreign']);
  });
});

describe('lock', () => {
  it('admits one holder, reports busy with its pid, and takes over a dead holder', async () => {
    const path = join(dir(), 'ledger.lock');
    const release = await acquireLock(path, { pid: process.pid, socket: '/x.sock' }, 0);
    expect(readLock(path)).toEqual({ pid: process.pid, socket: '/x.sock' });
    await expect(acquireLock(path, { pid: process.pid }, 0)).rejects.toMatchObject({ code: 'busy' });
    release();
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 12345 })); // no such process
    const again = await acquireLock(path, { pid: process.pid }, 0);
    expect(readLock(path)?.pid).toBe(process.pid);
    again();
  });
});
