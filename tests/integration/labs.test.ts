// Every shipped lab on the real kernel: up, check fails with expected/observed, solve, check passes,
// down, and nothing remains. Plus the ledger's kind `rule`: gc removes a lab's rules, hint, export, reset.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, GcReport } from '../../electron/shared/contract/index.js';
import { ROOT, kernelState, markedNetns, nslab, nslabJson, tempStateDir } from '../support/cli.js';

const state = tempStateDir();
const LABS = readdirSync(join(ROOT, 'resources/labs')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
// container labs (no topology) are tested in labs-container.test.ts
const NETWORK_LABS = LABS.filter((l) => !l.startsWith('cgroup-') && !['security-audit', 'userns-rootless', 'container-by-hand', 'sysbox-ideas'].includes(l));
const sh = (argv: string[]): string => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout ?? '';
// Other suites (benchmarks, topology tests) may run on this kernel at the same time: compare everything
// except nslab objects that are not these labs' (their nodes are named veth-, br-, pf-, hk-, nat-, cg-, wc-).
const OURS = /nslab-(veth|br|pf|hk|nat|cg|wc)-/;
const labState = (): string =>
  kernelState()
    .split('\n')
    .filter((line) => !/nslab-/.test(line) || OURS.test(line) || /nslab:/.test(line))
    .join('\n');
let before = '';

beforeAll(() => {
  before = labState();
});
afterAll(async () => {
  for (const lab of LABS) await nslab(state.dir, ['lab', 'down', lab]);
  state.cleanup();
});

describe.each(NETWORK_LABS)('lab %s', (lab) => {
  it('up → check fails usefully → solve → check passes → down leaves nothing', async () => {
    const up = await nslab(state.dir, ['lab', 'up', lab, '--json']);
    expect(up.code, up.stderr).toBe(0);
    const created = (JSON.parse(up.stdout) as { created: string[] }).created;
    expect(created.length).toBeGreaterThan(0);

    const failing = await nslab(state.dir, ['lab', 'check', lab]);
    expect(failing.code).toBe(1);
    // The first unmet probe, with what it expected, what it saw and where to look.
    expect(failing.stderr).toMatch(/^nslab: step \d+ \([a-z0-9-]+\): .+: expected .+; observed .+ — look with: .+/m);

    const hint = await nslabJson<{ hint: { en: string; ko: string } | null; probe: unknown }>(state.dir, ['lab', 'hint', lab, '--json']);
    expect(hint.probe).not.toBeNull();
    expect(hint.hint?.en.length).toBeGreaterThan(0);

    const solve = await nslab(state.dir, ['lab', 'solve', lab, '--json']);
    expect(solve.code, solve.stderr).toBe(0);

    const passing = await nslab(state.dir, ['lab', 'check', lab, '--json']);
    const result = JSON.parse(passing.stdout) as CheckResult;
    expect(result.message).toBeNull();
    expect(result.ok).toBe(true);
    expect(passing.code).toBe(0);

    const down = await nslab(state.dir, ['lab', 'down', lab]);
    expect(down.code, down.stderr).toBe(0);
    expect(labState()).toBe(before);
  });
});

describe('lab lifecycle details', () => {
  it('check --step checks one step; a step past the end names the field', async () => {
    // reset: a fresh start with progress cleared (the walk above passed every step).
    await nslabJson(state.dir, ['lab', 'reset', 'netns-veth', '--json']);
    const one = await nslabJson<CheckResult>(state.dir, ['lab', 'check', 'netns-veth', '--step', '1', '--json']);
    expect(one.ok).toBe(true);
    expect(one.steps.map((s) => s.id)).toEqual(['isolated']);
    const bad = await nslab(state.dir, ['lab', 'check', 'netns-veth', '--step', '9', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'invalid-params', field: 'step' });
    const progress = await nslabJson<{ labs: Record<string, { passed: string[] }> }>(state.dir, ['lab', 'progress', 'netns-veth', '--json']);
    expect(progress.labs['netns-veth']!.passed).toEqual(['isolated']);
    await nslab(state.dir, ['lab', 'down', 'netns-veth']);
  });

  it('solve --step 1 only applies step 1; reset rebuilds the starting state', async () => {
    await nslabJson(state.dir, ['lab', 'up', 'nat-outside', '--json']);
    await nslabJson(state.dir, ['lab', 'solve', 'nat-outside', '--step', '1', '--json']);
    expect((await nslabJson<CheckResult>(state.dir, ['lab', 'check', 'nat-outside', '--step', '1', '--json'])).ok).toBe(true);
    const step2 = await nslab(state.dir, ['lab', 'check', 'nat-outside', '--step', '2', '--json']);
    expect(step2.code).toBe(1);
    expect((JSON.parse(step2.stdout) as CheckResult).steps.map((s) => s.id)).toEqual(['masquerade']);
    await nslabJson(state.dir, ['lab', 'reset', 'nat-outside', '--json']);
    const again = await nslab(state.dir, ['lab', 'check', 'nat-outside', '--step', '1', '--json']);
    expect(again.code).toBe(1);
    expect((JSON.parse(again.stdout) as CheckResult).message).toMatch(/route default/);
    await nslab(state.dir, ['lab', 'down', 'nat-outside']);
    expect(markedNetns().filter((n) => n.startsWith('nslab-nat-'))).toEqual([]);
  });

  it("gc removes a lab's rules (kind rule) and its namespaces; nothing in the root namespace is touched", async () => {
    const rootRules = sh(['iptables-save']).replace(/^#.*$/gm, '');
    await nslabJson(state.dir, ['lab', 'up', 'ping-failed', '--json']);
    await nslabJson(state.dir, ['lab', 'solve', 'ping-failed', '--json']);
    expect(sh(['ip', 'netns', 'exec', 'nslab-pf-host', 'iptables-save'])).toContain('--comment "nslab:ping-failed"');
    const report = await nslabJson<GcReport>(state.dir, ['gc', '--json']);
    expect(report.deleted).toEqual(expect.arrayContaining([{ kind: 'rule', netns: 'nslab-pf-host', name: 'nslab:ping-failed', owner: 'lab:ping-failed' }]));
    expect(report.failed).toEqual([]);
    expect(markedNetns().filter((n) => n.startsWith('nslab-pf-'))).toEqual([]);
    expect(sh(['iptables-save']).replace(/^#.*$/gm, '')).toBe(rootRules);
    await nslab(state.dir, ['lab', 'down', 'ping-failed']);
  });

  it('the exported script rebuilds and solves the lab by itself', async () => {
    const script = (await nslabJson<{ script: string }>(state.dir, ['lab', 'export', 'ping-failed', '--json'])).script;
    const ran = spawnSync('sh', ['-e'], { input: script, encoding: 'utf8' });
    try {
      expect(ran.status, ran.stderr).toBe(0);
      const ping = spawnSync('ip', ['netns', 'exec', 'nslab-pf-red', 'ping', '-c', '3', '-i', '0.2', '-W', '1', '10.0.0.2'], { encoding: 'utf8' });
      expect(ping.status).toBe(0);
    } finally {
      for (const ns of ['nslab-pf-red', 'nslab-pf-blue', 'nslab-pf-host']) spawnSync('ip', ['netns', 'del', ns]);
    }
  });

  it('an unknown lab is not-found, naming the field', async () => {
    const r = await nslab(state.dir, ['lab', 'up', 'no-such-lab', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'not-found', field: 'id' });
  });

  it('leaves the kernel as it found it', () => {
    expect(labState()).toBe(before);
  });
});
