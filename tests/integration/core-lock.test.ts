// Two helpers (or CLIs) on one state directory take turns at the ledger. The one that waited must read the
// journal only once the lock is its own: read earlier, the other's unfinished transaction looks
// interrupted, and reconciling would delete what the other just made (two `nslab run` started together did
// exactly that to each other's cgroup).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cgroupObject } from '../../electron/helper/cgroup/driver.js';
import { openCore } from '../../electron/helper/core.js';

const stateDir = mkdtempSync(join(tmpdir(), 'nslab-itest-core-lock-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

it('a core that waited for the lock does not undo the transaction that was running meanwhile', async () => {
  const first = await openCore({ stateDir });
  const made = cgroupObject('itest-lock-race', 'test'); // only recorded: nothing is made in the kernel
  const tx = first.ctx.ledger.begin([made]);
  const second = openCore({ stateDir, lockWaitMs: 10_000 }); // waits while the transaction is open
  await new Promise((r) => setTimeout(r, 200));
  first.ctx.ledger.commit(tx);
  first.close();
  const core = await second;
  try {
    expect(core.ctx.ledger.has(made)).toBe(true);
    expect(core.ctx.ledger.interrupted()).toEqual([]);
  } finally {
    core.ctx.ledger.removed([made]);
    core.close();
  }
});
