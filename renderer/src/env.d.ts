/// <reference types="vite/client" />
import type { NslabBridge } from '../../electron/shared/bridge';

declare global {
  interface Window {
    /** The preload bridge in Electron; absent in browser mode. */
    nslab?: NslabBridge;
  }
}
