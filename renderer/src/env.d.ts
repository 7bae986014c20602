/// <reference types="vite/client" />
import type { NslabBridge } from '@shared/bridge';

declare global {
  interface Window {
    /** The preload bridge in Electron; absent in browser mode. */
    nslab?: NslabBridge;
  }
}
