// The preload: one curated global, `window.nslab` (VS Code's sandbox preload, podman-desktop's envelope).
// No ipcRenderer, no Node: the renderer gets call / subscribe / unsubscribe and nothing else. Bundled to one
// CommonJS file (out/preload/index.cjs) because a sandboxed preload cannot load modules.
import { contextBridge, ipcRenderer } from 'electron';
import type { BridgeEventName, Envelope, NslabBridge } from '../shared/bridge.js';
import { CALL_CHANNEL, EVENT_CHANNEL, NOTIFY_CHANNEL } from '../shared/ipc-channels.js';

type Listener = (payload: unknown) => void;

const listeners = new Map<number, { event: string; listener: Listener }>();
let nextId = 1;

// The wire shape every hop uses (rpc.ts `errorToRpc`), written out: the preload bundles no runtime code.
const failure = (code: 'invalid-request' | 'internal', message: string): Envelope<never> => ({
  error: { code: code === 'internal' ? -32603 : -32600, message, data: { code } },
});

function invoke(method: unknown, params: unknown): Promise<Envelope<unknown>> {
  if (typeof method !== 'string') return Promise.resolve(failure('invalid-request', 'method must be a string'));
  // Main always answers with an envelope; a rejection here means IPC itself failed (e.g. during shutdown).
  return (ipcRenderer.invoke(CALL_CHANNEL, method, params) as Promise<Envelope<unknown>>).catch((err: unknown) =>
    failure('internal', `IPC failed: ${err instanceof Error ? err.message : String(err)}`),
  );
}

const countFor = (event: string): number => [...listeners.values()].filter((l) => l.event === event).length;

ipcRenderer.on(EVENT_CHANNEL, (_e, event: unknown, payload: unknown) => {
  for (const l of [...listeners.values()]) {
    if (l.event !== event) continue;
    try {
      l.listener(payload);
    } catch (err) {
      console.error(`nslab: a listener for ${String(event)} threw`, err);
    }
  }
});

const bridge: NslabBridge = {
  call: (method, params) => invoke(method, params) as never,
  notify(method, params) {
    if (typeof method === 'string') ipcRenderer.send(NOTIFY_CHANNEL, method, params);
  },
  subscribe(event: BridgeEventName, listener) {
    if (typeof event !== 'string' || typeof listener !== 'function') throw new TypeError('subscribe(event: string, listener: function)');
    const id = nextId++;
    const first = countFor(event) === 0;
    listeners.set(id, { event, listener: listener as Listener });
    // The helper sends an event only to connections that subscribed; one subscription per name is enough.
    if (first) {
      void invoke('events.subscribe', { events: [event] }).then((r) => {
        if (r.error) console.error(`nslab: cannot subscribe to ${event}: ${r.error.code}: ${r.error.message}`);
      });
    }
    return id;
  },
  unsubscribe(subscriptionId) {
    const entry = listeners.get(subscriptionId);
    if (!entry) return;
    listeners.delete(subscriptionId);
    if (countFor(entry.event) === 0) void invoke('events.unsubscribe', { events: [entry.event] });
  },
};

contextBridge.exposeInMainWorld('nslab', bridge);
