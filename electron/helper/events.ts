// The helper's event bus: drivers emit, connections forward to the clients that subscribed.
import type { EventName, EventPayload } from '../shared/contract/index.js';

type Listener = (name: EventName, payload: unknown) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(name, payload);
  }

  /** Listen to every event; returns the unsubscribe function. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * The kernel reports a link's carrier (operstate UP) through linkwatch, up to a second after the change
 * that caused it. A view refreshed at once would keep showing DOWN, so a change that can move operstate
 * is announced now and once more when it has settled.
 */
export const LINKWATCH_SETTLE_MS = 1200;

export function announceTopologyChange(bus: EventBus, reason: string, topology: string | null, movesCarrier = true): void {
  bus.emit('topology.changed', { reason, topology });
  if (movesCarrier) setTimeout(() => bus.emit('topology.changed', { reason: `${reason}-settled`, topology }), LINKWATCH_SETTLE_MS).unref();
}
