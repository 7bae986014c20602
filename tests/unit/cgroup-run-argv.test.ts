// cgroup.run's argv (no shell strings, allow-listed bare names) and the lab schema's cgroup parts.
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../electron/helper/labs/catalogue.js';
import { exportScript } from '../../electron/helper/labs/export.js';
import { methods } from '../../electron/shared/contract/index.js';
import { NslabError } from '../../electron/shared/errors.js';

const params = methods['cgroup.run'].params;
const issue = (p: unknown): { path: string; message: string } | null => {
  const r = params.safeParse(p);
  return r.success ? null : { path: r.error.issues[0]!.path.join('.'), message: r.error.issues[0]!.message };
};

describe('cgroup.run params', () => {
  it('takes an allow-listed name or an absolute path, with defaults', () => {
    expect(params.parse({ name: 'x', argv: ['stress-ng', '--cpu', '1'] })).toEqual({ name: 'x', argv: ['stress-ng', '--cpu', '1'], timeoutMs: 300_000, wait: false });
    expect(issue({ name: 'x', argv: ['/usr/bin/stress-ng'], timeoutMs: 1000, wait: true })).toBeNull();
  });
  it('refuses shells and interpreters by name or path, unlisted names, odd paths, and bad fields', () => {
    expect(issue({ name: 'x', argv: ['bash', '-c', 'true'] })).toMatchObject({ path: 'argv.0' });
    expect(issue({ name: 'x', argv: ['/bin/sh', '-c', 'true'] })?.message).toMatch(/shell/);
    expect(issue({ name: 'x', argv: ['/usr/bin/dash'] })?.message).toMatch(/shell/);
    expect(issue({ name: 'x', argv: ['/usr/bin/python3.12', '-c', 'pass'] })?.message).toMatch(/interpreter/);
    expect(issue({ name: 'x', argv: ['/usr/bin/env', 'sh'] })?.message).toMatch(/shell/);
    expect(issue({ name: 'x', argv: ['rm', '-rf', '/'] })).toMatchObject({ path: 'argv.0' });
    expect(issue({ name: 'x', argv: ['./stress-ng'] })).toMatchObject({ path: 'argv.0' });
    expect(issue({ name: 'x', argv: ['/usr/../bin/sh'] })).toMatchObject({ path: 'argv.0' });
    expect(issue({ name: 'x', argv: 'stress-ng --cpu 1' })).toMatchObject({ path: 'argv' });
    expect(issue({ name: 'x', argv: [] })).toMatchObject({ path: 'argv' });
    expect(issue({ name: 'x', argv: ['sleep', 'a\0b'] })).toMatchObject({ path: 'argv.1' });
    expect(issue({ name: 'x', argv: ['sleep', '1'], timeoutMs: 50 })).toMatchObject({ path: 'timeoutMs' });
    expect(issue({ name: 'x', argv: ['sleep', '1'], timeoutMs: 4_000_000 })).toMatchObject({ path: 'timeoutMs' });
    expect(issue({ name: 'a/b', argv: ['sleep', '1'] })).toMatchObject({ path: 'name' });
    expect(issue({ name: 'x', argv: ['sleep', '1'], shell: true })).not.toBeNull();
  });
});

const lab = (cgroups: string, solve: string, check = '{ probe: cgroup-value, cgroup: box, value: memory, atMost: 32m }'): string => `id: cg-lab
level: beginner
minutes: 5
order: 1
topics: [cgroups]
title: { en: T, ko: 티 }
summary: { en: S, ko: 에스 }
cgroups:
${cgroups}
steps:
  - id: one
    title: { en: T, ko: 티 }
    goal: { en: G, ko: 지 }
    check:
      - ${check}
    solve:
${solve}
`;
const BOX = '  - name: box';
function refused(yaml: string): NslabError {
  try {
    parseLab(yaml, 'cg-lab.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(NslabError);
    return err as NslabError;
  }
  throw new Error('the lab was accepted');
}

describe('lab cgroup actions and probes', () => {
  it('a valid lab exports nslab cgroup lines', () => {
    const l = parseLab(lab(`${BOX}\n    limits: { cpuset-cpus: '0', memory: 64m }`, `      - { cgroup: cgroup.set, params: { name: box, limits: { memory: 20m } } }\n      - { cgroup: cgroup.run, params: { name: box, argv: [dd, if=/dev/zero, of=/dev/null, bs=1M, count=1], wait: true, timeoutMs: 5000 } }`), 'cg-lab.yaml');
    const script = exportScript(l);
    expect(script).toContain('nslab cgroup create cg-lab.box --memory 64m --cpuset-cpus 0');
    expect(script).toContain('nslab cgroup set cg-lab.box --memory 20m');
    expect(script).toContain('nslab cgroup exec cg-lab.box --timeout 5 --wait -- dd if=/dev/zero of=/dev/null bs=1M count=1');
    expect(script).toContain('nslab cgroup rm -f cg-lab.box');
  });
  it('refuses a shell in cgroup.run, an unknown group, a bad limit, an unknown method or value, with the line and field', () => {
    const shell = refused(lab(BOX, `      - { cgroup: cgroup.run, params: { name: box, argv: [sh, -c, 'yes'] } }`));
    expect(shell.message).toMatch(/cg-lab\.yaml:\d+: steps\.0\.solve\.0\.params\.argv\.0: cgroup\.run: program "sh"/);
    expect(refused(lab(BOX, `      - { cgroup: cgroup.set, params: { name: other, limits: { memory: 20m } } }`)).message).toMatch(/cgroup 'other' is not one of this lab's cgroups/);
    expect(refused(lab(BOX, `      - { cgroup: cgroup.set, params: { name: box, limits: { memory: 5m } } }`)).message).toMatch(/params\.limits\.memory: cgroup\.set: the minimum memory limit is 6m/);
    expect(refused(lab(BOX, `      - { cgroup: cgroup.kill, params: { name: box } }`)).message).toMatch(/cgroup must be one of cgroup\.set, cgroup\.run|an action is one of/);
    expect(refused(lab(BOX, `      - { cgroup: cgroup.set, params: { name: box, limits: {} } }`, '{ probe: cgroup-value, cgroup: box, value: memory.max }')).message).toMatch(/value must be a limit or statistic/);
    expect(refused(lab(`${BOX}\n    limits: { memory: 1m }`, `      - { cgroup: cgroup.set, params: { name: box, limits: {} } }`)).message).toMatch(/cgroups\.0\.limits\.memory/);
    expect(refused(lab(BOX, `      - { cgroup: cgroup.set, params: { name: box, limits: {} } }`, '{ probe: cpu-ratio, cgroups: [box, nope], ratio: 2 }')).message).toMatch(/cgroup 'nope' is not one of this lab's cgroups/);
    expect(refused(lab(BOX, `      - { cgroup: cgroup.set, params: { name: box, limits: {} } }`, '{ probe: cpu-usage, cgroup: box, windowMs: 60000 }')).message).toMatch(/at most 5000 ms/);
  });
});
