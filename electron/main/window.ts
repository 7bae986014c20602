// The one window: sandboxed, isolated, showing nslab://app.
import type { BrowserWindow as BrowserWindowClass } from 'electron';
import { appIndex } from './protocol.js';
import { webPreferences } from './security.js';

export function createMainWindow(BrowserWindow: typeof BrowserWindowClass, preload: string): BrowserWindowClass {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'nslab',
    backgroundColor: '#1e1e1e',
    webPreferences: webPreferences(preload),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(appIndex());
  return win;
}
