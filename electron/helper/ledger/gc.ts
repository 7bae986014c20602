// Reconciles the ledger with the kernel: deletes what nslab created and is still there, drops records of
// what is gone, reports marked objects nobody recorded — and touches nothing else unless asked to adopt it.
import type { AdoptReport, GcReport, LedgerObject } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { objectKey, type Ledger } from './journal.js';
import type { KindDriver, UnownedObject } from './kinds.js';

async function sweep(
  ledger: Ledger,
  drivers: KindDriver[],
  select: (o: LedgerObject) => boolean,
  dryRun: boolean,
): Promise<Pick<GcReport, 'deleted' | 'forgotten' | 'failed'>> {
  const report: Pick<GcReport, 'deleted' | 'forgotten' | 'failed'> = { deleted: [], forgotten: [], failed: [] };
  const settled: LedgerObject[] = [];
  // Whatever lived in a namespace this sweep deleted is gone with it: no need to ask the kernel.
  const deletedNetns = new Set<string>();
  for (const driver of [...drivers].sort((a, b) => a.order - b.order)) {
    const recorded = ledger.objects((o) => o.kind === driver.kind && select(o));
    if (recorded.length === 0) continue;
    const inDeleted = (o: LedgerObject): boolean => o.netns !== null && deletedNetns.has(o.netns);
    const ask = recorded.filter((o) => !inDeleted(o));
    const present = ask.length ? await driver.present(ask) : [];
    const presentKeys = new Set(present.map(objectKey));
    const gone = recorded.filter((o) => !presentKeys.has(objectKey(o)));
    report.forgotten.push(...gone);
    if (dryRun) {
      report.deleted.push(...present);
      continue;
    }
    const failed = present.length ? await driver.remove(present) : [];
    const failedKeys = new Set(failed.map((f) => objectKey(f.object)));
    const deleted = present.filter((o) => !failedKeys.has(objectKey(o)));
    settled.push(...gone, ...deleted);
    if (driver.kind === 'netns') for (const o of deleted) deletedNetns.add(o.name);
    report.deleted.push(...deleted);
    report.failed.push(...failed);
  }
  // One record (one fsync) for the whole sweep: a crash before it only leaves records of objects that no
  // longer exist, which the next sweep drops.
  ledger.removed(settled);
  return report;
}

/** Every object that carries the nslab mark and that the ledger has no record of. */
export async function unrecorded(ledger: Ledger, drivers: KindDriver[]): Promise<UnownedObject[]> {
  const marked = (await Promise.all(drivers.map((d) => d.scanMarked()))).flat();
  return marked.filter((o) => !ledger.has(o));
}

export const ADOPTED = 'adopted';

/**
 * Takes unrecorded nslab- objects into the ledger (all of them, or the named ones), so Delete and gc treat
 * them like anything nslab made — what an exported script rebuilt, or what a lost ledger forgot. Only
 * objects that carry the mark and exist can be adopted: a name outside that set is refused, nothing changed.
 */
export async function adopt(ledger: Ledger, drivers: KindDriver[], names: string[] | undefined, dryRun: boolean): Promise<AdoptReport> {
  const candidates = await unrecorded(ledger, drivers);
  let chosen = candidates;
  if (names !== undefined) {
    // A name nslab already records is fine (running a script twice, or while the GUI made the same object).
    const missing = names.filter((n) => !candidates.some((o) => o.name === n) && ledger.objects((o) => o.name === n).length === 0);
    if (missing.length) {
      throw new NslabError(
        'not-found',
        `${missing.join(', ')}: no nslab- object of that name exists; adoptable now: ${candidates.map((o) => o.name).join(', ') || 'none'}`,
        { field: 'names', missing },
      );
    }
    chosen = candidates.filter((o) => names.includes(o.name));
  }
  const adopted = chosen.map((o) => ({ ...o, owner: ADOPTED }));
  if (!dryRun) ledger.adopt(adopted);
  return { dryRun, adopted };
}

export async function gc(ledger: Ledger, drivers: KindDriver[], dryRun: boolean, adoptFirst = false): Promise<GcReport> {
  const adopted = adoptFirst ? (await adopt(ledger, drivers, undefined, dryRun)).adopted : [];
  const result = await sweep(ledger, drivers, () => true, dryRun);
  // A dry run adopted nothing, so what it would adopt is listed as to be deleted too.
  if (dryRun) result.deleted.push(...adopted);
  const unknown = adoptFirst ? [] : await unrecorded(ledger, drivers);
  if (!dryRun) ledger.compact();
  return { dryRun, ...result, adopted, unknown };
}

/**
 * Start-up reconciliation: a transaction a dead process left open is undone (its objects may be
 * half-made). Finished work is the user's and is left alone; `gc` removes it on request.
 */
export async function reconcile(ledger: Ledger, drivers: KindDriver[]): Promise<Pick<GcReport, 'deleted' | 'forgotten' | 'failed'>> {
  const halfMade = new Set(ledger.interrupted().flat().map(objectKey));
  if (halfMade.size === 0) return { deleted: [], forgotten: [], failed: [] };
  const undo = await sweep(ledger, drivers, (o) => halfMade.has(objectKey(o)), false);
  ledger.compact();
  return undo;
}

/** Deletes exactly these recorded objects (a topology's, a lab's). */
export async function removeObjects(ledger: Ledger, drivers: KindDriver[], objects: LedgerObject[]): Promise<Pick<GcReport, 'deleted' | 'forgotten' | 'failed'>> {
  const keys = new Set(objects.map(objectKey));
  return sweep(ledger, drivers, (o) => keys.has(objectKey(o)), false);
}
