// A terminal in a cgroup (pty.open with `cgroup`): the shell starts inside nslab/<name> in every hierarchy
// (checked from /proc/<pid>/cgroup before it ran anything of ours), what it runs is charged to the group,
// the launcher itself steps back out, and bad or impossible requests are refused with typed errors.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nslab, nslabJson } from '../support/cli.js';
import { markedCgroups } from '../support/cgroup.js';
import { useHelper } from '../support/helper.js';

process.env.NSLAB_PTY_GRACE_MS = '400';
const GROUP = 'pty-cg';
const NODE = 'ptycg';
let before: string[];
beforeAll(() => {
  before = markedCgroups();
});
const fixture = useHelper({
  setup: async (dir) => {
    await nslabJson(dir, ['rpc', 'net.netns.create', JSON.stringify({ node: NODE })]);
  },
  teardown: async (dir) => {
    await nslab(dir, ['gc']);
  },
});
afterAll(() => {
  expect(markedCgroups()).toEqual(before);
});

const call = <T = Record<string, unknown>>(method: string, params: unknown): Promise<T> => fixture.helper.call<T>(method, params);
const output = (id: string): string =>
  fixture.helper.messages.filter((m) => m.method === 'pty.data' && (m.params as { id: string }).id === id).map((m) => (m.params as { data: string }).data).join('');
const exitOf = (id: string) => fixture.helper.waitFor((m) => m.method === 'pty.exit' && (m.params as { id: string }).id === id);
const until = async (pred: () => boolean, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};
/** The group paths of a process, per hierarchy (`memory` → `/nslab/pty-cg`, `` → v2). */
const cgroupsOf = (pid: number): Map<string, string> =>
  new Map(
    readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(l)!;
        return [controllers!, path!] as [string, string];
      }),
  );
const errorOf = async (params: unknown): Promise<{ code: string; field?: string }> => {
  const reply = await fixture.helper.request('pty.open', params);
  expect(reply.error).toBeDefined();
  return (reply.error as { data: { code: string; field?: string } }).data;
};

describe('a terminal in a cgroup', () => {
  it('starts the shell inside the group in every hierarchy before it runs a command; the launcher steps out', async () => {
    const group = await call<{ dirs: string[] }>('cgroup.create', { name: GROUP, limits: { memory: '64m' } });
    const { id, pid, title } = await call<{ id: string; pid: number; title: string }>('pty.open', { target: { kind: 'host' }, cgroup: GROUP });
    expect(title).toBe(`host · nslab/${GROUP}`);
    // The first thing the shell says is where it was when it read its own /proc entry.
    fixture.helper.notify('pty.write', { id, data: 'echo "SHELL=$$ CG=$NSLAB_CGROUP"; cat /proc/$$/cgroup | sed "s/^/IN:/"\r' });
    await until(() => /SHELL=\d+ CG=nslab\/pty-cg/.test(output(id)) && /IN:.*memory/.test(output(id)));
    const shell = Number(/SHELL=(\d+)/.exec(output(id))![1]);
    const lines = output(id).split(/\r?\n/).filter((l) => l.startsWith('IN:'));
    // Every hierarchy the group has a directory in lists the shell under nslab/<group>.
    const memoryLine = lines.find((l) => /:memory:/.test(l));
    expect(memoryLine).toMatch(new RegExp(`:/nslab/${GROUP}\\s*$`));
    const mine = cgroupsOf(shell);
    for (const dir of group.dirs) {
      const [, hierarchy] = /^\/sys\/fs\/cgroup\/?(.*)\/nslab\//.exec(dir)!;
      const key = [...mine.keys()].find((k) => (hierarchy === '' || hierarchy === 'unified' ? k === '' : k.split(',').includes(hierarchy!.split(',')[0]!)));
      expect(mine.get(key!), dir).toBe(`/nslab/${GROUP}`);
      expect(readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n')).toContain(String(shell));
    }
    // The pty's own process (the launcher) went back where it came from: only the shell is charged.
    expect(shell).not.toBe(pid);
    expect([...cgroupsOf(pid).values()]).not.toContain(`/nslab/${GROUP}`);

    // What the shell runs is charged to the group: stress-ng holds 40 MiB for a few seconds.
    const memDir = group.dirs.find((d) => /\/memory\//.test(d) || !/\/sys\/fs\/cgroup\/[a-z_,]+\//.test(d))!;
    const usageFile = `${memDir}/${/\/memory\//.test(memDir) ? 'memory.usage_in_bytes' : 'memory.current'}`;
    const usage = (): number => Number(readFileSync(usageFile, 'utf8'));
    const idle = usage();
    fixture.helper.notify('pty.write', { id, data: 'stress-ng --vm 1 --vm-bytes 40M --vm-keep --timeout 4s --quiet; echo "STRESS=$?"\r' });
    await until(() => usage() > idle + 30 * 2 ** 20, 10_000);
    await until(() => /STRESS=0/.test(output(id)), 20_000);

    fixture.helper.notify('pty.write', { id, data: 'exit 3\r' });
    expect((await exitOf(id)).params).toMatchObject({ id, code: 3, signal: null });
    await call('cgroup.remove', { name: GROUP, force: true });
  });

  it('in a node: the shell is in the node’s network namespace and in the group', async () => {
    await call('cgroup.create', { name: GROUP, limits: {} });
    const { id } = await call<{ id: string }>('pty.open', { target: { kind: 'node', node: NODE }, cgroup: GROUP });
    fixture.helper.notify('pty.write', { id, data: 'echo "NS=$(ip netns identify $$) SH=$$"; grep -c "/nslab/pty-cg$" /proc/$$/cgroup | sed "s/^/N=/"; exit\r' });
    await exitOf(id);
    expect(output(id)).toContain(`NS=nslab-${NODE}`);
    expect(Number(/N=(\d+)/.exec(output(id))?.[1])).toBeGreaterThan(0);
    await call('cgroup.remove', { name: GROUP, force: true });
  });

  it('refuses a group that does not exist, and a bad name, with typed errors; opens nothing', async () => {
    const sessions = (await call<{ sessions: unknown[] }>('pty.list', {})).sessions.length;
    expect(await errorOf({ target: { kind: 'host' }, cgroup: 'no-such-group' })).toMatchObject({ code: 'not-found', field: 'cgroup' });
    expect(await errorOf({ target: { kind: 'host' }, cgroup: '../escape' })).toMatchObject({ code: 'invalid-params' });
    expect((await call<{ sessions: unknown[] }>('pty.list', {})).sessions.length).toBe(sessions);
  });
});
