// One private ledger for a whole CLI test file, and the clean-kernel rule around it: the kernel state is
// recorded before the first test, and after the last `nslab gc` (this ledger only) must have restored it.
import { afterAll, beforeAll, expect } from 'vitest';
import { kernelState, nslab, tempStateDir } from './cli.js';

export function ledgerForThisFile(): { dir: string } {
  const state = tempStateDir();
  let before = '';
  beforeAll(() => {
    before = kernelState();
  });
  afterAll(async () => {
    // Whatever state a failed test left: the ledger knows what this file made.
    await nslab(state.dir, ['gc']);
    state.cleanup();
    expect(kernelState()).toBe(before);
  });
  return { dir: state.dir };
}
