// Small stand-ins for Electron objects (event emitters with the methods main uses), for main-* tests.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeFrame {
  constructor(
    public url: string,
    public processId = 1,
    public routingId = 1,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  mainFrame: FakeFrame;
  sent: unknown[][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  constructor(url = 'nslab://app/index.html') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
}

export class FakeWindow extends EventEmitter {
  webContents = new FakeWebContents();
  destroyed = false;
  loadURL = vi.fn(async () => undefined);
  show = vi.fn();
  focus = vi.fn();
  constructor(public options: Record<string, unknown> = {}) {
    super();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeIpcMain extends EventEmitter {
  handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, fn: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.send would do: every `on` listener, with an event naming the sender. */
  send(event: unknown, channel: string, ...args: unknown[]): void {
    this.emit(channel, event, ...args);
  }
  /** What ipcRenderer.invoke would do: run the handler with an event naming the sender. */
  async invoke(event: unknown, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, ...args);
  }
}

export class FakeSession {
  permissionRequest: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null = null;
  permissionCheck: ((...args: unknown[]) => boolean) | null = null;
  beforeRequest: { filter: unknown; fn: (d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void } | null = null;
  headersReceived: ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void) | null = null;
  setPermissionRequestHandler(fn: FakeSession['permissionRequest']): void {
    this.permissionRequest = fn;
  }
  setPermissionCheckHandler(fn: FakeSession['permissionCheck']): void {
    this.permissionCheck = fn;
  }
  setDevicePermissionHandler(): void {}
  webRequest = {
    onBeforeRequest: (filter: unknown, fn: NonNullable<FakeSession['beforeRequest']>['fn']) => (this.beforeRequest = { filter, fn }),
    onHeadersReceived: (fn: NonNullable<FakeSession['headersReceived']>) => (this.headersReceived = fn),
  };
}
