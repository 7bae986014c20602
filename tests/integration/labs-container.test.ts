// The container labs on the real kernel: up builds the lab's containers (owned by lab:<id>), check fails
// where the starting state is weak and says why, solve rebuilds them, check passes, down leaves nothing.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../electron/shared/contract/index.js';
import { kernelState, nslab, tempStateDir } from '../support/cli.js';
import { markedCgroups } from '../support/cgroup.js';

const state = tempStateDir();
let before = '';
let cgroupsBefore: string[] = [];
const containers = (): string[] => (existsSync(join(state.dir, 'containers')) ? readdirSync(join(state.dir, 'containers')) : []);
const check = async (lab: string): Promise<CheckResult & { code: number }> => {
  const r = await nslab(state.dir, ['lab', 'check', lab, '--json']);
  return { ...(JSON.parse(r.stdout) as CheckResult), code: r.code };
};

beforeAll(() => {
  before = kernelState();
  cgroupsBefore = markedCgroups();
});
afterAll(async () => {
  for (const lab of ['security-audit', 'userns-rootless', 'container-by-hand', 'sysbox-ideas']) await nslab(state.dir, ['lab', 'down', lab]);
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(markedCgroups()).toEqual(cgroupsBefore);
  expect(kernelState()).toBe(before);
});

describe('lab security-audit', () => {
  it('the weak container fails the audit, each solve fixes a part, down removes it', async () => {
    const up = await nslab(state.dir, ['lab', 'up', 'security-audit', '--json']);
    expect(up.code, up.stderr + up.stdout).toBe(0);
    expect((JSON.parse(up.stdout) as { created: string[] }).created).toEqual(['container security-audit-app']);
    const failing = await check('security-audit');
    expect(failing.code).toBe(1);
    expect(failing.message).toMatch(/step 1 \(privileges\): audit 1-7 no-dangerous-caps on app: expected audit 1-7 no-dangerous-caps: pass; observed fail: bounding set holds sys_admin, net_admin — look with: nslab audit security-audit-app/);
    const solve = await nslab(state.dir, ['lab', 'solve', 'security-audit', '--json']);
    expect(solve.code, solve.stderr + solve.stdout).toBe(0);
    const shell = (JSON.parse(solve.stdout) as { steps: { shell: string[] }[] }).steps.flatMap((s) => s.shell);
    expect(shell.join('\n')).toContain('pivot_root'); // each solve rebuilt the container, step by step
    const script = await nslab(state.dir, ['lab', 'export', 'security-audit']);
    expect(script.stdout).toMatch(/nslab container run --name security-audit-app -d .*--userns --cap-drop ALL --cap-add NET_BIND_SERVICE --read-only --no-new-privs -- sleep 3600/);
    const passing = await check('security-audit');
    expect(passing.message, JSON.stringify(passing.steps.flatMap((s) => s.probes.filter((p) => !p.ok)))).toBeNull();
    expect(passing.ok).toBe(true);
    const down = await nslab(state.dir, ['lab', 'down', 'security-audit', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(containers()).toEqual([]);
    expect(markedCgroups()).toEqual(cgroupsBefore);
  });
});

describe('lab userns-rootless', () => {
  it('every refusal happens for the stated reason', async () => {
    expect((await nslab(state.dir, ['lab', 'up', 'userns-rootless'])).code).toBe(0);
    const r = await check('userns-rootless');
    expect(r.message, JSON.stringify(r.steps.flatMap((s) => s.probes.filter((p) => !p.ok)))).toBeNull();
    const observed = Object.fromEntries(r.steps.flatMap((s) => s.probes.map((p) => [`${s.id}.${p.id}`, p.observed])));
    expect(observed['mknod.refused']).toMatch(/Operation not permitted/);
    expect(observed['host-files.denied']).toMatch(/Permission denied/);
    expect(observed['cgroups.ro']).toMatch(/Read-only file system/);
    expect(observed['root-inside.host']).toMatch(/uid 0 inside is host uid 1\d{5}/);
    const script = await nslab(state.dir, ['lab', 'export', 'userns-rootless']);
    expect(script.stdout).toContain('nslab container run --name userns-rootless-box -d --userns -- sleep 3600');
    expect((await nslab(state.dir, ['lab', 'down', 'userns-rootless'])).code).toBe(0);
    expect(containers()).toEqual([]);
  });
});

describe.each(['container-by-hand', 'sysbox-ideas'])('lab %s', (lab) => {
  it('up → every layer checks out from inside → down leaves nothing', async () => {
    const up = await nslab(state.dir, ['lab', 'up', lab]);
    expect(up.code, up.stderr).toBe(0);
    const r = await check(lab);
    expect(r.message, JSON.stringify(r.steps.flatMap((s) => s.probes.filter((p) => !p.ok)))).toBeNull();
    console.log(`${lab}:\n  ${r.steps.flatMap((s) => s.probes.map((p) => `${p.label}: ${p.observed}`)).join('\n  ')}`);
    expect((await nslab(state.dir, ['lab', 'down', lab])).code).toBe(0);
    expect(containers()).toEqual([]);
  });
});
