import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyStderr, onActivity, run } from '../../electron/helper/exec/run.js';
import { FrameReader, encodeFrame } from '../../electron/helper/exec/spawn-frames.js';
import { spawnerPath, startAnchor, stopSpawner, useSpawner } from '../../electron/helper/exec/spawner.js';
import type { ActivityEvent } from '../../electron/shared/contract/index.js';
import { NslabError } from '../../electron/shared/errors.js';

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

// Every behaviour of run() holds whether the program is started from this process or from the spawner
// (which needs the build's out/node/spawner.mjs: useSpawner must find it, or the test fails).
describe.each(['here', 'spawner'] as const)('run, programs started %s', (mode) => {
  let spawnerPid: number | null = null;
  beforeAll(() => {
    if (mode === 'spawner') spawnerPid = useSpawner();
  });
  afterAll(() => stopSpawner());
  it('starts the program from the process it says', async () => {
    if (mode === 'spawner') expect(spawnerPid).toEqual(expect.any(Number));
    const ppid = Number((await run(['sh', '-c', 'echo $PPID'])).stdout);
    expect(ppid).toBe(mode === 'spawner' ? spawnerPid : process.pid);
  });
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
  it('starts a program before its stdin is known, and reports the lines given with it', async () => {
    const seen: ActivityEvent[] = [];
    const stop = onActivity((e) => seen.push(e));
    let give: (v: { input: string; shell: string[] }) => void = () => undefined;
    const later = new Promise<{ input: string; shell: string[] }>((resolve) => (give = resolve));
    // the program is running (it made its marker) while its stdin is still open
    const marker = `/tmp/nslab-later-started-${process.pid}-${mode}`;
    const started = run(['sh', '-c', `touch ${marker}; cat`], { later, change: true });
    await expect.poll(() => existsSync(marker)).toBe(true);
    rmSync(marker);
    give({ input: 'a\nb\n', shell: ['line a', 'line b'] });
    const r = await started;
    stop();
    expect(r.stdout).toBe('a\nb\n');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ shell: ['line a', 'line b'], ok: true });
  });
  it('kills a program whose stdin was withdrawn before it read any, rejects with why, and reports nothing', async () => {
    const seen: ActivityEvent[] = [];
    const stop = onActivity((e) => seen.push(e));
    let drop: (e: Error) => void = () => undefined;
    const later = new Promise<{ input: string }>((_, reject) => (drop = reject));
    const marker = `nslab-later-${process.pid}-${mode}`;
    const started = run(['sh', '-c', `cat > /dev/null; touch /tmp/${marker}`], { later, change: true });
    await new Promise((r) => setTimeout(r, 100));
    drop(new NslabError('invalid-params', 'line 3 is refused'));
    await expect(started).rejects.toMatchObject({ code: 'invalid-params', message: 'line 3 is refused' });
    stop();
    expect(seen).toEqual([]);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
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
  it('keeps large output whole, through a pipe and through a file, with the environment asked for', async () => {
    const script = 'head -c 3000000 /dev/zero | tr "\\0" x; printf "%s" "$NSLAB_T" >&2';
    for (const stdoutFile of [false, true]) {
      const r = await run(['sh', '-c', script], { stdoutFile, env: { NSLAB_T: `é ${mode}` } });
      expect(r.stdout.length).toBe(3_000_000);
      expect(r.stdout.replaceAll('x', '')).toBe('');
      expect(r.stderr).toBe(`é ${mode}`);
    }
  });
  it('runs many programs at once and gives each its own answer', async () => {
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => run(['sh', '-c', `echo ${i}; echo e${i} >&2`])));
    rs.forEach((r, i) => expect([r.stdout, r.stderr]).toEqual([`${i}\n`, `e${i}\n`]));
  });
  it('answers at the end mark on stderr, before the program exits; a failure before the mark is still one', async () => {
    // the program reads its input, says the mark, then takes 2 s to exit (as iptables-restore waits on close)
    const script = 'read a; echo "warn $a" >&2; read b; echo "x: line 2 failed" >&2; sleep 2; echo late; exit 1';
    const t0 = performance.now();
    const r = await run(['sh', '-c', script], { input: 'one\nmark\n', endMark: ': line 2 failed' });
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'warn one\n' });
    const early = run(['sh', '-c', 'echo "x: line 1 failed" >&2; exit 3'], { input: 'bad\nmark\n', endMark: ': line 2 failed' });
    await expect(early).rejects.toMatchObject({ code: 'internal', message: 'x: line 1 failed' });
  });
});

/** A live process (not a zombie) with this pid. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
async function until(ok: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the spawner', () => {
  it('fails what it was running when it dies, and the next run starts a new one', async () => {
    const first = useSpawner();
    try {
      const running = run(['sleep', '1']);
      await new Promise((r) => setTimeout(r, 100));
      process.kill(first!, 'SIGKILL');
      await expect(running).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/spawner .* exited while sleep ran/) });
      const ppid = Number((await run(['sh', '-c', 'echo $PPID'])).stdout);
      expect(ppid).not.toBe(first);
      expect(ppid).not.toBe(process.pid);
    } finally {
      stopSpawner();
    }
  });
  it('exits as soon as its input ends (the helper closed it or died), and takes its anchors along', async () => {
    const child = spawn(process.execPath, [spawnerPath()], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = new Promise<number>((resolve) => {
      const reader = new FrameReader((h) => (h as { t: string; pid: number }).t === 'started' && resolve((h as { pid: number }).pid));
      child.stdout.on('data', (d: Buffer) => reader.push(d));
    });
    child.stdin.write(encodeFrame({ t: 'track', id: 1, program: 'sleep', args: ['30'], env: { PATH: process.env.PATH } }));
    const anchor = await started;
    expect(alive(anchor)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull(); // it waits for requests
    child.stdin.end();
    await expect(exited).resolves.toBe(0);
    await until(() => !alive(anchor));
  });
  it('parks anchors and kills them on request, their pid known once started', async () => {
    useSpawner();
    try {
      const anchor = startAnchor(['sleep', '30']);
      await until(() => anchor.pid > 0);
      expect(readFileSync(`/proc/${anchor.pid}/comm`, 'utf8').trim()).toBe('sleep');
      anchor.kill();
      await anchor.exited;
      await until(() => !alive(anchor.pid));
    } finally {
      stopSpawner();
    }
  });
});

describe('spawner frames', () => {
  it('hands over each frame whole, however the bytes are cut', () => {
    const frames = [encodeFrame({ t: 'done', id: 1 }, Buffer.from('out')), encodeFrame({ t: 'kill', id: 2 }), encodeFrame({ id: 3, s: 'é' }, Buffer.alloc(70_000, 7))];
    const wire = Buffer.concat(frames);
    for (const cut of [1, 3, 8, 9, 100, 65_536, wire.length]) {
      const got: [unknown, number][] = [];
      const reader = new FrameReader((h, body) => got.push([h, body.length]));
      for (let at = 0; at < wire.length; at += cut) reader.push(wire.subarray(at, at + cut));
      expect(got).toEqual([[{ t: 'done', id: 1 }, 3], [{ t: 'kill', id: 2 }, 0], [{ id: 3, s: 'é' }, 70_000]]);
    }
  });
});
