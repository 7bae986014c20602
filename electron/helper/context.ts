// What every handler works with: the ledger, the kinds gc knows, the event bus, where state lives.
import type { EventBus } from './events.js';
import type { Ledger } from './ledger/journal.js';
import type { KindDriver } from './ledger/kinds.js';
import type { TopologyStore } from './topology/store.js';

export interface HelperContext {
  ledger: Ledger;
  drivers: KindDriver[];
  bus: EventBus;
  stateDir: string;
  mode: 'host' | 'sandbox';
  topologies: TopologyStore;
}
