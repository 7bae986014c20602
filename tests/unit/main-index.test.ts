// Electron main's wiring with electron mocked: never as root; sandbox everywhere; scheme registered before
// ready; the one window with secure preferences on nslab://app; the relay on IPC; the launcher's news
// reaching the UI as helper.status.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LauncherOptions, LauncherStatus } from '../../electron/main/launcher.js';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../electron/shared/ipc-channels.js';
import { fakeHelper } from '../support/fake-helper.js';
import { FakeIpcMain, FakeSession, FakeWindow } from '../support/fake-electron.js';

const state = vi.hoisted(() => ({
  app: null as unknown as EventEmitter & Record<string, ReturnType<typeof vi.fn>>,
  windows: [] as unknown[],
  ipcMain: null as unknown,
  session: null as unknown,
  protocol: null as unknown as Record<string, ReturnType<typeof vi.fn>>,
  launcher: null as unknown as { opts: LauncherOptions; start: ReturnType<typeof vi.fn>; stop: ReturnType<typeof vi.fn>; connect: () => Promise<unknown>; note?: string },
  ready: null as unknown as () => void,
}));

vi.mock('electron', async () => {
  const { FakeWindow } = await import('../support/fake-electron.js');
  class BrowserWindow extends FakeWindow {
    constructor(options: Record<string, unknown>) {
      super(options);
      state.windows.push(this);
    }
  }
  // getters: each test installs fresh fakes, and the mocked module may be cached across resetModules
  return {
    get app() {
      return state.app;
    },
    BrowserWindow,
    get ipcMain() {
      return state.ipcMain;
    },
    get protocol() {
      return state.protocol;
    },
    session: {
      get defaultSession() {
        return state.session;
      },
    },
  };
});

vi.mock('../../electron/main/launcher.js', () => ({
  HelperLauncher: class {
    start = vi.fn(async () => undefined);
    stop = vi.fn();
    note: string | undefined = 'pkexec: authorisation was refused; running in sandbox mode';
    connect = () => helper.connect();
    constructor(public opts: LauncherOptions) {
      state.launcher = this as never;
    }
  },
}));

const helper = fakeHelper({ 'helper.hello': async () => ({ version: 't', pid: 2, root: false, mode: 'sandbox', stateDir: '/s' }) });

function freshApp() {
  const app = Object.assign(new EventEmitter(), {
    exit: vi.fn(),
    quit: vi.fn(),
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    getAppPath: vi.fn(() => '/app'),
    whenReady: vi.fn(() => new Promise<void>((resolve) => (state.ready = resolve))),
  });
  return app as unknown as typeof state.app;
}

beforeEach(() => {
  vi.resetModules();
  state.app = freshApp();
  state.windows = [];
  state.ipcMain = new FakeIpcMain();
  state.session = new FakeSession();
  state.protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() };
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

describe('electron main', () => {
  it('refuses to run as root: no window, exit 1', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(0);
    await import('../../electron/main/index.js');
    expect(state.app.exit).toHaveBeenCalledWith(1);
    expect(state.app.whenReady).not.toHaveBeenCalled();
    expect(state.windows).toEqual([]);
  });

  it('locks down before ready, then opens one secure window on nslab://app with the relay', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    await import('../../electron/main/index.js');
    expect(state.app.enableSandbox).toHaveBeenCalled();
    expect(state.protocol.registerSchemesAsPrivileged).toHaveBeenCalled();
    expect(state.app.listenerCount('web-contents-created')).toBe(1);
    expect(state.windows).toHaveLength(0);

    state.ready();
    await tick();
    expect(state.windows).toHaveLength(1);
    const win = state.windows[0] as FakeWindow;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: '/app/out/preload/index.cjs' });
    expect(win.loadURL).toHaveBeenCalledWith('nslab://app/index.html');
    expect(state.protocol.handle).toHaveBeenCalledWith('nslab', expect.any(Function));
    expect((state.session as FakeSession).permissionRequest).toBeTypeOf('function');
    expect((state.ipcMain as FakeIpcMain).handlers.has(CALL_CHANNEL)).toBe(true);
    expect(state.launcher.start).toHaveBeenCalled();
    expect(state.launcher.opts.plans.every((p) => p.args.includes('/app/out/node/cli.mjs') || p.via === 'pkexec')).toBe(true);

    // a call from the window reaches the helper; the UI learns the mode and why
    const ipc = state.ipcMain as FakeIpcMain;
    const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    expect(await ipc.invoke(event, CALL_CHANNEL, 'helper.hello', {})).toMatchObject({ result: { mode: 'sandbox' } });
    await ipc.invoke(event, CALL_CHANNEL, 'events.subscribe', { events: ['helper.status'] });
    state.launcher.opts.onStatus({ state: 'restarting', reason: 'the helper exited with code 1', restarts: 1 } satisfies LauncherStatus);
    state.launcher.opts.onStatus({ state: 'ready', mode: 'sandbox', via: 'unshare', restarts: 1 } satisfies LauncherStatus);
    await tick(30);
    const statuses = win.webContents.sent.filter((s) => s[0] === EVENT_CHANNEL && s[1] === 'helper.status').map((s) => s[2] as Record<string, unknown>);
    expect(statuses.map((s) => s.state)).toContain('restarting');
    expect(statuses.at(-1)).toMatchObject({ state: 'ready', mode: 'sandbox', restarts: 1, reason: expect.stringMatching(/refused/) });

    state.app.emit('before-quit');
    expect(state.launcher.stop).toHaveBeenCalled();
    expect(ipc.handlers.has(CALL_CHANNEL)).toBe(false);
  });

  it('quits when another instance already runs', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    state.app.requestSingleInstanceLock = vi.fn(() => false);
    await import('../../electron/main/index.js');
    expect(state.app.quit).toHaveBeenCalled();
    expect(state.app.whenReady).not.toHaveBeenCalled();
  });
});
