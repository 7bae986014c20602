// A real helper process spoken to over stdio, for tests that need raw JSON-RPC (bad frames, kill -9).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { NSLAB, ROOT } from './cli.js';

export interface HelperProcess {
  child: ChildProcessWithoutNullStreams;
  /** Every message the helper wrote, parsed. */
  messages: Record<string, unknown>[];
  send(raw: string): void;
  request(method: string, params?: unknown): Promise<Record<string, unknown>>;
  waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startHelper(stateDir: string): Promise<HelperProcess> {
  const child = spawn(process.execPath, [NSLAB, 'helper', '--stdio'], { env: { ...process.env, NSLAB_STATE_DIR: stateDir }, cwd: ROOT });
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) messages.push(JSON.parse(line) as Record<string, unknown>);
    }
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`helper exited with ${code}`)));
  });
  let nextId = 1;
  const waitFor: HelperProcess['waitFor'] = (pred, timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a helper message')), timeoutMs);
      const check = (): void => {
        const found = messages.find(pred);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return {
    child,
    messages,
    send: (raw) => child.stdin.write(raw),
    request(method, params) {
      const id = nextId++;
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
      return waitFor((m) => m.id === id);
    },
    waitFor,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
