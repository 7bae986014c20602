// What nslab's own exported script rebuilds on a clean kernel, nslab then owns (the script ends with
// `nslab adopt`): the ledger records it and gc removes it. Delete works on an unrecorded marked namespace
// like on any other; and lab progress belongs to a lab run (a fresh up starts unchecked, gc ends the run).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcReport, LabProgress, LabSummary, LedgerObject } from '../../electron/shared/contract/index.js';
import { NSLAB, kernelState, markedNetns, nslab, nslabJson, tempStateDir } from '../support/cli.js';

const state = tempStateDir();
const bin = mkdtempSync(join(tmpdir(), 'nslab-bin-'));
const LAB = 'netns-veth';
const LAB_NETNS = ['nslab-veth-blue', 'nslab-veth-red'];
let before = '';

beforeAll(() => {
  before = kernelState();
  // `nslab` on PATH, as after `npm link` or a package install: the exported script calls it.
  symlinkSync(NSLAB, join(bin, 'nslab'));
});
afterAll(async () => {
  await nslab(state.dir, ['lab', 'down', LAB]);
  for (const ns of markedNetns().filter((n) => LAB_NETNS.includes(n) || n === 'nslab-adopt-me')) spawnSync('ip', ['netns', 'del', ns]);
  state.cleanup();
  rmSync(bin, { recursive: true, force: true });
  expect(kernelState()).toBe(before);
});

const ledger = async (): Promise<LedgerObject[]> => (await nslabJson<{ objects: LedgerObject[] }>(state.dir, ['rpc', 'ledger.list'])).objects;

describe('an exported script hands what it built to nslab', () => {
  it('run with bash on a clean kernel, it rebuilds the lab; nslab owns the result and gc removes it', async () => {
    const script = (await nslabJson<{ script: string }>(state.dir, ['lab', 'export', LAB, '--json'])).script;
    expect(script).toContain(`nslab adopt ${LAB_NETNS.slice().reverse().join(' ')}`);
    expect(markedNetns().filter((n) => LAB_NETNS.includes(n))).toEqual([]);
    const ran = spawnSync('bash', ['-e'], {
      input: script,
      encoding: 'utf8',
      env: { ...process.env, NSLAB_STATE_DIR: state.dir, PATH: [bin, dirname(process.execPath), process.env.PATH].join(':') },
    });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/adopted: netns nslab-veth-red, netns nslab-veth-blue|adopted: netns nslab-veth-blue, netns nslab-veth-red/);
    expect(markedNetns().filter((n) => LAB_NETNS.includes(n)).sort()).toEqual(LAB_NETNS);
    expect((await ledger()).filter((o) => LAB_NETNS.includes(o.name)).map((o) => [o.name, o.owner]).sort()).toEqual(LAB_NETNS.map((n) => [n, 'adopted']));

    const report = await nslabJson<GcReport>(state.dir, ['gc', '--json']);
    expect(report.deleted.map((o) => o.name).sort()).toEqual(LAB_NETNS);
    expect(report.unknown.filter((o) => LAB_NETNS.includes(o.name))).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(markedNetns().filter((n) => LAB_NETNS.includes(n))).toEqual([]);
  });

  it('without nslab on PATH the script still builds everything and says how to adopt', async () => {
    const script = (await nslabJson<{ script: string }>(state.dir, ['lab', 'export', LAB, '--json'])).script;
    const ran = spawnSync('bash', ['-e'], { input: script, encoding: 'utf8', env: { ...process.env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stderr).toMatch(/nslab is not on PATH: run `nslab adopt nslab-veth-red nslab-veth-blue`/);
    const gc = await nslabJson<GcReport>(state.dir, ['gc', '--json']);
    expect(gc.unknown.map((o) => o.name).sort()).toEqual(expect.arrayContaining(LAB_NETNS));
    expect(markedNetns().filter((n) => LAB_NETNS.includes(n)).sort()).toEqual(LAB_NETNS);
    // adopting by hand, as the script says, lets gc remove them. (Not `gc --adopt`: that would take in every
    // unrecorded nslab- object on this shared kernel, other suites' included.)
    const adopted = await nslabJson<{ adopted: LedgerObject[] }>(state.dir, ['adopt', ...LAB_NETNS, '--json']);
    expect(adopted.adopted.map((o) => o.name).sort()).toEqual(LAB_NETNS);
    const swept = await nslabJson<GcReport>(state.dir, ['gc', '--json']);
    expect(swept.deleted.map((o) => o.name).sort()).toEqual(LAB_NETNS);
    expect(markedNetns().filter((n) => LAB_NETNS.includes(n))).toEqual([]);
  });
});

describe('Delete works the same for every kind of object', () => {
  it('deletes a marked namespace nslab has no record of, and refuses a name that is not there', async () => {
    spawnSync('ip', ['netns', 'add', 'nslab-adopt-me']);
    expect((await ledger()).some((o) => o.name === 'nslab-adopt-me')).toBe(false);
    const del = await nslab(state.dir, ['rpc', 'net.netns.delete', '{"node":"adopt-me"}']);
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect(markedNetns()).not.toContain('nslab-adopt-me');
    const again = await nslab(state.dir, ['rpc', 'net.netns.delete', '{"node":"adopt-me"}']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'not-found', field: 'node' } });
  });

  it('adopt refuses a name that is no nslab object, changing nothing', async () => {
    const r = await nslab(state.dir, ['adopt', 'nslab-no-such-thing', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'not-found', field: 'names', missing: ['nslab-no-such-thing'] } });
  });
});

describe('lab progress belongs to a lab run', () => {
  const progress = async (): Promise<LabProgress> => (await nslabJson<{ labs: Record<string, LabProgress> }>(state.dir, ['lab', 'progress', LAB, '--json'])).labs[LAB]!;
  const listed = async (): Promise<LabSummary> => (await nslabJson<{ labs: LabSummary[] }>(state.dir, ['lab', 'list', '--json'])).labs.find((l) => l.id === LAB)!;

  it('a completed run is kept with its date; a fresh up starts unchecked; gc ends the run (no longer up)', async () => {
    await nslabJson(state.dir, ['lab', 'up', LAB, '--json']);
    await nslabJson(state.dir, ['lab', 'solve', LAB, '--json']);
    expect((await nslab(state.dir, ['lab', 'check', LAB])).code).toBe(0);
    const done = await progress();
    expect(done.passed.length).toBeGreaterThan(0);
    expect(done.completions).toHaveLength(1);
    expect(Date.parse(done.completions[0]!.at)).toBeGreaterThan(Date.parse(done.startedAt!) - 1);

    // up again on the running lab keeps the run
    await nslabJson(state.dir, ['lab', 'up', LAB, '--json']);
    expect((await progress()).passed).toEqual(done.passed);

    // gc removes the lab's namespaces: the lab is not up any more, and its next up is a fresh run
    await nslabJson(state.dir, ['gc', '--json']);
    expect((await listed()).up).toBe(false);
    expect((await nslab(state.dir, ['lab', 'list'])).stdout).not.toMatch(new RegExp(`${LAB}.*\\[up\\]`));
    await nslabJson(state.dir, ['lab', 'up', LAB, '--json']);
    const fresh = await progress();
    expect(fresh.passed).toEqual([]);
    expect(fresh.completedAt).toBeNull();
    expect(fresh.completions).toEqual(done.completions);
    expect((await nslab(state.dir, ['lab', 'check', LAB])).code).toBe(1); // nothing was solved in this run

    // Reset works on a stopped lab too: it starts it afresh
    await nslabJson(state.dir, ['lab', 'down', LAB, '--json']);
    await nslabJson(state.dir, ['lab', 'reset', LAB, '--json']);
    expect((await listed()).up).toBe(true);
    expect((await progress()).passed).toEqual([]);
    await nslabJson(state.dir, ['lab', 'down', LAB, '--json']);
  });
});
