// The ledger: an fsync'd JSON-lines journal of every object nslab creates. An `intent` record is on disk
// before the kernel is touched, a `done` after; `removed` when an object is deleted. Replaying it tells
// what nslab made, what was left half-made by a crash, and never anything nslab did not make.
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerObject } from '../../shared/contract/index.js';

type Record =
  | { t: 'intent'; tx: string; at: string; pid: number; objects: LedgerObject[] }
  | { t: 'done'; tx: string }
  | { t: 'removed'; tx?: string; objects: LedgerObject[] };

export const objectKey = (o: Pick<LedgerObject, 'kind' | 'netns' | 'name'>): string => `${o.kind}:${o.netns ?? ''}:${o.name}`;

const COMPACT_AFTER_RECORDS = 500;

export class Ledger {
  private fd: number;
  private readonly live = new Map<string, LedgerObject>();
  private readonly open = new Map<string, LedgerObject[]>();
  private records = 0;
  private seq = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.replay();
    this.fd = openSync(this.path, 'a', 0o600);
    if (this.records > COMPACT_AFTER_RECORDS) this.compact();
  }

  get path(): string {
    return join(this.dir, 'ledger.jsonl');
  }

  /** Objects nslab created and has not removed. */
  objects(filter?: (o: LedgerObject) => boolean): LedgerObject[] {
    const all = [...this.live.values()];
    return filter ? all.filter(filter) : all;
  }

  has(o: Pick<LedgerObject, 'kind' | 'netns' | 'name'>): boolean {
    return this.live.has(objectKey(o));
  }

  /** Transactions a dead process began and never finished: their objects may be half-made. */
  interrupted(): LedgerObject[][] {
    return [...this.open.values()];
  }

  /** Records the intent to create these objects (one fsync); returns the transaction id. */
  begin(objects: LedgerObject[]): string {
    const tx = `${process.pid}-${Date.now().toString(36)}-${++this.seq}`;
    this.append({ t: 'intent', tx, at: new Date().toISOString(), pid: process.pid, objects });
    return tx;
  }

  commit(tx: string): void {
    this.append({ t: 'done', tx });
  }

  /** Takes objects that already exist into the ledger (one finished transaction): nslab owns them from now on. */
  adopt(objects: LedgerObject[]): void {
    if (objects.length === 0) return;
    this.commit(this.begin(objects));
  }

  /** Records that these objects no longer exist (deleted, rolled back, or found gone). */
  removed(objects: LedgerObject[], tx?: string): void {
    if (objects.length === 0 && !tx) return;
    this.append({ t: 'removed', objects, ...(tx ? { tx } : {}) });
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Rewrites the journal as the current state: live objects in one finished transaction, open ones kept. */
  compact(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    const lines: Record[] = [];
    const live = [...this.live.values()];
    const openObjects = new Set([...this.open.values()].flat().map(objectKey));
    const settled = live.filter((o) => !openObjects.has(objectKey(o)));
    if (settled.length) lines.push({ t: 'intent', tx: 'compacted', at: new Date().toISOString(), pid: process.pid, objects: settled }, { t: 'done', tx: 'compacted' });
    for (const [tx, objects] of this.open) lines.push({ t: 'intent', tx, at: new Date().toISOString(), pid: 0, objects });
    writeSync(fd, lines.map((l) => JSON.stringify(l) + '\n').join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
    const dirFd = openSync(this.dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a', 0o600);
    this.records = lines.length;
  }

  private append(record: Record): void {
    writeSync(this.fd, JSON.stringify(record) + '\n');
    // `intent` must be on disk before the kernel is touched. A lost `done` would make finished work look
    // half-made, so it is flushed too, off the event loop: lost to a machine crash in that millisecond, it is
    // as if the crash came just before it was written, which the ledger survives anyway. A lost `removed`
    // (only on a machine crash: a killed process's writes survive) just leaves a record of something gone,
    // which the next sweep drops — no fsync needed for it.
    if (record.t === 'intent') fsyncSync(this.fd);
    else if (record.t === 'done') fsync(this.fd, () => undefined); // a compact() meanwhile fsyncs its own file
    this.apply(record);
  }

  private apply(record: Record): void {
    this.records++;
    if (record.t === 'intent') {
      this.open.set(record.tx, record.objects);
      for (const o of record.objects) this.live.set(objectKey(o), o);
    } else if (record.t === 'done') {
      this.open.delete(record.tx);
    } else {
      if (record.tx) this.open.delete(record.tx);
      for (const o of record.objects) this.live.delete(objectKey(o));
      for (const [tx, objects] of this.open) {
        const keep = objects.filter((o) => this.live.has(objectKey(o)));
        if (keep.length) this.open.set(tx, keep);
        else this.open.delete(tx);
      }
    }
  }

  private replay(): void {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        this.apply(JSON.parse(line) as Record);
      } catch {
        // a line torn by a crash mid-write: everything before it is intact
      }
    }
  }
}
