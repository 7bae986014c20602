// The one mutation pattern (useMutations): one action of a family at a time, each error under its own key
// until that action runs again, a done note only when asked for, and the refresh only after a success.
import { describe, expect, it } from 'vitest';
import { NslabError } from '../../electron/shared/errors';
import { useMutations } from '../../renderer/src/composables/useMutations';
import { EarlyOutput } from '../../renderer/src/terminal/early';

describe('useMutations', () => {
  it('keeps each error under its key, refreshes after a success only, and runs one action at a time', async () => {
    let refreshed = 0;
    const m = useMutations<'up' | 'down'>(() => refreshed++);
    expect(await m.run('up', () => Promise.reject(new NslabError('busy', 'the ledger is locked')))).toBeUndefined();
    expect(m.errors.up?.code).toBe('busy');
    expect(refreshed).toBe(0);

    let release!: () => void;
    const slow = m.run('down', () => new Promise<string>((r) => (release = () => r('gone'))), (r) => `${r}!`);
    expect(m.busy.value).toBe('down');
    expect(await m.run('up', async () => 'ignored')).toBeUndefined(); // refused while 'down' runs
    release();
    expect(await slow).toBe('gone');
    expect(m.done.value).toEqual({ key: 'down', text: 'gone!' });
    expect(m.errors.up?.code).toBe('busy'); // another action's success does not clear it
    expect(refreshed).toBe(1);
    expect(m.finished.value).toBe(2);

    expect(await m.run('up', async () => 1)).toBe(1);
    expect(m.errors.up).toBeUndefined();
    expect(m.done.value).toBeNull(); // no note asked for
    expect(m.busy.value).toBeNull();
  });
});

describe('EarlyOutput', () => {
  it('hands over what arrived before the screen was ready, in order, once', () => {
    const early = new EarlyOutput();
    early.hold('t1', 'a');
    early.hold('t2', 'x');
    early.hold('t1', 'b');
    const written: string[] = [];
    early.flush('t1', (d) => written.push(d));
    early.flush('t1', (d) => written.push(d));
    expect(written).toEqual(['a', 'b']);
    early.drop('t2');
    early.flush('t2', (d) => written.push(d));
    expect(written).toEqual(['a', 'b']);
  });
});
