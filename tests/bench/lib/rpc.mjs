// A minimal JSON-RPC 2.0 client over the helper's Unix socket (newline-delimited), as the GUI's relay uses it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './proc.mjs';

/**
 * Starts `nslab helper --socket PATH` with NSLAB_STATE_DIR=stateDir; resolves once it says "ready".
 * NSLAB_BENCH_HELPER_NODE_ARGS (space-separated Node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`) goes to
 * the helper's node only: Node refuses --cpu-prof in NODE_OPTIONS, and a bench's own process is not the subject.
 * `nodeArgs` and `env` are a benchmark's own additions (e.g. the event-loop delay preload, lib/loop-delay.mjs).
 */
export function startHelper({ stateDir, socket, cwd, cli = 'bin/nslab.mjs', nodeArgs: benchArgs = [], env = {} }) {
  const nodeArgs = [...benchArgs, ...(process.env.NSLAB_BENCH_HELPER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, cli, 'helper', '--socket', socket], {
    cwd,
    env: { ...process.env, NSLAB_STATE_DIR: stateDir, NSLAB_SOCKET: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const ready = new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      if (err.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`helper exited (${code}) before it was ready: ${err.trim()}`)));
    setTimeout(() => reject(new Error(`helper not ready after 15 s: ${err.trim()}`)), 15_000).unref();
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    child,
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export function rpcClient(path) {
  const socket = connect(path);
  const pending = new Map();
  const listeners = new Set();
  let id = 0;
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      const m = JSON.parse(line);
      if (m.id !== undefined && pending.has(m.id)) {
        const { resolve, reject } = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) reject(Object.assign(new Error(`${m.error.code}: ${m.error.message}`), { rpc: m.error }));
        else resolve(m.result);
      } else for (const l of listeners) l(m);
    }
  });
  const closed = new Promise((r) => socket.once('close', r));
  socket.on('close', () => {
    for (const { reject } of pending.values()) reject(new Error('helper socket closed'));
    pending.clear();
  });
  return {
    ready: new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }),
    /** Resolves with the result (rejects with the typed error). */
    call(method, params = {}) {
      return new Promise((resolve, reject) => {
        pending.set(++id, { resolve, reject });
        socket.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
      });
    },
    /** A notification (no answer): pty.write, pty.ack. Not written once the socket has ended. */
    notify(method, params = {}) {
      if (socket.writable) socket.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
    },
    on: (l) => (listeners.add(l), () => listeners.delete(l)),
    async close() {
      socket.end();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
      socket.destroy();
    },
  };
}

/**
 * A bench's own helper: a fresh state directory, `nslab helper` on its socket and one client. close() ends
 * both, runs `nslab gc` on that state (whatever the bench left) and removes the directory. `cli`: another
 * build's cli.mjs (lib/before.mjs), for a before/after in the same run.
 */
export async function benchHelper(name, root, { cli = join(root, 'bin', 'nslab.mjs') } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), `nslab-bench-${name}-`));
  const socket = join(stateDir, 'helper.sock');
  const helper = startHelper({ stateDir, socket, cwd: root, cli });
  let client;
  const close = async () => {
    await client?.close();
    await helper.stop();
    await sh([process.execPath, cli, 'gc'], { env: { ...process.env, NSLAB_STATE_DIR: stateDir }, allowFailure: true });
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await helper.ready;
    client = rpcClient(socket);
    await client.ready;
  } catch (err) {
    await close();
    throw err;
  }
  return { stateDir, client, close };
}
