// Sandbox mode for real: the helper as an unprivileged user (nobody) inside its own user, network and
// mount namespaces builds RED⇄BLUE, pings across it, and leaves the real host untouched.
import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NSLAB, ROOT, kernelState } from '../support/cli.js';

const NOBODY = 65534;
const before = kernelState();
const stateDir = mkdtempSync(join(tmpdir(), 'nslab-sandbox-'));
chownSync(stateDir, NOBODY, NOBODY);
afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
  expect(kernelState()).toBe(before);
});

function sandboxHelper() {
  const child = spawn(
    'setpriv',
    ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'unshare', '--user', '--map-root-user', '--net', '--mount', process.execPath, NSLAB, 'helper', '--stdio'],
    { cwd: ROOT, env: { PATH: process.env.PATH, NSLAB_SANDBOX: '1', NSLAB_STATE_DIR: stateDir, NSLAB_PTY_GRACE_MS: '0' } },
  );
  const messages: Record<string, unknown>[] = [];
  let buffer = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      messages.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  let id = 0;
  const waitFor = (pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout; helper said: ${stderr}`)), 20_000);
      const check = (): void => {
        const m = messages.find(pred);
        if (!m) return void waiters.push(check);
        clearTimeout(timer);
        resolve(m);
      };
      check();
    });
  return {
    child,
    messages,
    waitFor,
    async call(method: string, params: unknown) {
      const mid = ++id;
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: mid, method, params }) + '\n');
      const reply = await waitFor((m) => m.id === mid);
      if (reply.error) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
      return reply.result as Record<string, unknown>;
    },
    notify: (method: string, params: unknown) => void child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n'),
  };
}

describe('sandbox mode', () => {
  it('builds and uses a topology without privileges, invisible to the host', async () => {
    const h = sandboxHelper();
    try {
      expect(await h.call('helper.hello', {})).toMatchObject({ mode: 'sandbox' });
      const yaml = readFileSync(join(ROOT, 'resources/topologies/red-blue.yaml'), 'utf8');
      await h.call('topology.apply', { yaml });
      // the host sees none of it
      expect(kernelState()).toBe(before);
      const term = (await h.call('pty.open', { target: { kind: 'node', node: 'red' } })) as { id: string };
      h.notify('pty.write', { id: term.id, data: 'ping -c1 -W2 10.0.0.2 >/dev/null && echo PING-OK; exit\r' });
      await h.waitFor((m) => m.method === 'pty.exit');
      const out = h.messages.filter((m) => m.method === 'pty.data').map((m) => (m.params as { data: string }).data).join('');
      expect(out).toContain('PING-OK');
      await h.call('topology.destroy', { name: 'red-blue' });
    } finally {
      h.child.stdin.end();
      await new Promise((r) => h.child.on('exit', r));
    }
  });
});
