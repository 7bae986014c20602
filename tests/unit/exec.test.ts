import { describe, expect, it } from 'vitest';
import { classifyStderr, onActivity, run } from '../../electron/helper/exec/run.js';
import type { ActivityEvent } from '../../electron/shared/contract/index.js';

describe('classifyStderr', () => {
  it.each([
    ['Cannot create namespace file "/run/netns/nslab-red": File exists', 'exists'],
    ['RTNETLINK answers: File exists', 'exists'],
    ['Error: Unknown device type.', 'unsupported-kernel'],
    ['Cannot find device "eth9"', 'not-found'],
    ['Error: argument "nslab-x" is wrong: Invalid "netns" value', 'not-found'],
    ['RTNETLINK answers: Operation not permitted', 'permission-denied'],
    ['something odd', 'internal'],
  ])('%s → %s', (stderr, code) => expect(classifyStderr(stderr)).toBe(code));
});

describe('run', () => {
  it('passes argv untouched (no shell) and reports changes as activity', async () => {
    const seen: ActivityEvent[] = [];
    const stop = onActivity((e) => seen.push(e));
    const r = await run(['printf', '%s|', 'a b', '$(id)', ';'], { change: true });
    stop();
    expect(r.stdout).toBe('a b|$(id)|;|');
    expect(seen[0]).toMatchObject({ argv: ['printf', '%s|', 'a b', '$(id)', ';'], shell: ["printf '%s|' 'a b' '$(id)' ';'"], ok: true });
  });
  it('maps a missing program to tool-missing', async () => {
    await expect(run(['nslab-no-such-tool'])).rejects.toMatchObject({ code: 'tool-missing' });
  });
  it('maps a non-zero exit with stderr to a typed error carrying the command', async () => {
    await expect(run(['sh', '-c', 'echo "RTNETLINK answers: File exists" >&2; exit 2'])).rejects.toMatchObject({ code: 'exists', data: { exitCode: 2 } });
  });
  it('times out and can be cancelled', async () => {
    await expect(run(['sleep', '5'], { timeoutMs: 50 })).rejects.toMatchObject({ code: 'timeout' });
    const ac = new AbortController();
    const p = run(['sleep', '5'], { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
  });
  it('feeds stdin', async () => {
    expect((await run(['cat'], { input: 'netns add x\n' })).stdout).toBe('netns add x\n');
  });
  it('reads stdout through a file when asked: all of it, from many writes, with stderr and errors as through a pipe', async () => {
    // 3,000 lines from 3,000 writes, more than a pipe's buffer holds
    const r = await run(['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); done; echo done >&2'], { stdoutFile: true });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    expect(lines[2999]).toBe('line 2999');
    expect(r.stderr).toBe('done\n');
    expect((await run(['cat'], { input: 'netns add x\n', stdoutFile: true })).stdout).toBe('netns add x\n');
    expect((await run(['true'], { stdoutFile: true })).stdout).toBe('');
    await expect(run(['nslab-no-such-tool'], { stdoutFile: true })).rejects.toMatchObject({ code: 'tool-missing' });
    await expect(run(['sh', '-c', 'echo "RTNETLINK answers: File exists" >&2; exit 2'], { stdoutFile: true })).rejects.toMatchObject({ code: 'exists' });
  });
});
