// The helper's activity journal on the real kernel: it survives a helper restart, and its exported script,
// run with bash on a kernel without the objects, re-creates them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openCore, type HelperCore } from '../../electron/helper/core.js';

const stateDir = mkdtempSync(join(tmpdir(), 'nslab-itest-activity-'));
const NETNS = 'nslab-itest-actj';
const netnsList = (): string[] => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
const call = (core: HelperCore, method: string, params: unknown): Promise<unknown> =>
  core.dispatch(method, params, { signal: new AbortController().signal, client: {} as never, subscribe: () => undefined, unsubscribe: () => undefined });

afterAll(() => {
  // The script's copy is not in the ledger (adopting it is session-a's work): this test removes what it made.
  if (netnsList().includes(NETNS)) execFileSync('ip', ['netns', 'del', NETNS]);
  rmSync(stateDir, { recursive: true, force: true });
});

it('survives a helper restart and exports a script that re-creates the namespace on a clean kernel; probes never appear', async () => {
  const first = await openCore({ stateDir });
  try {
    await call(first, 'net.netns.create', { node: 'itest-actj' });
    await call(first, 'system.doctor', {});
    await call(first, 'net.netns.delete', { node: 'itest-actj' });
  } finally {
    first.close();
  }
  expect(netnsList()).not.toContain(NETNS);

  const second = await openCore({ stateDir });
  let script: string;
  try {
    const { entries } = (await call(second, 'activity.list', {})) as { entries: { shell: string[] }[] };
    const lines = entries.flatMap((e) => e.shell);
    expect(lines.some((l) => l.includes(`netns add ${NETNS}`))).toBe(true);
    expect(lines.some((l) => l.includes('nslab-probe-'))).toBe(false);
    expect(((await call(second, 'activity.list', { currentSession: true })) as { entries: unknown[] }).entries).toEqual([]);
    script = ((await call(second, 'activity.export', {})) as { script: string }).script;
  } finally {
    second.close();
  }
  // Replay only up to the create: the script of a session that ended with the delete re-creates nothing.
  const upToCreate = script.split('\n').filter((l) => !l.includes(`netns del ${NETNS}`) && !l.includes(`netns delete ${NETNS}`)).join('\n');
  const file = join(stateDir, 'replay.sh');
  writeFileSync(file, upToCreate);
  execFileSync('bash', [file]);
  expect(netnsList()).toContain(NETNS);
});
