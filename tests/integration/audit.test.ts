// `nslab audit` on the real kernel: a deliberately weak container fails the checklist items it breaks, the
// fixed one passes them, and the JSON report validates against the published schema.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NSLAB, ROOT, kernelState, nslab, tempStateDir } from '../support/cli.js';
import { markedCgroups } from '../support/cgroup.js';

const state = tempStateDir();
let before = '';
let cgroupsBefore: string[] = [];
const schema = JSON.parse(readFileSync(new URL('../../resources/audit/report.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

interface Report {
  items: { id: string; status: string; automated: boolean; results: { check: string; target: string; status: string; evidence: string }[] }[];
  summary: { automatedItems: number; fail: number };
  unseen: string[];
}
const audit = async (...targets: string[]): Promise<Report> => {
  const r = await nslab(state.dir, ['audit', '--json', ...targets]);
  const report = JSON.parse(r.stdout) as Report;
  expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  expect(r.code).toBe(report.summary.fail > 0 ? 1 : 0);
  return report;
};
const statusOf = (r: Report, item: string, check: string, target: string): string | undefined =>
  r.items.find((i) => i.id === item)?.results.find((x) => x.check === check && x.target === `container:${target}`)?.status;

beforeAll(() => {
  before = kernelState();
  cgroupsBefore = markedCgroups();
});
afterAll(async () => {
  await nslab(state.dir, ['gc']);
  state.cleanup();
  expect(markedCgroups()).toEqual(cgroupsBefore);
  expect(kernelState()).toBe(before);
});

describe('nslab audit', () => {
  it('flags each weakness of the weak container and passes the fixed one', async () => {
    expect((await nslab(state.dir, ['container', 'run', '--name', 'weak', '-d', '--cap-add', 'SYS_ADMIN,NET_ADMIN', '--', 'sleep', '300'])).code).toBe(0);
    expect((await nslab(state.dir, ['container', 'run', '--name', 'fixed', '-d', '--userns', '--memory', '64m', '--pids-limit', '64', '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', '--no-new-privs', '--read-only', '--', 'sleep', '300'])).code).toBe(0);
    const r = await audit();
    expect(r.items.map((i) => i.id)).toHaveLength(20);
    expect(r.summary.automatedItems).toBeGreaterThanOrEqual(12);
    const weaknesses: [string, string][] = [['1-1', 'userns-root'], ['1-4', 'private-user-namespace'], ['1-6', 'memory-limit'], ['1-6', 'pids-limit'], ['1-7', 'no-dangerous-caps'], ['1-7', 'no-new-privs'], ['1-7', 'read-only-rootfs']];
    for (const [item, check] of weaknesses) {
      expect(statusOf(r, item, check, 'weak'), `${item} ${check} weak`).toBe('fail');
      expect(statusOf(r, item, check, 'fixed'), `${item} ${check} fixed`).toBe('pass');
    }
    expect(r.items.find((i) => i.id === '1-7')!.results.find((x) => x.target === 'container:weak' && x.check === 'no-dangerous-caps')!.evidence).toMatch(/sys_admin, net_admin/);
    for (const check of ['private-namespaces', 'sys-read-only'] as const) {
      const item = check === 'sys-read-only' ? '1-1' : '1-4';
      expect(statusOf(r, item, check, 'weak')).toBe('pass');
    }
    // one target only
    const fixedOnly = await audit('fixed');
    expect(fixedOnly.items.find((i) => i.id === '1-6')!.status).toBe('pass');
    expect(fixedOnly.items.find((i) => i.id === '1-7')!.status).toBe('pass');
    const bad = await nslab(state.dir, ['audit', '--json', 'nosuch']);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'not-found' });
    for (const name of ['weak', 'fixed']) expect((await nslab(state.dir, ['container', 'rm', '-f', name])).code).toBe(0);
  });

  it('says "not applicable" where there are no containers, and still checks the host and nslab', async () => {
    const r = await audit();
    expect(r.items.find((i) => i.id === '1-6')!.status).toBe('na');
    expect(r.items.find((i) => i.id === '1-2')!.results.find((x) => x.check === 'state-dir-private')!.status).toBe('pass');
    expect(r.items.find((i) => i.id === '3-1')!.status).toBe('guidance');
  });

  it('runs as an unprivileged user too, and says what it could not see', () => {
    const home = mkdtempSync(join(tmpdir(), 'nslab-audit-nobody-'));
    chmodSync(home, 0o777);
    try {
      const asNobody = (args: string[]) => spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, NSLAB, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: home } });
      const r = asNobody(['audit', '--json']);
      // the audit ran through a background sandbox helper: stop it, as a user would with `nslab helper stop`
      const stopped = asNobody(['helper', 'stop', '--json']);
      expect(JSON.parse(stopped.stdout)).toMatchObject({ mode: 'sandbox', stopped: true });
      const report = JSON.parse(r.stdout) as Report & { root: boolean };
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      expect(report.root).toBe(false);
      expect(report.unseen.join('\n')).toMatch(/not root: only this user's nslab state .* is audited/);
      expect(report.items).toHaveLength(20);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
