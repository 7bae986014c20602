// The helper launcher with electron mocked and spawn faked: root → direct, else pkexec, else the user-
// namespace sandbox (argv only), pkexec refusal → sandbox with the reason, restart on death, give up.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { helperPlans, type LaunchPlan, type PlanInput } from '../../electron/main/helper-plans.js';
import { HelperLauncher, type LauncherStatus, type SpawnFn } from '../../electron/main/launcher.js';

vi.mock('electron', () => {
  throw new Error('the launcher must not need electron at runtime');
});

const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  uid: 1000,
  node: { command: '/usr/bin/node', env: {} },
  cli: '/app/out/node/cli.mjs',
  pkexec: '/usr/bin/pkexec',
  unshare: '/usr/bin/unshare',
  wrapper: null,
  sandboxStateDir: '/home/u/.local/state/nslab/sandbox',
  env: { PATH: '/usr/bin', HOME: '/home/u' },
  ...over,
});

describe('helperPlans', () => {
  it('runs the helper directly when we are root, and only then', () => {
    const plans = helperPlans(input({ uid: 0 }));
    expect(plans).toEqual([expect.objectContaining({ mode: 'host', via: 'direct', command: '/usr/bin/node', args: ['/app/out/node/cli.mjs', 'helper', '--stdio'] })]);
  });

  it('asks pkexec first, then falls back to an unshare sandbox', () => {
    const [pk, sb] = helperPlans(input());
    expect(pk).toMatchObject({ mode: 'host', via: 'pkexec', command: '/usr/bin/pkexec', args: ['/usr/bin/node', '/app/out/node/cli.mjs', 'helper', '--stdio'] });
    expect(sb).toMatchObject({
      mode: 'sandbox',
      via: 'unshare',
      command: '/usr/bin/unshare',
      args: ['--user', '--map-root-user', '--net', '--mount', '--', '/usr/bin/node', '/app/out/node/cli.mjs', 'helper', '--stdio'],
    });
    expect(sb!.env).toMatchObject({ NSLAB_SANDBOX: '1', NSLAB_STATE_DIR: '/home/u/.local/state/nslab/sandbox' });
    expect(pk!.env.NSLAB_SANDBOX).toBeUndefined();
  });

  it('uses the installed polkit program when present, passing it nothing', () => {
    const [pk] = helperPlans(input({ wrapper: '/usr/lib/nslab/nslab-helper' }));
    expect(pk).toMatchObject({ command: '/usr/bin/pkexec', args: ['/usr/lib/nslab/nslab-helper'] });
  });

  it('passes Electron’s node mode through env(1) arguments, since pkexec clears the environment', () => {
    const [pk, sb] = helperPlans(input({ node: { command: '/opt/nslab/nslab', env: { ELECTRON_RUN_AS_NODE: '1' } } }));
    expect(pk!.args).toEqual(['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', '/opt/nslab/nslab', '/app/out/node/cli.mjs', 'helper', '--stdio']);
    expect(sb!.env.ELECTRON_RUN_AS_NODE).toBe('1');
  });

  it('offers what is installed, and never a shell', () => {
    expect(helperPlans(input({ pkexec: null })).map((p) => p.via)).toEqual(['unshare']);
    expect(helperPlans(input({ pkexec: null, unshare: null }))).toEqual([]);
    for (const plan of [...helperPlans(input()), ...helperPlans(input({ uid: 0 }))]) {
      expect([plan.command, ...plan.args].some((a) => /^(\/bin\/)?(ba)?sh$|^-c$/.test(a)), plan.via).toBe(false);
    }
  });
});

/** A child process double: stdio streams and the events the launcher listens to. */
class FakeChild extends EventEmitter {
  stdin = new PassThrough();
  stdout = new PassThrough();
  stderr = new PassThrough();
  exitCode: number | null = null;
  signalCode: string | null = null;
  kill = vi.fn(() => true);
  written: string[] = [];
  constructor() {
    super();
    this.stdin.on('data', (d: Buffer) => this.written.push(d.toString()));
  }
  ready(): void {
    this.stderr.write('nslab helper 42 ready on stdio and /x/helper.sock\n');
  }
  die(code: number | null, signal: string | null = null): void {
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

const plan = (via: LaunchPlan['via'], mode: LaunchPlan['mode'] = via === 'unshare' ? 'sandbox' : 'host'): LaunchPlan => ({ mode, via, command: `/usr/bin/${via}`, args: [], env: {} });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function harness(plans: LaunchPlan[], behave: (child: FakeChild, command: string, n: number) => void, opts: { maxRestarts?: number } = {}) {
  const statuses: LauncherStatus[] = [];
  const children: FakeChild[] = [];
  const spawn: SpawnFn = vi.fn((command: string) => {
    const child = new FakeChild();
    children.push(child);
    setTimeout(() => behave(child, command, children.length), 1);
    return child as unknown as ChildProcess;
  });
  const launcher = new HelperLauncher({ plans, spawn, onStatus: (s) => statuses.push(s), backoffMs: 1, readyTimeoutMs: () => 200, ...opts });
  return { launcher, statuses, children, spawn };
}

describe('HelperLauncher', () => {
  it('starts by the first plan, then relays messages over its stdio', async () => {
    const h = harness([plan('pkexec'), plan('unshare')], (c) => c.ready());
    await h.launcher.start();
    expect(h.statuses.map((s) => s.state)).toEqual(['starting', 'ready']);
    expect(h.statuses[1]).toMatchObject({ mode: 'host', via: 'pkexec' });
    const pipe = await h.launcher.connect();
    const got: unknown[] = [];
    const malformed: string[] = [];
    pipe.start({ message: (m) => got.push(m), malformed: (e) => malformed.push(e.code), close: () => undefined });
    pipe.send({ jsonrpc: '2.0', id: 1, method: 'helper.hello' });
    expect(h.children[0]!.written.join('')).toBe('{"jsonrpc":"2.0","id":1,"method":"helper.hello"}\n');
    h.children[0]!.stdout.write('{"jsonrpc":"2.0","id":1,"result":{"ok":tr');
    h.children[0]!.stdout.write('ue}}\nnot json\n');
    await tick();
    expect(got).toEqual([{ jsonrpc: '2.0', id: 1, result: { ok: true } }]);
    expect(malformed).toEqual(['parse-error']);
  });

  it('falls back to sandbox mode when pkexec is refused, and says why', async () => {
    const h = harness([plan('pkexec'), plan('unshare')], (c, command) => (command.endsWith('pkexec') ? c.die(126) : c.ready()));
    await h.launcher.start();
    const ready = h.statuses.find((s) => s.state === 'ready');
    expect(ready).toMatchObject({ mode: 'sandbox', via: 'unshare' });
    expect(ready && 'note' in ready ? ready.note : '').toMatch(/pkexec: authorisation was refused.*sandbox mode/);
    expect(h.launcher.note).toMatch(/refused/);
  });

  it('falls back when pkexec cannot even start (no agent, not installed)', async () => {
    const h = harness([plan('pkexec'), plan('unshare')], (c, command) => (command.endsWith('pkexec') ? c.emit('error', Object.assign(new Error('spawn pkexec ENOENT'), { code: 'ENOENT' })) : c.ready()));
    await h.launcher.start();
    expect(h.statuses.at(-1)).toMatchObject({ state: 'ready', mode: 'sandbox' });
  });

  it('reports failure when nothing works, and connect() rejects with the reason', async () => {
    const h = harness([plan('pkexec'), plan('unshare')], (c) => c.die(127));
    await h.launcher.start();
    expect(h.statuses.at(-1)).toMatchObject({ state: 'failed' });
    await expect(h.launcher.connect()).rejects.toThrow(/could not be started/);
    const none = harness([], () => undefined);
    await none.launcher.start();
    expect(none.statuses.at(-1)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/neither pkexec nor unshare/) });
  });

  it('gives up on a helper that never says ready', async () => {
    const h = harness([plan('unshare')], () => undefined);
    await h.launcher.start();
    expect(h.statuses.at(-1)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/did not become ready/) });
    expect(h.children[0]!.kill).toHaveBeenCalled();
  });

  it('restarts a helper that dies, tells the UI, and hands out a pipe to the new one', async () => {
    const h = harness([plan('pkexec'), plan('unshare')], (c) => c.ready());
    await h.launcher.start();
    const first = await h.launcher.connect();
    const closed = vi.fn();
    first.start({ message: () => undefined, malformed: () => undefined, close: closed });
    h.children[0]!.die(1);
    expect(closed).toHaveBeenCalledWith('the helper exited with code 1');
    expect(h.statuses.at(-1)).toMatchObject({ state: 'restarting', restarts: 1, reason: 'the helper exited with code 1' });
    const second = await h.launcher.connect();
    expect(h.children).toHaveLength(2);
    expect(h.statuses.at(-1)).toMatchObject({ state: 'ready', restarts: 1, via: 'pkexec' });
    second.send({ x: 1 });
    expect(h.children[1]!.written).toEqual(['{"x":1}\n']);
  });

  it('stops restarting after too many deaths in a row', async () => {
    const h = harness([plan('unshare')], (c, _cmd, n) => (c.ready(), setTimeout(() => c.die(null, 'SIGSEGV'), 2 + n)), { maxRestarts: 2 });
    await h.launcher.start();
    await vi.waitFor(() => expect(h.statuses.at(-1)?.state).toBe('failed'), { timeout: 2000 });
    expect(h.statuses.filter((s) => s.state === 'restarting')).toHaveLength(2);
    expect(h.statuses.at(-1)).toMatchObject({ reason: expect.stringMatching(/killed by SIGSEGV.*not restarting/) });
  });

  it('stop() ends the helper’s stdin and does not restart it', async () => {
    const h = harness([plan('unshare')], (c) => c.ready());
    await h.launcher.start();
    const ended = new Promise((r) => h.children[0]!.stdin.on('finish', r));
    h.launcher.stop();
    await ended;
    h.children[0]!.die(0);
    await tick(20);
    expect(h.children).toHaveLength(1);
    expect(h.statuses.at(-1)?.state).toBe('ready');
  });
});
