// What gc needs to know about each kind of object: is it still there, how to delete it, and which
// objects carry the nslab mark (so unrecorded ones can be reported, never touched).
import type { LedgerObject } from '../../shared/contract/index.js';

export type UnownedObject = Omit<LedgerObject, 'owner'>;

export interface KindDriver {
  kind: LedgerObject['kind'];
  /** Lower runs first: deleting a namespace takes its links with it. */
  order: number;
  /** The subset of `objects` that still exists. */
  present(objects: LedgerObject[]): Promise<LedgerObject[]>;
  /** Deletes existing objects; returns the ones it could not delete, with why. */
  remove(objects: LedgerObject[]): Promise<{ object: LedgerObject; message: string }[]>;
  /** Every object of this kind that carries the nslab mark. */
  scanMarked(): Promise<UnownedObject[]>;
}
