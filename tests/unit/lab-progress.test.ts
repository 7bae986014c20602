import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { beginRun, emptyProgress, ProgressStore, recordCheck } from '../../electron/helper/labs/progress.js';

const dir = mkdtempSync(join(tmpdir(), 'nslab-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const steps = ['build', 'ping'];

describe('lab progress belongs to a run', () => {
  it('a finished run joins the history once, with its dates; a new run starts with nothing passed', () => {
    let p = beginRun(emptyProgress(), '2026-12-01T10:00:00.000Z');
    p = recordCheck(p, steps, [{ id: 'build', ok: true }], '2026-12-01T10:01:00.000Z');
    expect(p.passed).toEqual(['build']);
    expect(p.completedAt).toBeNull();
    p = recordCheck(p, steps, [{ id: 'build', ok: true }, { id: 'ping', ok: true }], '2026-12-01T10:02:00.000Z');
    p = recordCheck(p, steps, [{ id: 'build', ok: true }, { id: 'ping', ok: true }], '2026-12-01T10:03:00.000Z');
    expect(p.completedAt).toBe('2026-12-01T10:02:00.000Z');
    expect(p.completions).toEqual([{ at: '2026-12-01T10:02:00.000Z', startedAt: '2026-12-01T10:00:00.000Z', hints: 0, solved: 0 }]);
    const next = beginRun(p, '2026-12-02T09:00:00.000Z');
    expect(next).toMatchObject({ startedAt: '2026-12-02T09:00:00.000Z', passed: [], hints: 0, solved: [], completedAt: null });
    expect(next.completions).toEqual(p.completions);
  });

  it('a step that fails again is unchecked', () => {
    const p = recordCheck({ ...emptyProgress(), passed: ['build', 'ping'] }, steps, [{ id: 'ping', ok: false }], 'now');
    expect(p.passed).toEqual(['build']);
  });

  it('reads progress written before runs had a history: its completion becomes the history', () => {
    const store = new ProgressStore(dir, 'learner');
    writeFileSync(join(dir, 'labs', 'progress.json'), JSON.stringify({ learner: { 'netns-veth': { startedAt: 'a', passed: ['x'], hints: 2, solved: [], completedAt: 'b' } } }));
    expect(store.get('netns-veth').completions).toEqual([{ at: 'b', startedAt: 'a', hints: 2, solved: 0 }]);
    expect(store.get('other')).toEqual(emptyProgress());
  });
});
