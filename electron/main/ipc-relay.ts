// Electron IPC → helper, through the shared relay rules. Every message's sender frame is checked first
// (VS Code ipcMain.ts): it must be our window's main frame, showing our own nslab://app origin.
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Envelope, HelperStatus } from '../shared/bridge.js';
import { CALL_CHANNEL, EVENT_CHANNEL, NOTIFY_CHANNEL } from '../shared/ipc-channels.js';
import { RelaySession, errorEnvelope } from '../shared/relay.js';
import type { MessagePipe } from '../shared/transport/index.js';
import { isAppUrl } from './security.js';

type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

export function isTrustedSender(event: SenderEvent | undefined, win: BrowserWindow): boolean {
  if (!event || win.isDestroyed()) return false;
  const frame = event.senderFrame;
  if (!frame || event.sender !== win.webContents) return false;
  const main = win.webContents.mainFrame;
  // Same frame object, or the same (process, routing) pair if Electron handed us another wrapper.
  const sameFrame = frame === main || (frame.processId === main.processId && frame.routingId === main.routingId);
  return sameFrame && isAppUrl(frame.url);
}

export interface RelayInstall {
  session(): RelaySession;
  /** Pass a launcher change on to the UI; `ready` reconnects so subscriptions survive a restart. */
  helperChanged(patch: Partial<Omit<HelperStatus, 'transport'>>, reconnect?: boolean): void;
  dispose(): void;
}

export interface RelayInstallOptions {
  ipcMain: IpcMain;
  window: BrowserWindow;
  connect(): Promise<MessagePipe>;
  readyReason?(): string | undefined;
  log?(line: string): void;
  /** Narrows the contract's renderer allowlist (tests). */
  allow?: ReadonlySet<string>;
}

export function installRelay(opts: RelayInstallOptions): RelayInstall {
  const { window: win } = opts;
  let last: Partial<HelperStatus> = {};
  const open = (): RelaySession => {
    const s = new RelaySession({
      connect: opts.connect,
      transport: 'electron',
      ...(opts.allow ? { allow: opts.allow } : {}),
      ...(opts.readyReason ? { readyReason: opts.readyReason } : {}),
      emit: (event, payload) => void (win.isDestroyed() || win.webContents.send(EVENT_CHANNEL, event, payload)),
    });
    s.updateStatus(last);
    return s;
  };
  let session = open();

  opts.ipcMain.handle(CALL_CHANNEL, (event, method: unknown, params: unknown): Promise<Envelope<unknown>> | Envelope<unknown> => {
    if (!isTrustedSender(event, win)) {
      opts.log?.(`refused IPC from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return errorEnvelope('permission-denied', 'IPC from a frame that is not the nslab window');
    }
    return session.call(method, params);
  });
  const notify = (event: SenderEvent, method: unknown, params: unknown): void => {
    if (isTrustedSender(event, win)) session.notify(method, params);
    else opts.log?.(`refused IPC from ${event.senderFrame?.url ?? 'an unknown frame'}`);
  };
  opts.ipcMain.on(NOTIFY_CHANNEL, notify);

  // A reload starts a new page with no subscriptions: start a new relay session with it.
  const reload = (): void => {
    session.close();
    session = open();
  };
  win.webContents.on('did-start-loading', reload);

  return {
    session: () => session,
    helperChanged(patch, reconnect) {
      last = { ...last, ...patch };
      session.updateStatus(patch);
      if (reconnect) void session.reconnect().catch(() => undefined); // a failure shows up as status `lost`
    },
    dispose() {
      opts.ipcMain.removeHandler(CALL_CHANNEL);
      opts.ipcMain.off(NOTIFY_CHANNEL, notify);
      if (!win.isDestroyed()) win.webContents.off('did-start-loading', reload);
      session.close();
    },
  };
}
