// Terminals that outlive their tab: the grace timer after the last client leaves, a grace change that
// applies to waiting terminals, the remembered grace (a 0600 file), and the scrollback replayed on attach
// as flow-controlled output.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPty } from '@lydell/node-pty';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BATCH_MAX_CHARS } from '../../electron/helper/pty/batcher.js';
import { GRACE_FILE, initialGraceMs, storeGraceMs } from '../../electron/helper/pty/grace.js';
import { Scrollback } from '../../electron/helper/pty/scrollback.js';
import { PtySession } from '../../electron/helper/pty/session.js';
import { PTY_GRACE, methods } from '../../electron/shared/contract/index.js';

afterEach(() => vi.useRealTimers());

/** A PtySession over a fake pty: what its owner received, and the signals it got (kill goes to process.kill). */
function session() {
  const data: ((chunk: Buffer) => void)[] = [];
  const log: string[] = [];
  const proc = {
    pid: 2_000_000_000, // no such process: kill() finds nothing to signal
    onData: (l: (chunk: Buffer) => void) => data.push(l),
    onExit: () => undefined,
    pause: () => log.push('pause'),
    resume: () => log.push('resume'),
    write: () => undefined,
    resize: () => undefined,
  };
  const sent: string[] = [];
  const s = new PtySession('t1', { kind: 'host' }, 'host', '/bin/bash -l', proc as unknown as IPty, 'c1', { cols: 80, rows: 24 }, { data: (_id, d) => sent.push(d), exit: () => undefined });
  const kills: string[] = [];
  vi.spyOn(s, 'kill').mockImplementation((signal) => void kills.push(signal));
  return { s, sent, log, kills, read: (text: string) => data.forEach((l) => l(Buffer.from(text))) };
}

describe('the grace after the last client leaves', () => {
  it('hangs up once the grace has passed, not before, and says when in pty.list', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const t = session();
    t.s.owner = null;
    t.s.hangupAfter(10 * 60_000);
    expect(t.s.info()).toMatchObject({ clients: 0, endsAt: '2026-12-01T10:10:00.000Z', command: '/bin/bash -l' });
    vi.advanceTimersByTime(10 * 60_000 - 1);
    expect(t.kills).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(t.kills).toEqual(['SIGHUP']);
  });

  it('a client attaching in time cancels the hang-up', () => {
    vi.useFakeTimers();
    const t = session();
    t.s.owner = null;
    t.s.hangupAfter(1000);
    t.s.takeOver('c2');
    vi.advanceTimersByTime(5000);
    expect(t.kills).toEqual([]);
    expect(t.s.info()).toMatchObject({ clients: 1, endsAt: null });
  });

  it('a changed grace counts from when the last client left', () => {
    vi.useFakeTimers({ now: 0 });
    const t = session();
    t.s.owner = null;
    t.s.hangupAfter(10_000);
    vi.advanceTimersByTime(4000);
    t.s.regrace(10_000, 5000); // 1 s left
    vi.advanceTimersByTime(999);
    expect(t.kills).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(t.kills).toEqual(['SIGHUP']);
    const u = session();
    u.s.owner = null;
    u.s.hangupAfter(1000);
    u.s.regrace(1000, 60_000);
    vi.advanceTimersByTime(59_999);
    expect(u.kills).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(u.kills).toEqual(['SIGHUP']);
  });

  it('an attached terminal is not rescheduled by a grace change', () => {
    vi.useFakeTimers();
    const t = session();
    t.s.regrace(1000, 0);
    vi.advanceTimersByTime(10_000);
    expect(t.kills).toEqual([]);
  });
});

describe('replay on attach', () => {
  it('sends the scrollback as output in batch-sized pieces, counted by flow control, never twice', () => {
    vi.useFakeTimers();
    const t = session();
    const big = 'x'.repeat(200_000) + '\n';
    t.read(big); // above the batch cap: sent at once
    t.read('pending'); // still in the batcher: it goes to the old owner, and only once more, inside the replay
    t.sent.length = 0;
    const chars = t.s.takeOver('c2');
    expect(chars).toBe(big.length + 'pending'.length);
    expect(t.sent.every((piece) => piece.length <= BATCH_MAX_CHARS)).toBe(true);
    const replayed = t.sent.slice(1).join('');
    expect(t.sent[0]).toBe('pending'); // the old owner's last batch, drained first
    expect(replayed === big + 'pending').toBe(true);
    expect(t.s.flow.unacknowledged).toBe(chars);
    t.s.flow.acknowledged(chars);
    expect(t.s.flow.unacknowledged).toBe(0);
    vi.advanceTimersByTime(100);
    expect(t.sent.length).toBe(3); // nothing more comes on its own
  });

  it('a ring of 256 KiB: the oldest output goes first', () => {
    const s = new Scrollback();
    for (let i = 0; i < 1000; i++) s.append(Buffer.from(`${String(i).padStart(4, '0')} ${'y'.repeat(995)}\n`));
    const text = s.text();
    expect(text.length).toBeLessThanOrEqual(256 * 1024);
    expect(text.length).toBeGreaterThan(250 * 1024);
    expect(text.startsWith('0')).toBe(true);
    expect(text).toContain('0999 ');
    expect(text).not.toContain('0700 ');
  });
});

describe('the remembered grace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-grace-'));
  afterEach(() => rmSync(join(dir, GRACE_FILE), { force: true }));

  it('is the default until chosen, then what was chosen, in a file only its owner reads', () => {
    expect(initialGraceMs(dir, {})).toBe(PTY_GRACE.defaultMs);
    expect(PTY_GRACE.defaultMs).toBe(600_000);
    storeGraceMs(dir, 90_000);
    expect(initialGraceMs(dir, {})).toBe(90_000);
    expect(statSync(join(dir, GRACE_FILE)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, GRACE_FILE), 'utf8'))).toEqual({ graceMs: 90_000 });
  });

  it('NSLAB_PTY_GRACE_MS wins; a broken file or value falls back to the default', () => {
    storeGraceMs(dir, 90_000);
    expect(initialGraceMs(dir, { NSLAB_PTY_GRACE_MS: '400' })).toBe(400);
    expect(initialGraceMs(dir, { NSLAB_PTY_GRACE_MS: 'soon' })).toBe(90_000);
    storeGraceMs(dir, -5 as number);
    expect(initialGraceMs(dir, {})).toBe(PTY_GRACE.defaultMs);
  });

  it('pty.config refuses what is not a grace, naming the field', () => {
    const params = methods['pty.config'].params;
    expect(params.safeParse({}).success).toBe(true);
    expect(params.safeParse({ graceMs: 0 }).success).toBe(true);
    for (const bad of [-1, 1.5, PTY_GRACE.maxMs + 1, '10m']) {
      const r = params.safeParse({ graceMs: bad });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/graceMs/);
    }
  });
});
