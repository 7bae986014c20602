// Sandbox mode as a user without root (nobody, uid 65534) would meet it: every CLI command goes through ONE
// background sandbox helper (a private user+network+mount namespace) that the first command starts and the
// later ones reuse. It builds RED⇄BLUE, pings across it, opens a shell in a node, runs the network labs
// up → check fails → solve → check passes → down, refuses host mode without root, stops when asked, and
// the real host's namespaces, links and rules never change.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'permission-denied', message: expect.stringMatching(/needs root.*uid 65534.*sudo/) });
    const after = await asNobody(['topo', 'list', '--host']);
    expect(after.stderr).toMatch(/permission-denied: host mode/);
  });

  it('stops the helper when asked, leaving nothing behind', async () => {
    await json(['topo', 'apply', 'resources/topologies/red-br0-blue.yaml']);
    const stopped = await json<{ stopped: boolean; pid: number; forced: boolean }>(['helper', 'stop']);
    expect(stopped).toMatchObject({ stopped: true, pid: helperPid, forced: false });
    expect(alive(helperPid)).toBe(false);
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

  it('stops by itself once no client has been connected for the idle time', async () => {
    const started = await asNobody(['topo', 'list', '--json'], '', process.env.PATH, '2');
    expect(JSON.parse(started.stdout).mode).toBe('sandbox');
    const status = await json<{ running: boolean; pid: number }>(['helper', 'status']);
    expect(status.running).toBe(true);
    helperPid = status.pid;
    await expect.poll(() => alive(helperPid), { timeout: 15_000, interval: 250 }).toBe(false);
    expect((await json<{ running: boolean }>(['helper', 'status'])).running).toBe(false);
    expect(kernelState()).toBe(before);
  });
});
