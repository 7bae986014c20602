// Sandbox mode as a user without root (nobody, uid 65534) would meet it: every CLI command goes through ONE
// background sandbox helper (a private user+network+mount namespace) that the first command starts and the
// later ones reuse. It builds RED⇄BLUE, pings across it, opens a shell in a node, runs the network labs
// up → check fails → solve → check passes → down, traces a ping across the veth, answers every --json with
// the mode, refuses host mode without root, stops when asked leaving no process in its namespaces, and the
// real host's namespaces, links and rules never change.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../electron/shared/contract/index.js';
import { NSLAB, ROOT, kernelState, type CliResult } from '../support/cli.js';

const NOBODY = 65534;
const before = kernelState();
const home = mkdtempSync(join(tmpdir(), 'nslab-sandbox-cli-'));
chownSync(home, NOBODY, NOBODY);

/** `nslab ARGS` as nobody, with nothing of root's environment but PATH. */
function asNobody(args: string[], input = '', path = process.env.PATH, idleSeconds = '600'): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, NSLAB, ...args], {
      cwd: ROOT,
      env: { PATH: path, HOME: home, XDG_STATE_HOME: home, NSLAB_PTY_GRACE_MS: '0', NSLAB_SANDBOX_IDLE_SECONDS: idleSeconds },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await asNobody([...args, '--json']);
  if (r.code !== 0) throw new Error(`nslab ${args.join(' ')} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The user and network namespaces of a process (what the sandbox helper made with unshare). */
const namespacesOf = (pid: number): { user: string; net: string } => ({ user: readlinkSync(`/proc/${pid}/ns/user`), net: readlinkSync(`/proc/${pid}/ns/net`) });

/** Every process still in one of these namespaces (a shell, a probe or a monitor the sandbox left running). */
function processesIn(ns: { user: string; net: string }): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readlinkSync(`/proc/${d}/ns/user`) === ns.user || readlinkSync(`/proc/${d}/ns/net`) === ns.net;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

let helperPid = 0;
afterAll(async () => {
  // Whatever state a test died in: stop the sandbox helper (its namespaces go with it).
  await asNobody(['helper', 'stop']);
  if (helperPid && alive(helperPid)) process.kill(helperPid, 'SIGKILL');
  rmSync(home, { recursive: true, force: true });
  expect(kernelState()).toBe(before);
});

describe('the CLI in sandbox mode, as nobody', () => {
  it('starts one background sandbox helper on demand; doctor explains both modes', async () => {
    expect((await json<{ running: boolean }>(['helper', 'status'])).running).toBe(false);
    const doctor = await json<{ mode: string; root: boolean; checks: { id: string; detail: string; fix?: string }[] }>(['doctor']);
    expect(doctor).toMatchObject({ mode: 'sandbox', root: false });
    const privileges = doctor.checks.find((c) => c.id === 'root')!;
    expect(privileges.detail).toMatch(/sandbox mode as uid 65534/);
    expect(privileges.fix).toMatch(/sandbox mode works now/);
    expect(privileges.fix).toMatch(/sudo nslab/);
    const status = await json<{ running: boolean; pid: number; mode: string }>(['helper', 'status']);
    expect(status).toMatchObject({ running: true, mode: 'sandbox' });
    helperPid = status.pid;
    expect(alive(helperPid)).toBe(true);
  });

  it('applies RED⇄BLUE, pings across it and opens a shell in a node — all in the sandbox', async () => {
    const applied = await json<{ mode: string; created: string[] }>(['topo', 'apply', 'resources/topologies/red-blue.yaml']);
    expect(applied.mode).toBe('sandbox');
    expect(applied.created).toEqual(expect.arrayContaining(['netns nslab-red', 'netns nslab-blue']));
    expect(kernelState()).toBe(before); // the host sees none of it

    // A second, separate invocation finds the same helper and its namespaces.
    const list = await json<{ applied: { name: string }[]; mode: string }>(['topo', 'list']);
    expect(list).toMatchObject({ mode: 'sandbox', applied: [expect.objectContaining({ name: 'red-blue' })] });

    const ping = await asNobody(['exec', 'red', '--', 'ping', '-c1', '-W2', '10.0.0.2']);
    expect(ping.code, ping.stderr).toBe(0);
    expect(ping.stdout).toMatch(/1 received/);

    // The packet walk works in the sandbox too: the ping to BLUE, delivered both ways, streamed as NDJSON
    // with the mode on every line.
    const trace = await asNobody(['trace', '--from', 'red', '--to', '10.0.0.2', '--json']);
    expect(trace.code, trace.stderr).toBe(0);
    const events = trace.stdout.trim().split('\n').map((l) => JSON.parse(l) as TraceEvent & { mode: string });
    expect(new Set(events.map((e) => e.mode))).toEqual(new Set(['sandbox']));
    expect(events[0]).toMatchObject({ kind: 'start', from: 'red', to: '10.0.0.2', proto: 'icmp' });
    expect((events[0] as { namespaces: string[] }).namespaces.sort()).toEqual(['nslab-blue', 'nslab-red']);
    expect(events.find((e) => e.kind === 'probe')).toMatchObject({ ok: true });
    const hops = events.flatMap((e) => (e.kind === 'hop' ? [e.hop] : []));
    const hooks = (direction: string, netns: string) => hops.filter((h) => h.direction === direction && h.netns === netns && h.observer).map((h) => h.hook);
    expect(hooks('request', 'nslab-red')).toEqual(['output', 'postrouting']);
    expect(hooks('request', 'nslab-blue')).toEqual(['prerouting', 'input']);
    expect(hooks('reply', 'nslab-blue')).toEqual(['output', 'postrouting']);
    expect(hooks('reply', 'nslab-red')).toEqual(['prerouting', 'input']);
    const fates = events.flatMap((e) => (e.kind === 'fate' ? [`${e.fate.direction}:${e.fate.kind}:${e.fate.netns}`] : []));
    expect(fates).toEqual(['request:delivered:nslab-blue', 'reply:delivered:nslab-red']);
    expect(events.at(-1)).toMatchObject({ kind: 'end', hops: hops.length, unjoined: 0 });

    // Lists come as objects with the mode too, read from the same helper: the journal has the apply and the trace's table.
    const activity = await json<{ mode: string; entries: { shell: string[] }[] }>(['activity']);
    expect(activity.mode).toBe('sandbox');
    expect(activity.entries.flatMap((e) => e.shell)).toContain('ip netns add nslab-red');
    expect(await json(['container', 'ls'])).toEqual({ containers: [], mode: 'sandbox' });

    const shell = await asNobody(['shell', 'blue'], 'ip -br addr show veth-blue; exit 7\n');
    expect(shell.code, shell.stderr).toBe(7);
    expect(shell.stdout).toContain('10.0.0.2/24');
    expect(shell.stderr).toMatch(/sandbox mode/);

    expect((await json(['topo', 'destroy', 'red-blue'])).mode).toBe('sandbox');
    expect((await asNobody(['exec', 'red', '--', 'true'])).stderr).toMatch(/not-found: node red has no namespace .* in the sandbox/);
    expect((await json<{ pid: number }>(['helper', 'status'])).pid).toBe(helperPid);
  });

  it('runs every network lab up → check fails → solve → check passes → down; host-only labs are marked and refused', async () => {
    const { labs, mode } = await json<{ mode: string; labs: { id: string; hostOnly?: { needs: string; reason: string } }[] }>(['lab', 'list']);
    expect(mode).toBe('sandbox');
    const network = labs.filter((l) => !l.hostOnly).map((l) => l.id);
    expect(network).toEqual(expect.arrayContaining(['netns-veth', 'netns-bridge', 'ping-failed', 'netfilter-hooks', 'nat-outside']));
    for (const lab of network) {
      expect((await json(['lab', 'up', lab])).mode).toBe('sandbox');
      const failing = await asNobody(['lab', 'check', lab, '--json']);
      expect(failing.code, `${lab}: ${failing.stdout}`).toBe(1);
      expect(JSON.parse(failing.stdout)).toMatchObject({ ok: false, mode: 'sandbox' });
      await json(['lab', 'solve', lab]);
      const passing = await json<{ ok: boolean; message: string | null }>(['lab', 'check', lab]);
      expect(passing.ok, `${lab}: ${passing.message}`).toBe(true);
      await json(['lab', 'down', lab]);
    }
    expect(kernelState()).toBe(before);

    const host = labs.find((l) => l.id === 'cgroup-memory')!;
    expect(host.hostOnly).toMatchObject({ needs: 'cgroups', reason: expect.stringMatching(/read-only/) });
    const refused = await asNobody(['lab', 'up', 'cgroup-memory', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ mode: 'sandbox', error: { code: 'permission-denied', message: expect.stringMatching(/needs host mode.*sudo/) } });
    expect((await json<{ pid: number }>(['helper', 'status'])).pid).toBe(helperPid);
  });

  it('refuses --host without root, with the reason, and starts nothing', async () => {
    const r = await asNobody(['--host', 'topo', 'list', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: null, error: { code: 'permission-denied', message: expect.stringMatching(/needs root.*uid 65534.*sudo/) } });
    const after = await asNobody(['topo', 'list', '--host']);
    expect(after.stderr).toMatch(/permission-denied: host mode/);
  });

  it('stops the helper when asked, leaving nothing behind', async () => {
    await json(['topo', 'apply', 'resources/topologies/red-br0-blue.yaml']);
    // Something running in a node when the stop comes (a lab's server, a forgotten shell's job).
    const sleeper = spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, NSLAB, 'exec', 'red', '--', 'sleep', '600'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: home },
      stdio: 'ignore',
    });
    const ns = namespacesOf(helperPid);
    await expect.poll(() => processesIn(ns).length, { timeout: 10_000 }).toBeGreaterThan(1);
    const stopped = await json<{ stopped: boolean; pid: number; forced: boolean }>(['helper', 'stop']);
    expect(stopped).toMatchObject({ stopped: true, pid: helperPid, forced: false });
    expect(alive(helperPid)).toBe(false);
    // Nothing of it is left: no process in its user or network namespace (so the namespaces are gone), no
    // socket, no lock announcing it.
    await expect.poll(() => processesIn(ns), { timeout: 5000 }).toEqual([]);
    await new Promise((r) => (sleeper.exitCode === null ? sleeper.once('exit', r) : r(null)));
    const state = join(home, 'nslab', 'sandbox');
    expect(existsSync(join(state, 'helper.sock'))).toBe(false);
    expect(readdirSync(state).filter((f) => /lock|sock/.test(f) && f !== 'start.lock')).toEqual([]);
    expect((await json<{ running: boolean }>(['helper', 'status'])).running).toBe(false);
    expect(kernelState()).toBe(before);
    // The next command starts a fresh sandbox: what the stopped one built went with it.
    expect((await json<{ applied: unknown[] }>(['topo', 'list'])).applied).toEqual([]);
    const next = await json<{ pid: number }>(['helper', 'status']);
    expect(next.pid).not.toBe(helperPid);
    helperPid = next.pid;
    expect((await json<{ stopped: boolean }>(['helper', 'stop'])).stopped).toBe(true);
    expect(alive(helperPid)).toBe(false);
  });

  it('still answers doctor where the sandbox cannot start, naming both ways on', async () => {
    // An unshare that fails as it does where unprivileged user namespaces are off.
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'unshare'), '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n');
    chmodSync(bin, 0o755);
    chmodSync(join(bin, 'unshare'), 0o755);
    const path = `${bin}:${process.env.PATH}`;
    const topo = await asNobody(['topo', 'list', '--json'], '', path);
    expect(topo.code).toBe(1);
    expect(JSON.parse(topo.stdout).error.message).toMatch(/sandbox helper could not be started: it exited with code 1 \(unshare: unshare failed: Operation not permitted\).*user namespaces.*sudo/);
    const doctor = await asNobody(['doctor', '--json'], '', path);
    expect(doctor.stderr).toMatch(/sandbox mode is not available here/);
    const report = JSON.parse(doctor.stdout) as { mode: string; checks: { id: string; fix?: string }[] };
    expect(report.mode).toBe('host');
    expect(report.checks.find((c) => c.id === 'root')?.fix).toMatch(/sudo nslab.*sandbox mode/);
    expect(kernelState()).toBe(before);
  });

  it('stops by itself once no client has been connected for the idle time; a program running in a node counts as one', async () => {
    const started = await asNobody(['topo', 'apply', 'resources/topologies/red-blue.yaml', '--json'], '', process.env.PATH, '2');
    expect(JSON.parse(started.stdout).mode).toBe('sandbox');
    const status = await json<{ running: boolean; pid: number }>(['helper', 'status']);
    expect(status.running).toBe(true);
    helperPid = status.pid;
    // `nslab exec` keeps the sandbox up while its program runs (well past the 2 s idle time)...
    const t0 = Date.now();
    const sleeper = await asNobody(['exec', 'red', '--', 'sleep', '5']);
    expect(sleeper.code, sleeper.stderr).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
    expect(alive(helperPid)).toBe(true);
    // ...and once it has ended, the idle clock runs out.
    await expect.poll(() => alive(helperPid), { timeout: 15_000, interval: 250 }).toBe(false);
    expect((await json<{ running: boolean }>(['helper', 'status'])).running).toBe(false);
    expect(kernelState()).toBe(before);
  });
});
