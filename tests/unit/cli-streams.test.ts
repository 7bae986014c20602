// The CLI's streaming commands against a fake helper whose events come BEFORE the reply of the call that
// starts them (the helper may send a notification first, and a reply and an event read in one chunk reach
// the command in that order too: the reply's continuation runs only after the event was dispatched). A
// command that listened, or armed its stop, only after `await call` would miss the `end` and wait forever.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { methods } from '../../electron/shared/contract/index.js';
import { ConntrackEvent } from '../../electron/shared/contract/conntrack.js';
import { FwCountersEvent } from '../../electron/shared/contract/firewall.js';
import { MetricsSampleEvent } from '../../electron/shared/contract/metrics.js';
import { TraceEvent } from '../../electron/shared/contract/trace.js';
import type { Handlers } from '../../electron/helper/rpc/dispatcher.js';
import { fakeHelper, type FakeHelper } from '../support/fake-helper.js';
import { sampleOf, sampleVariant } from '../support/zod-sample.js';

let helper: FakeHelper;

vi.mock('../../electron/cli/client.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/cli/client.js')>();
  return { ...real, connectHelper: async () => real.clientOn(await helper.connect(), 'sandbox') };
});

const { buildProgram } = await import('../../electron/cli/program.js');

type Call = Parameters<Handlers['ct.watch']>[1];

/** How long a command may take to notice its end; far more than it needs, far less than "forever". */
const NOTICE_MS = 2000;

/**
 * Runs `nslab ARGS` in this process. `ended` is false when the command was still waiting NOTICE_MS later;
 * it is then released with SIGTERM so the next test starts clean.
 */
async function run(args: string[]): Promise<{ ended: boolean; stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const done = buildProgram().parseAsync(['node', 'nslab', ...args]).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([done, new Promise<false>((r) => (timer = setTimeout(() => r(false), NOTICE_MS)))]);
    clearTimeout(timer);
    if (!ended) {
      process.emit('SIGTERM');
      await done;
    }
    const code = Number(process.exitCode ?? 0);
    return { ended, stdout, stderr, code };
  } finally {
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}

/** How a watch whose conntrack could not run ends (the helper's reason is conntrack's stderr or exit code). */
const failedEnd: ConntrackEvent = { kind: 'end', netns: 'nslab-red', at: 0, reason: 'conntrack exited with 1' };

const lines = (stdout: string): { kind?: string }[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind?: string });

afterEach(() => vi.restoreAllMocks());

describe('a stream whose events come before the reply that starts it', () => {
  it('ct watch: an end before the ct.watch reply ends the command (it still unwatches, and a stopped watch exits 0)', async () => {
    helper = fakeHelper({
      'ct.watch': async (_p, call: Call) => {
        call.client.notify('ct.event', sampleVariant(ConntrackEvent, 'kind', 'entry'));
        call.client.notify('ct.event', { ...failedEnd, reason: 'stopped' });
        return sampleOf(methods['ct.watch'].result);
      },
      'ct.unwatch': async () => ({ netns: 'nslab-red', lost: 0 }),
    } as Partial<Handlers>);
    const r = await run(['ct', 'watch', 'red', '--json']);
    expect(r.ended, 'ct watch still waiting after its end event').toBe(true);
    expect(lines(r.stdout).map((l) => l.kind)).toEqual(['entry', 'end']);
    expect(helper.seen.map((s) => s.method)).toEqual(['ct.watch', 'ct.unwatch']);
    expect(r.code).toBe(0);
  });

  it('ct watch: an end says why the watch ended, and a failed watch exits 1', async () => {
    helper = fakeHelper({
      'ct.watch': async (_p, call: Call) => {
        call.client.notify('ct.event', failedEnd);
        return sampleOf(methods['ct.watch'].result);
      },
      'ct.unwatch': async () => ({ netns: 'nslab-red', lost: 0 }),
    } as Partial<Handlers>);
    const r = await run(['ct', 'watch', 'red']);
    expect(r.ended).toBe(true);
    expect(r.stderr).toMatch(/conntrack exited with 1/);
    expect(r.code).toBe(1);
  });

  it('ct watch: --duration ends a stream that never sends end', async () => {
    helper = fakeHelper({ 'ct.watch': async () => sampleOf(methods['ct.watch'].result), 'ct.unwatch': async () => ({ netns: 'nslab-red', lost: 0 }) } as Partial<Handlers>);
    const r = await run(['ct', 'watch', 'red', '--duration', '0.2', '--json']);
    expect(r.ended).toBe(true);
    expect(helper.seen.map((s) => s.method)).toEqual(['ct.watch', 'ct.unwatch']);
  });

  it('fw watch: --count sweeps that all came before the fw.watch reply end the command', async () => {
    helper = fakeHelper({
      'fw.watch': async (_p, call: Call) => {
        for (let i = 0; i < 2; i++) call.client.notify('fw.counters', sampleOf(FwCountersEvent));
        return sampleOf(methods['fw.watch'].result);
      },
    } as Partial<Handlers>);
    const r = await run(['fw', 'watch', 'red', '--count', '2', '--json']);
    expect(r.ended, 'fw watch still waiting after its last sweep').toBe(true);
    expect(lines(r.stdout)).toHaveLength(2);
  });

  it('top: a sample before the metrics.subscribe reply is shown, and SIGTERM ends it', async () => {
    helper = fakeHelper({
      'metrics.subscribe': async (_p, call: Call) => {
        call.client.notify('metrics.sample', sampleOf(MetricsSampleEvent));
        setTimeout(() => process.emit('SIGTERM'), 50);
        return sampleOf(methods['metrics.subscribe'].result);
      },
    } as Partial<Handlers>);
    const r = await run(['top', '--json']);
    expect(r.ended).toBe(true);
    expect(lines(r.stdout)).toHaveLength(1);
  });

  it('trace: every event sent before the trace.run reply is printed, end included', async () => {
    helper = fakeHelper({
      'trace.run': async (_p, call: Call) => {
        for (const kind of ['start', 'probe', 'hop', 'fate', 'end']) call.client.notify('trace.event', sampleVariant(TraceEvent, 'kind', kind));
        return sampleOf(methods['trace.run'].result);
      },
    } as Partial<Handlers>);
    const r = await run(['trace', '--from', 'red', '--to', '10.0.0.2', '--json']);
    expect(r.ended).toBe(true);
    expect(lines(r.stdout).map((l) => l.kind)).toEqual(['start', 'probe', 'hop', 'fate', 'end']);
  });

  it('container exec -it: output and the exit of a program that ended before the pty.open reply are not lost', async () => {
    const info = { ...sampleOf(methods['pty.open'].result), id: 'pty-quick' };
    helper = fakeHelper({
      'pty.open': async (_p, call: Call) => {
        call.client.notify('pty.data', { id: 'pty-other', data: 'not ours\n' });
        call.client.notify('pty.data', { id: info.id, data: 'hello\n' });
        call.client.notify('pty.exit', { id: info.id, code: 3, signal: null });
        return info;
      },
    } as Partial<Handlers>);
    const r = await run(['container', 'exec', '-it', 'c1', '--', 'sh', '-c', 'echo hello; exit 3']);
    expect(r.ended, 'container exec still waiting for an exit it had been sent').toBe(true);
    expect(r.stdout).toBe('hello\n');
    expect(r.code).toBe(3);
    expect(helper.seen).toContainEqual({ method: 'pty.ack', params: { id: info.id, chars: 6 } });
  });

  it('no stream leaves a signal handler behind once it has ended', async () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    helper = fakeHelper({
      'ct.watch': async (_p, call: Call) => {
        call.client.notify('ct.event', sampleVariant(ConntrackEvent, 'kind', 'end'));
        return sampleOf(methods['ct.watch'].result);
      },
      'ct.unwatch': async () => ({ netns: 'nslab-red', lost: 0 }),
      'fw.watch': async (_p, call: Call) => (call.client.notify('fw.counters', sampleOf(FwCountersEvent)), sampleOf(methods['fw.watch'].result)),
    } as Partial<Handlers>);
    expect((await run(['ct', 'watch', 'red', '--json'])).ended).toBe(true);
    expect((await run(['fw', 'watch', 'red', '--count', '1', '--json'])).ended).toBe(true);
    expect({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }).toEqual(before);
  });
});
