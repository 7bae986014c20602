// Electron IPC channel names shared by main and preload (the only two that speak IPC).
/** invoke(method, params) → Envelope */
export const CALL_CHANNEL = 'nslab:call';
/** send(method, params), no reply: the contract's notification methods (keystrokes, acks, resizes) */
export const NOTIFY_CHANNEL = 'nslab:notify';
/** main → renderer: (event name, payload) */
export const EVENT_CHANNEL = 'nslab:event';
