// The output pacer: a shown terminal writes at once; a hidden one parses in small pieces, one task each,
// in order, acknowledging each message only once all of it was parsed.
import { describe, expect, it } from 'vitest';
import { OutputPacer } from '../../renderer/src/terminal/pacer';
import { cut } from '../../renderer/src/terminal/split';

/** A fake xterm whose parse completes when the test says so, and a task queue the test runs by hand. */
function harness(piece = 4) {
  const written: string[] = [];
  const parsing: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const acked: string[] = [];
  const pacer = new OutputPacer(
    (data, parsed) => {
      written.push(data);
      parsing.push(() => parsed?.());
    },
    (task) => tasks.push(task),
    piece,
  );
  const push = (data: string) => pacer.push(data, () => acked.push(data));
  /** xterm finishes everything it was given; then the page runs its background tasks. */
  const settle = () => {
    for (let i = 0; i < 100 && (parsing.length || tasks.length); i++) {
      parsing.splice(0).forEach((f) => f());
      tasks.splice(0).forEach((f) => f());
    }
  };
  return { pacer, written, parsing, tasks, acked, push, settle };
}

describe('OutputPacer', () => {
  it('writes straight through while the terminal is shown', () => {
    const h = harness();
    h.pacer.setVisible(true);
    h.push('0123456789');
    h.push('ab');
    expect(h.written).toEqual(['0123456789', 'ab']);
    h.settle();
    expect(h.acked).toEqual(['0123456789', 'ab']);
  });

  it('feeds a hidden terminal one piece per background task, and acknowledges a message once all of it is parsed', () => {
    const h = harness(4);
    h.push('0123456789');
    h.push('ab');
    expect(h.written).toEqual([]); // nothing before the page has time to spare
    expect(h.tasks).toHaveLength(1);
    h.tasks.shift()!();
    expect(h.written).toEqual(['0123']);
    h.push('cd'); // more output while a piece is in xterm: still one piece at a time
    expect(h.written).toEqual(['0123']);
    h.parsing.shift()!();
    expect(h.written).toEqual(['0123']); // the next piece waits for the next background task
    expect(h.tasks).toHaveLength(1);
    h.tasks.shift()!();
    expect(h.written).toEqual(['0123', '4567']);
    expect(h.acked).toEqual([]);
    h.settle();
    expect(h.written).toEqual(['0123', '4567', '89', 'ab', 'cd']);
    expect(h.acked).toEqual(['0123456789', 'ab', 'cd']);
  });

  it('keeps order when a hidden terminal is shown mid-flood: the rest goes at once, after the piece in flight', () => {
    const h = harness(4);
    h.push('0123456789');
    h.push('ab');
    h.tasks.shift()!();
    h.pacer.setVisible(true);
    h.push('cd');
    expect(h.written).toEqual(['0123']); // the piece in xterm is parsed first
    h.parsing.shift()!();
    expect(h.written).toEqual(['0123', '456789', 'ab', 'cd']);
    h.settle();
    expect(h.acked).toEqual(['0123456789', 'ab', 'cd']);
  });

  it('shown before its background task ran, a terminal writes everything at once', () => {
    const h = harness(4);
    h.push('0123456789');
    h.pacer.setVisible(true);
    expect(h.written).toEqual(['0123456789']);
    h.settle(); // the stale background task finds nothing to do
    expect(h.written).toEqual(['0123456789']);
    expect(h.acked).toEqual(['0123456789']);
  });

  it('a reset drops what was queued; a disposed pacer writes nothing', () => {
    const h = harness(4);
    h.push('0123456789');
    h.tasks.shift()!();
    h.pacer.clear();
    h.settle();
    expect(h.written).toEqual(['0123']);
    expect(h.acked).toEqual([]);
    h.pacer.dispose();
    h.pacer.setVisible(true);
    h.push('late');
    expect(h.written).toEqual(['0123']);
  });

  it('never cuts between the halves of a surrogate pair', () => {
    const text = 'a🚀b빨강';
    for (let max = 1; max <= text.length; max++) {
      const [head, rest] = cut(text, max);
      expect(head + rest).toBe(text);
      expect(head.length).toBeLessThanOrEqual(max);
      expect(/[\ud800-\udbff]$/.test(head)).toBe(false);
    }
  });
});
