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
});
export type ActivityEvent = z.infer<typeof ActivityEvent>;

export const TopologyChangedEvent = z.object({
  reason: z.string(),
  topology: z.string().nullable(),
});

export const events = {
  activity: ActivityEvent,
  'topology.changed': TopologyChangedEvent,
  ...ptyEvents,
  ...metricsEvents,
  ...traceEvents,
  ...conntrackEvents,
  ...firewallEvents,
} as const;

export type EventTable = typeof events;
export type EventName = keyof EventTable;
export type EventPayload<E extends EventName> = z.infer<EventTable[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];
