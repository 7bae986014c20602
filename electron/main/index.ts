// Electron main: lock down, serve the renderer on nslab://app, start the helper (root → direct, else pkexec,
// else a user-namespace sandbox), open the one window and relay its allowlisted calls to the helper.
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, protocol, session } from 'electron';
import { helperCli } from './app-paths.js';
import { installRelay, type RelayInstall } from './ipc-relay.js';
import { defaultPlans } from './helper-plans.js';
import { HelperLauncher, type LauncherStatus } from './launcher.js';
import { registerAppScheme, rendererRoot, serveApp } from './protocol.js';
import { hardenSession, installSecurity } from './security.js';
import { createMainWindow } from './window.js';

const log = (line: string): void => void process.stderr.write(`nslab: ${line}\n`);

export function refuseRoot(uid = process.getuid?.()): boolean {
  if (uid !== 0) return false;
  log('refusing to run the Electron window as root. Start it as your own user (the helper asks for root through pkexec), or use browser mode: nslab serve');
  return true;
}

export function main(): void {
  if (refuseRoot()) return app.exit(1);
  if (!app.requestSingleInstanceLock()) return app.quit();
  app.enableSandbox();
  registerAppScheme(protocol);
  installSecurity(app);

  let relay: RelayInstall | null = null;
  let win: BrowserWindow | null = null;
  const appPath = app.getAppPath();
  const launcher = new HelperLauncher({
    plans: defaultPlans(helperCli(appPath)),
    onStatus: (s: LauncherStatus) => {
      log(`helper ${s.state}${'reason' in s ? `: ${s.reason}` : ''}${'note' in s && s.note ? ` (${s.note})` : ''}`);
      if (s.state === 'starting') relay?.helperChanged({ state: 'starting' });
      else if (s.state === 'ready') relay?.helperChanged({ restarts: s.restarts, mode: s.mode }, true);
      else relay?.helperChanged({ state: s.state, reason: s.reason, restarts: s.restarts });
    },
  });

  app.on('second-instance', () => {
    if (win && !win.isDestroyed()) win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    relay?.dispose();
    launcher.stop();
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    serveApp(protocol, rendererRoot(appPath));
    win = createMainWindow(BrowserWindow, join(appPath, 'out', 'preload', 'index.cjs'));
    relay = installRelay({ ipcMain, window: win, connect: () => launcher.connect(), readyReason: () => launcher.note, log });
    void launcher.start();
  });
}

main();
