// Labs use the diagnoser: the ping-failed lab's hint for its failed reachability check names the cause
// the kernel shows (the bridge's FORWARD policy DROP, seen through br_netfilter) and its fix, before the
// lab's own text.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kernelState, nslab, nslabJson, tempStateDir } from '../support/cli.js';

const state = tempStateDir();
let before = '';
beforeAll(async () => {
  before = kernelState();
  const r = await nslab(state.dir, ['lab', 'up', 'ping-failed']);
  if (r.code !== 0) throw new Error(r.stderr);
});
afterAll(async () => {
  await nslab(state.dir, ['lab', 'down', 'ping-failed']);
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(kernelState()).toBe(before);
});

it('gives the diagnosis (cause, evidence, fix command) as the hint of a failed ping', async () => {
  const hint = await nslabJson<{ hint: { en: string; ko: string } | null; probe: { probe: string } | null }>(state.dir, ['lab', 'hint', 'ping-failed', '--json']);
  expect(hint.probe?.probe).toBe('ping');
  expect(hint.hint!.en).toMatch(/^pf-host forward: filter FORWARD drops it \(policy DROP of FORWARD/);
  expect(hint.hint!.en).toContain('$ ip netns exec nslab-pf-host iptables -P FORWARD ACCEPT');
  expect(hint.hint!.ko).toContain('버립니다');
});
