// Both relays — Electron main's IPC relay and `nslab serve`'s WebSocket relay — with the contract's own
// allowlist (no narrowing): the CLI-only methods are refused before the helper sees them, and every method
// the shipped renderer calls still goes through. The renderer's calls are read from its source, so a panel
// that starts calling a CLI-only method fails here, not in a user's window.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserWindow, IpcMain } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installRelay } from '../../electron/main/ipc-relay.js';
import { METHOD_NAMES, methods } from '../../electron/shared/contract/index.js';
import { RPC_NUMERIC_CODE } from '../../electron/shared/errors.js';
import { CALL_CHANNEL } from '../../electron/shared/ipc-channels.js';
import { startWebServer, type WebServer } from '../../electron/web/server.js';
import { FakeIpcMain, FakeWindow } from '../support/fake-electron.js';
import { fakeHelper } from '../support/fake-helper.js';
import { connectRpc } from '../support/serve.js';

vi.mock('electron', () => {
  throw new Error('ipc-relay.ts must not need electron at runtime');
});

/** Calls a page must never make, whatever the contract table says: each would be a hole if it were allowed. */
const NEVER_FROM_A_PAGE = ['ledger.gc', 'cgroup.run', 'metrics.config', 'net.sysctl.set', 'net.route.add', 'net.route.delete'];

/** Every method name the renderer's source passes to `call(…)`. */
function rendererCalls(): Set<string> {
  const dir = join(import.meta.dirname, '../../renderer/src');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|vue)$/.test(f));
  const found = new Set<string>();
  for (const f of files) for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\bcall\(\s*'([a-z]+(?:\.[A-Za-z]+)+)'/g)) found.add(m[1]!);
  return found;
}

/**
 * The page's node-scoped twins of the route/sysctl writers, and the YAML check: allowed, and called by the
 * Topology panel (the helper refuses the root namespace and namespaces nslab does not own).
 */
const PAGE_NODE_SCOPED = ['net.node.route.add', 'net.node.route.delete', 'net.node.sysctl.set', 'topology.validate', 'topology.apply'];

const refused = METHOD_NAMES.filter((m) => !methods[m].renderer);
const called = rendererCalls();

describe('the allowlist the relays derive from the contract', () => {
  it('names methods the renderer calls, and no CLI-only one', () => {
    expect(called.size).toBeGreaterThan(20); // the scan found the stores' calls
    for (const m of called) expect(METHOD_NAMES, `renderer calls unknown ${m}`).toContain(m);
    for (const m of NEVER_FROM_A_PAGE) expect(called, m).not.toContain(m);
    for (const m of NEVER_FROM_A_PAGE) expect(refused, m).toContain(m);
    for (const m of PAGE_NODE_SCOPED) expect(refused, m).not.toContain(m);
    for (const m of PAGE_NODE_SCOPED) expect(called, m).toContain(m);
  });
});

/** Params the relay itself checks before forwarding; everything else may be `{}` (the helper rejects it). */
const PARAMS: Record<string, unknown> = { 'events.subscribe': { events: ['activity'] }, 'events.unsubscribe': { events: ['activity'] } };

type Call = (method: string, params?: unknown) => Promise<{ code: string | undefined }>;

function relayCases(call: () => Call, seen: () => string[]): void {
  it.each([...refused])('refuses %s without reaching the helper', async (method) => {
    const before = seen().length;
    const r = await call()(method, {});
    expect(r.code).toBe('permission-denied');
    expect(seen().slice(before)).not.toContain(method);
  });
  it('forwards every method the renderer calls', async () => {
    for (const method of called) {
      const before = seen().length;
      const r = await call()(method, PARAMS[method] ?? {});
      expect(r.code, method).not.toBe('permission-denied');
      expect(seen().slice(before), method).toContain(method);
    }
  });
}

describe('Electron main IPC relay', () => {
  const helper = fakeHelper();
  const win = new FakeWindow();
  const ipc = new FakeIpcMain();
  installRelay({ ipcMain: ipc as unknown as IpcMain, window: win as unknown as BrowserWindow, connect: helper.connect });
  const trusted = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  const call: Call = async (method, params) => {
    // One error shape end to end: the JSON-RPC error object, the stable code in data.code.
    const r = (await ipc.invoke(trusted, CALL_CHANNEL, method, params)) as { error?: { code: number; data?: { code?: string } } };
    if (r.error?.data?.code === 'permission-denied') expect(r.error.code).toBe(RPC_NUMERIC_CODE['permission-denied']);
    return { code: r.error?.data?.code };
  };
  relayCases(
    () => call,
    () => helper.seen.map((s) => s.method),
  );
});

describe('nslab serve WebSocket relay', () => {
  const helper = fakeHelper();
  const root = mkdtempSync(join(tmpdir(), 'nslab-allowlist-'));
  let server: WebServer;
  let socket: Awaited<ReturnType<typeof connectRpc>>;
  beforeAll(async () => {
    server = await startWebServer({ rendererDir: root, connect: helper.connect });
    socket = await connectRpc(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`);
  });
  afterAll(async () => {
    socket.close();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });
  const call: Call = async (method, params) => {
    const r = (await socket.call(method, params)) as { error?: { code: number; data?: { code?: string } } };
    if (r.error?.data?.code === 'permission-denied') expect(r.error.code).toBe(RPC_NUMERIC_CODE['permission-denied']);
    return { code: r.error?.data?.code };
  };
  relayCases(
    () => call,
    () => helper.seen.map((s) => s.method),
  );
});
