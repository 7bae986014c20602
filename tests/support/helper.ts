// A real helper process spoken to in raw JSON-RPC (bad frames, kill -9, terminals), over stdio or its socket.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { NSLAB, ROOT, kernelState, nslab, tempStateDir } from './cli.js';

type Message = Record<string, unknown>;

export interface RpcPeer {
  /** Every message the helper wrote to this client, parsed. */
  messages: Message[];
  send(raw: string): void;
  request(method: string, params?: unknown): Promise<Message>;
  /** A JSON-RPC notification (no id, no answer): how pty.write, pty.resize and pty.ack travel. */
  notify(method: string, params?: unknown): void;
  /** The result, or an Error carrying the JSON-RPC error's fields (`data.code`…). */
  call<T = Message>(method: string, params?: unknown): Promise<T>;
  waitFor(pred: (m: Message) => boolean, timeoutMs?: number): Promise<Message>;
}

function peer(write: (raw: string) => void, onChunk: (fn: (chunk: Buffer) => void) => void): RpcPeer {
  const messages: Message[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  onChunk((chunk) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) messages.push(JSON.parse(line) as Message);
    }
    waiters.splice(0).forEach((w) => w());
  });
  let nextId = 1;
  const waitFor: RpcPeer['waitFor'] = (pred, timeoutMs = 20_000) =>
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
  const request: RpcPeer['request'] = (method, params) => {
    const id = nextId++;
    write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    return waitFor((m) => m.id === id);
  };
  return {
    messages,
    send: write,
    request,
    notify: (method, params) => write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n'),
    waitFor,
    async call(method, params) {
      const reply = await request(method, params);
      if (reply.error) throw Object.assign(new Error(`${method}: ${JSON.stringify(reply.error)}`), reply.error);
      return reply.result as never;
    },
  };
}

export interface HelperProcess extends RpcPeer {
  child: ChildProcessWithoutNullStreams;
  stop(): Promise<void>;
}

export async function startHelper(stateDir: string): Promise<HelperProcess> {
  const child = spawn(process.execPath, [NSLAB, 'helper', '--stdio'], { env: { ...process.env, NSLAB_STATE_DIR: stateDir }, cwd: ROOT });
  const rpc = peer((raw) => child.stdin.write(raw), (fn) => child.stdout.on('data', fn));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`helper exited with ${code}`)));
  });
  return {
    ...rpc,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Another client of a running helper, through the socket it announces in its state directory. */
export async function connectClient(stateDir: string): Promise<RpcPeer & { close(): void }> {
  const socket = connect(join(stateDir, 'helper.sock'));
  await new Promise((resolve, reject) => (socket.once('connect', resolve), socket.once('error', reject)));
  return { ...peer((raw) => void socket.write(raw), (fn) => socket.on('data', fn)), close: () => socket.end() };
}

/**
 * One helper for a whole test file, with a private ledger: started before the tests (after `setup`),
 * stopped and garbage-collected after them, and the kernel checked to be exactly as it was.
 */
export function useHelper(hooks: { setup?(stateDir: string): Promise<void>; teardown?(stateDir: string): Promise<void> } = {}) {
  const state = tempStateDir();
  let helper: HelperProcess | undefined;
  let before = '';
  beforeAll(async () => {
    before = kernelState();
    await hooks.setup?.(state.dir);
    helper = await startHelper(state.dir);
  });
  afterAll(async () => {
    await helper?.stop();
    await hooks.teardown?.(state.dir);
    await nslab(state.dir, ['gc']);
    state.cleanup();
    expect(kernelState()).toBe(before);
  });
  return {
    stateDir: state.dir,
    get helper(): HelperProcess {
      if (!helper) throw new Error('the helper starts in beforeAll');
      return helper;
    },
  };
}
