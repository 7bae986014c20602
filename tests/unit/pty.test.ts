import type { IPty } from '@lydell/node-pty';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { methods } from '../../electron/shared/contract/index.js';
import { BATCH_DELAY_MS, BATCH_MAX_CHARS, OutputBatcher, STREAM_CHARS, TRICKLE_DELAY_MS } from '../../electron/helper/pty/batcher.js';
import { MAX_MESSAGE_BYTES } from '../../electron/shared/rpc.js';
import { FlowControl } from '../../electron/helper/pty/flow.js';
import { Scrollback } from '../../electron/helper/pty/scrollback.js';
import { PtySession, clampSize } from '../../electron/helper/pty/session.js';

afterEach(() => vi.useRealTimers());

describe('UTF-8 decoding of pty output (the real PtySession)', () => {
  const text = '안녕하세요, nslab! 빨강⇄파랑 🚀 끝';
  const bytes = Buffer.from(text);

  /** A PtySession over a pty whose reads the test cuts: what the owner received, and the scrollback. */
  function session() {
    const data: ((chunk: Buffer) => void)[] = [];
    const exits: ((e: { exitCode: number; signal?: number }) => void)[] = [];
    const proc = {
      pid: 4242,
      onData: (l: (chunk: Buffer) => void) => data.push(l),
      onExit: (l: (e: { exitCode: number; signal?: number }) => void) => exits.push(l),
      pause: () => undefined,
      resume: () => undefined,
      write: () => undefined,
      resize: () => undefined,
    };
    const sent: string[] = [];
    const s = new PtySession('t1', { kind: 'host' }, 'host', 'sh', proc as unknown as IPty, 'c1', { cols: 80, rows: 24 }, { data: (_id, d) => sent.push(d), exit: () => undefined });
    return {
      s,
      sent,
      read: (chunk: Buffer) => data.forEach((l) => l(chunk)),
      exit: () => exits.forEach((l) => l({ exitCode: 0 })),
    };
  }

  it('never splits a character, whatever byte offset a read ends at', () => {
    vi.useFakeTimers();
    for (let cut = 0; cut <= bytes.length; cut++) {
      const t = session();
      t.read(bytes.subarray(0, cut));
      vi.advanceTimersByTime(BATCH_DELAY_MS + 1); // the first read's batch goes out on its own
      const first = t.sent.join('');
      t.read(bytes.subarray(cut));
      t.exit();
      expect(t.sent.join(''), `cut at byte ${cut}`).toBe(text);
      expect(first, `cut at byte ${cut}`).not.toMatch(/\uFFFD/);
      expect(t.s.scrollback.text()).toBe(text);
    }
  });

  it('survives one-byte reads, and a character cut by the exit is not lost silently', () => {
    const t = session();
    for (const byte of bytes) t.read(Buffer.from([byte]));
    t.exit();
    expect(t.sent.join('')).toBe(text);
    const cut = session();
    cut.read(Buffer.from('끝').subarray(0, 2)); // the program died mid-character
    cut.exit();
    expect(cut.sent.join('')).toBe('\uFFFD');
  });
});

describe('OutputBatcher', () => {
  /** A batcher on fake timers whose clock the test moves. */
  function batcher(max = 1000) {
    vi.useFakeTimers();
    const sent: string[] = [];
    let now = 1000;
    const b = new OutputBatcher((d) => sent.push(d), max, () => now);
    const wait = (ms: number) => {
      now += ms;
      vi.advanceTimersByTime(ms);
    };
    return { b, sent, wait };
  }
  it('sends the first output after a quiet spell in the same turn, without waiting for a delay', () => {
    const { b, sent, wait } = batcher();
    b.push('a');
    b.push('b'); // read in the same turn: the same message
    expect(sent).toEqual([]);
    wait(1);
    expect(sent).toEqual(['ab']);
    wait(TRICKLE_DELAY_MS);
    b.push('c');
    wait(1);
    expect(sent).toEqual(['ab', 'c']);
  });
  it('small output arriving back to back waits the short delay', () => {
    const { b, sent, wait } = batcher();
    b.push('a');
    wait(1);
    b.push('b');
    b.push('c');
    wait(TRICKLE_DELAY_MS - 1);
    expect(sent).toEqual(['a']);
    wait(1);
    expect(sent).toEqual(['a', 'bc']);
  });
  it('while output streams, coalesces it for the long delay', () => {
    const { b, sent, wait } = batcher(STREAM_CHARS * 4);
    b.push('x'.repeat(STREAM_CHARS));
    wait(1);
    for (let i = 0; i < 100; i++) b.push('y');
    wait(BATCH_DELAY_MS - 1);
    expect(sent).toHaveLength(1);
    wait(1);
    expect(sent).toEqual(['x'.repeat(STREAM_CHARS), 'y'.repeat(100)]);
  });
  it('flushes at once when the size cap is reached', () => {
    const { b, sent } = batcher(10);
    b.push('12345');
    b.push('67890');
    expect(sent).toEqual(['1234567890']);
    b.push('a');
    b.drain();
    expect(sent).toEqual(['1234567890', 'a']);
    vi.runAllTimers();
    expect(sent).toEqual(['1234567890', 'a']); // nothing left scheduled sends twice
  });
  it('the largest batch fits a message even when JSON escapes every character', () => {
    const data = '\u0001'.repeat(BATCH_MAX_CHARS);
    const line = JSON.stringify({ jsonrpc: '2.0', method: 'pty.data', params: { id: 't99999999', data } });
    expect(Buffer.byteLength(line)).toBeLessThan(MAX_MESSAGE_BYTES);
  });
});

describe('FlowControl', () => {
  it('pauses above the high watermark and resumes only below the low one', () => {
    const log: string[] = [];
    const f = new FlowControl(() => log.push('pause'), () => log.push('resume'), 100, 10);
    f.sent(60);
    f.sent(60);
    expect(log).toEqual(['pause']);
    f.sent(50); // more data in flight while paused does not pause twice
    f.acknowledged(100);
    expect(log).toEqual(['pause']); // 70 left: still above low
    f.acknowledged(61);
    expect(log).toEqual(['pause', 'resume']);
    expect(f.unacknowledged).toBe(9);
    f.acknowledged(1000);
    expect(f.unacknowledged).toBe(0);
  });
  it('a new owner starts unpaused', () => {
    const log: string[] = [];
    const f = new FlowControl(() => log.push('pause'), () => log.push('resume'), 10, 1);
    f.sent(20);
    f.reset();
    expect(log).toEqual(['pause', 'resume']);
    expect(f.isPaused).toBe(false);
  });
});

describe('Scrollback', () => {
  it('keeps only the most recent characters, starting at a line boundary', () => {
    const s = new Scrollback(20);
    s.append(Buffer.from('line one\n'));
    s.append(Buffer.from('line two\n'));
    s.append(Buffer.from('line three\n'));
    expect(s.text().length).toBeLessThanOrEqual(20);
    expect(s.text()).toBe('line three\n');
  });

  it('keeps output whole until the ring is full, and a chunk bigger than the ring by its end', () => {
    const s = new Scrollback(16);
    expect(s.text()).toBe('');
    s.append(Buffer.from('abc'));
    s.append(Buffer.from('def'));
    expect(s.text()).toBe('abcdef');
    s.append(Buffer.from('0123456789ABCDEFGHIJ')); // 20 bytes into 16: only the last 16 stay
    expect(s.text()).toBe('456789ABCDEFGHIJ');
  });

  it('never opens inside a multi-byte character when the oldest bytes were dropped', () => {
    const s = new Scrollback(10);
    s.append(Buffer.from('ab빨강파랑')); // 2 + 4×3 bytes: the first 4 bytes go, cutting 빨 after its first byte
    expect(s.text()).toBe('강파랑');
    expect(s.text()).not.toMatch(/\uFFFD/);
  });

  it('leaves out a character the pty has sent only part of, before and after the ring wrapped', () => {
    const ko = Buffer.from('빨'); // 3 bytes
    const s = new Scrollback(16);
    s.append(Buffer.concat([Buffer.from('ab'), ko.subarray(0, 2)]));
    expect(s.text()).toBe('ab');
    s.append(ko.subarray(2));
    expect(s.text()).toBe('ab빨');
    s.append(Buffer.concat([Buffer.from('0123456789AB'), ko.subarray(0, 1)])); // wraps; ends on a lead byte
    expect(s.text()).toBe('빨0123456789AB'.slice(-13));
    expect(s.text()).not.toMatch(/\uFFFD/);
  });
});

describe('resize validation', () => {
  it('clamps sizes to what a terminal can be', () => {
    expect(clampSize(0, 0)).toEqual({ cols: 2, rows: 1 });
    expect(clampSize(80, 24)).toEqual({ cols: 80, rows: 24 });
    expect(clampSize(99999, 99999)).toEqual({ cols: 1000, rows: 500 });
  });
  it('refuses what is not a whole number', () => {
    const resize = methods['pty.resize'].params;
    for (const bad of [-1, 1.5, NaN, Infinity, '80', null]) expect(resize.safeParse({ id: 't1', cols: bad, rows: 24 }).success).toBe(false);
    expect(resize.safeParse({ id: 'x; rm', cols: 80, rows: 24 }).success).toBe(false);
  });
});
