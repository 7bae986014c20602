import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import { firewallEvents } from './firewall.js';
import { metricsEvents } from './metrics.js';
import { ptyEvents } from './pty.js';
import { traceEvents } from './trace.js';
import { conntrackEvents } from './conntrack.js';

/** Every change the helper makes, as argv and as the line a person would type. */
export const ActivityEvent = z.object({
  at: z.string(),
  argv: z.array(z.string()),
  /** The equivalent shell command(s), one per line; a batch expands to one line per step. */
  shell: z.array(z.string()),
  ok: z.boolean(),
  ms: z.number(),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).optional(),
  /** Whose work it was (`lab:<id>`, `topology:<name>`); absent for direct actions. */
  owner: z.string().optional(),
});
export type ActivityEvent = z.infer<typeof ActivityEvent>;

/** One journaled change: the event, its place in the journal and the helper run that made it. */
export const ActivityRecord = ActivityEvent.extend({ seq: z.number().int().positive(), session: z.string() });
export type ActivityRecord = z.infer<typeof ActivityRecord>;

export const TopologyChangedEvent = z.object({
  reason: z.string(),
  topology: z.string().nullable(),
});

/** Where the helper stands, as the relay (Electron main or `nslab serve`) between it and this client sees it. */
export const HelperStatusEvent = z.object({
  /**
   * starting: being launched; ready: answering; restarting: died, a new one is on its way;
   * lost: the connection dropped, the next call reconnects; failed: gave up (see reason).
   */
  state: z.enum(['starting', 'ready', 'restarting', 'lost', 'failed']),
  /** host: the real kernel (root); sandbox: a private user+network namespace. Null until known. */
  mode: z.enum(['host', 'sandbox']).nullable(),
  /** Why the state changed, in words for the status bar (e.g. "pkexec was refused"). */
  reason: z.string().optional(),
  /** How many times the helper was restarted in this session. */
  restarts: z.number(),
  transport: z.enum(['electron', 'browser']),
  /** While lost: when the browser transport tries to reconnect by itself next (epoch ms). */
  retryAt: z.number().optional(),
});
export type HelperStatus = z.infer<typeof HelperStatusEvent>;

/** Events a relay makes itself (the helper never sends them); subscribing to one never reaches the helper. */
export const relayEvents = {
  'helper.status': HelperStatusEvent,
} as const;

export const events = {
  activity: ActivityRecord,
  'topology.changed': TopologyChangedEvent,
  ...ptyEvents,
  ...metricsEvents,
  ...traceEvents,
  ...conntrackEvents,
  ...firewallEvents,
  ...relayEvents,
} as const;

export type EventTable = typeof events;
export type EventName = keyof EventTable;
export type EventPayload<E extends EventName> = z.infer<EventTable[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];
export type RelayEventName = keyof typeof relayEvents;
export const RELAY_EVENT_NAMES: ReadonlySet<string> = new Set(Object.keys(relayEvents));
