import { mkdtempSync, readFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActivityEvent } from '../../electron/shared/contract/index.js';
import { ActivityJournal, ACTIVITY_FILE } from '../../electron/helper/activity/journal.js';
import { activityHandlers } from '../../electron/helper/activity/handlers.js';
import { onActivity, reportActivity, withActivityScope } from '../../electron/helper/exec/run.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'nslab-activity-'));
  dirs.push(d);
  return d;
};
const ev = (line: string, extra: Partial<ActivityEvent> = {}): ActivityEvent => ({ at: new Date().toISOString(), argv: line.split(' '), shell: [line], ok: true, ms: 1, ...extra });

describe('ActivityJournal', () => {
  it('survives a restart: a new journal on the same state dir reads what the old one wrote, and numbers on', () => {
    const dir = stateDir();
    const first = new ActivityJournal(dir);
    first.append(ev('ip netns add nslab-red'));
    first.append(ev('ip netns add nslab-blue'));
    const second = new ActivityJournal(dir);
    const r = second.append(ev('ip netns del nslab-red'));
    expect(second.list().map((e) => e.shell[0])).toEqual(['ip netns add nslab-red', 'ip netns add nslab-blue', 'ip netns del nslab-red']);
    expect(r.seq).toBe(3);
    expect(second.list({ session: second.session })).toHaveLength(1);
    expect(readFileSync(join(dir, ACTIVITY_FILE), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('is bounded: the oldest go first, and the file is compacted', () => {
    const dir = stateDir();
    const j = new ActivityJournal(dir, 3);
    for (let i = 1; i <= 7; i++) j.append(ev(`ip netns add nslab-n${i}`));
    expect(j.list().map((e) => e.shell[0])).toEqual(['ip netns add nslab-n5', 'ip netns add nslab-n6', 'ip netns add nslab-n7']);
    expect(new ActivityJournal(dir, 3).list()).toHaveLength(3);
    expect(readFileSync(join(dir, ACTIVITY_FILE), 'utf8').trim().split('\n').length).toBeLessThan(6);
  });

  it('skips a torn last line left by a crash', () => {
    const dir = stateDir();
    new ActivityJournal(dir).append(ev('ip netns add nslab-red'));
    appendFileSync(join(dir, ACTIVITY_FILE), '{"at":"2026-');
    expect(new ActivityJournal(dir).list()).toHaveLength(1);
  });

  it('filters by time and owner; exports the successful commands of one lab as a script', async () => {
    const j = new ActivityJournal(stateDir());
    j.append(ev('ip netns add nslab-x', { at: '2026-01-01T00:00:00Z' }));
    j.append(ev('ip netns add nslab-veth-red', { owner: 'lab:veth' }));
    j.append(ev('ip netns add nslab-veth-red', { owner: 'lab:veth', ok: false }));
    expect(j.list({ since: '2026-06-01T00:00:00Z' })).toHaveLength(2);
    const h = activityHandlers(j);
    const { script, commands } = await h['activity.export']({ owner: 'lab:veth' }, undefined as never);
    expect(commands).toBe(1);
    expect(script).toMatch(/^#!\/bin\/sh\n# .*lab:veth.*\nset -e\n\nip netns add nslab-veth-red\n/);
    expect(script).not.toContain('nslab-x');
  });
});

describe('activity scopes', () => {
  it('a probe reports nothing; an owner scope tags every change inside it', async () => {
    const seen: ActivityEvent[] = [];
    const stop = onActivity((e) => seen.push(e));
    try {
      await withActivityScope({ probe: true }, async () => reportActivity(ev('ip netns add nslab-probe-1')));
      await withActivityScope({ owner: 'lab:veth' }, async () => {
        await Promise.resolve();
        reportActivity(ev('ip netns add nslab-veth-red'));
      });
      reportActivity(ev('ip netns add nslab-red'));
    } finally {
      stop();
    }
    expect(seen.map((e) => [e.shell[0], e.owner])).toEqual([
      ['ip netns add nslab-veth-red', 'lab:veth'],
      ['ip netns add nslab-red', undefined],
    ]);
  });
});
