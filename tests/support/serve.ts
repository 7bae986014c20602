// `nslab serve` as a user starts it (the built CLI, a free port, a private ledger), for integration and
// Playwright tests: startServe() resolves once the URL line is printed; stop() ends it and cleans up.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { NSLAB, ROOT } from './cli.js';

export interface ServeHandle {
  /** http://127.0.0.1:PORT/?token=T, as printed. */
  url: string;
  token: string;
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** ws://127.0.0.1:PORT/rpc?token=T */
  wsUrl: string;
  stateDir: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Reuse a ledger directory (default: a fresh temp dir, removed by stop()). */
  stateDir?: string;
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
  /** `--port` to pass (default 0: a free one); 'kept' passes none, so serve uses the port of its last run. */
  port?: number | 'kept';
}

const URL_LINE = /^nslab: browser mode at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+))$/m;

export function startServe(opts: ServeOptions = {}): Promise<ServeHandle> {
  const ownDir = opts.stateDir === undefined;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'nslab-serve-'));
  const portArgs = opts.port === 'kept' ? [] : ['--port', String(opts.port ?? 0)];
  const child = spawn(process.execPath, [NSLAB, 'serve', ...portArgs, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, NSLAB_STATE_DIR: stateDir, ...opts.env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (ownDir) rmSync(stateDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`nslab serve printed no URL within ${opts.timeoutMs ?? 20_000} ms: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      if (ownDir) rmSync(stateDir, { recursive: true, force: true });
      reject(new Error(`nslab serve exited with ${code} before printing its URL: ${stderr}`));
    };
    child.once('exit', early);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = URL_LINE.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      child.off('exit', early);
      const port = Number(m[2]);
      const origin = `http://127.0.0.1:${port}`;
      resolve({ url: m[1]!, token: m[3]!, port, origin, wsUrl: `ws://127.0.0.1:${port}/rpc?token=${m[3]!}`, stateDir, child, stderr: () => stderr, stop });
    });
  });
}

export interface RpcSocket {
  ws: WebSocket;
  /** Every notification received (events), in order. */
  events: { method: string; params: unknown }[];
  /** Sends a request and resolves with the whole response message ({result} or {error}). */
  call(method: string, params?: unknown): Promise<Record<string, unknown>>;
  /** Sends one raw text frame and resolves with the next message that answers it (by id, or id null). */
  raw(text: string | Buffer, id?: unknown): Promise<Record<string, unknown>>;
  waitForEvent(method: string, timeoutMs?: number): Promise<{ method: string; params: unknown }>;
  close(): void;
}

/** A JSON-RPC client over the relay WebSocket (what the renderer's browser transport does). */
export function connectRpc(wsUrl: string, headers: Record<string, string> = {}): Promise<RpcSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { headers });
    const events: RpcSocket['events'] = [];
    const waiting: { match(m: Record<string, unknown>): boolean; done(m: Record<string, unknown>): void }[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (typeof m.method === 'string' && !('id' in m)) events.push({ method: m.method, params: m.params });
      const i = waiting.findIndex((w) => w.match(m));
      if (i !== -1) waiting.splice(i, 1)[0]!.done(m);
    });
    let nextId = 1;
    const expect = (match: (m: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> =>
      new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error('no answer from the relay')), timeoutMs);
        waiting.push({ match, done: (m) => (clearTimeout(timer), res(m)) });
      });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('open', () =>
      resolve({
        ws,
        events,
        call(method, params = {}) {
          const id = nextId++;
          const answer = expect((m) => m.id === id);
          ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
          return answer;
        },
        raw(text, id = null) {
          const answer = expect((m) => 'id' in m && m.id === id);
          ws.send(text);
          return answer;
        },
        async waitForEvent(method, timeoutMs = 20_000) {
          const seen = events.find((e) => e.method === method);
          if (seen) return seen;
          const m = await expect((x) => x.method === method && !('id' in x), timeoutMs);
          return { method, params: m.params };
        },
        close: () => ws.close(),
      }),
    );
  });
}
