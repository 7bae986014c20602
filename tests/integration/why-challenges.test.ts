// The why-challenges lab on the real kernel: each round, `nslab why` names exactly that round's fault
// (RED's missing route, the router's ip_forward = 0, the FORWARD rule dropping TCP) with its fix; after
// the last round only the (expected) closed port remains. Nothing of the lab is left afterwards.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WhyAnswer } from '../../electron/shared/contract/index.js';
import { kernelState, nslab, tempStateDir } from '../support/cli.js';

const LAB = 'why-challenges';
const state = tempStateDir();
// Other sessions share this kernel: compare only this lab's objects.
const ours = (): string => kernelState().split('\n').filter((l) => /nslab-wc-|nslab:why-challenges/.test(l)).join('\n');
let before = '';
beforeAll(async () => {
  before = ours();
  const r = await nslab(state.dir, ['lab', 'up', LAB]);
  if (r.code !== 0) throw new Error(r.stderr);
});
afterAll(async () => {
  await nslab(state.dir, ['lab', 'down', LAB]);
  state.cleanup();
  expect(ours()).toBe(before);
});

// `nslab why` exits 1 when the target is not reachable; the answer is on stdout either way.
const why = async (to: string): Promise<WhyAnswer> => {
  const r = await nslab(state.dir, ['why', '--from', 'wc-red', '--to', to, '--json']);
  expect([0, 1], r.stderr).toContain(r.code);
  const answer = JSON.parse(r.stdout) as WhyAnswer;
  expect(r.code).toBe(answer.reachable ? 0 : 1);
  return answer;
};
const solve = async (step: number): Promise<void> => {
  const r = await nslab(state.dir, ['lab', 'solve', LAB, '--step', String(step)]);
  expect(r.code, r.stderr).toBe(0);
};

it('names each round’s fault first, with its fix, round after round', async () => {
  const r1 = await why('10.0.2.1');
  expect(r1.reachable).toBe(false);
  expect(r1.checks[r1.first!]!.node).toBe('wc-red');
  expect(r1.fix!.commands).toContain('ip -n nslab-wc-red route replace default via 10.0.1.1');
  await solve(1);

  expect((await why('10.0.2.1')).reachable).toBe(true);
  const r2 = await why('10.0.2.2');
  expect(r2.checks[r2.first!]!.node).toBe('wc-router');
  expect(r2.fix!.commands).toContain('ip netns exec nslab-wc-router sysctl -w net.ipv4.ip_forward=1');
  await solve(2);

  expect((await why('10.0.2.2')).reachable).toBe(true);
  const r3 = await why('10.0.2.2:8080');
  expect(r3.summary.en).toMatch(/wc-router forward: filter FORWARD drops it/);
  expect(r3.fix!.commands.join('\n')).toMatch(/iptables -D FORWARD -p tcp .*nslab:why-challenges -j DROP/);
  await solve(3);

  // the path is open; what remains is the closed port the lab's tcp check counts as an answer
  const after = await why('10.0.2.2:8080');
  expect(after.summary.en).toMatch(/nothing listens on tcp port 8080 in wc-blue/);
  expect(after.fix!.actions).toEqual([]);
});
