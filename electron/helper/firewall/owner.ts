// What a hand-written rule is tagged with, and how its group is journaled: `nslab:<owner>` on iptables
// rules, the table `nslab_<owner>` for nft rules; one ledger record per namespace and group.
import type { LedgerObject } from '../../shared/contract/index.js';
import type { HelperContext } from '../context.js';

export const ownerComment = (owner: string): string => `nslab:${owner}`;
/** nft table names take no '-' or '.' in this position: they become '_'. */
export const ownerTable = (owner: string): string => `nslab_${owner.replace(/[.-]/g, '_')}`;
/** The ledger's owner of a group: `manual` for the default, else `fw:<owner>`. */
export const ledgerOwner = (owner: string): string => (owner === 'manual' ? 'manual' : `fw:${owner}`);

/** Runs `make` under a ledger record of the group it adds to (recorded once per namespace and group). */
export async function journaled(ctx: HelperContext, object: LedgerObject, make: () => Promise<void>): Promise<void> {
  if (ctx.ledger.has(object)) return make();
  const tx = ctx.ledger.begin([object]);
  try {
    await make();
    ctx.ledger.commit(tx);
  } catch (err) {
    ctx.ledger.removed([object], tx);
    throw err;
  }
}
