// What every handler works with: the ledger, the kinds gc knows, the event bus, where state lives.
import type { EventBus } from './events.js';
import type { Ledger } from './ledger/journal.js';
import type { KindDriver } from './ledger/kinds.js';

/**
 * The applied topologies' files (topology/store.ts implements it). Declared here, not imported, so that the
 * context every feature sees does not depend on one of them.
 */
export interface AppliedTopologies {
  save(name: string, yaml: string, nodes: string[]): void;
  load(name: string): string | null;
  /** The node names saved with it, or null where none were. */
  nodes(name: string): string[] | null;
  remove(name: string): void;
  list(): { name: string; appliedAt: string }[];
}

export interface HelperContext {
  ledger: Ledger;
  drivers: KindDriver[];
  bus: EventBus;
  stateDir: string;
  mode: 'host' | 'sandbox';
  topologies: AppliedTopologies;
}
