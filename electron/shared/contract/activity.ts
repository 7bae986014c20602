import { z } from 'zod';
import { defineMethods } from './define.js';
import { ActivityRecord } from './events.js';

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'an ISO date/time such as 2026-12-01T09:00:00Z' });
const Owner = z.string().regex(/^(lab|topology):[a-z0-9][a-z0-9-]*$/, { message: 'lab:<id> or topology:<name>' });

/** Which part of the journal: all of it, this helper session, a time onwards, one lab or topology. */
export const ActivityQuery = z.strictObject({
  since: IsoTime.optional(),
  owner: Owner.optional(),
  /** Only what the running helper did since it started. */
  currentSession: z.boolean().optional(),
});

export const activity = defineMethods({
  'activity.list': {
    summary: 'The journal of changes (bounded, kept across restarts), oldest first.',
    renderer: true,
    params: ActivityQuery,
    result: z.object({ entries: z.array(ActivityRecord), session: z.string() }),
  },
  'activity.export': {
    summary: 'The journaled changes as a runnable shell script.',
    renderer: true,
    params: ActivityQuery,
    result: z.object({ script: z.string(), commands: z.number().int() }),
  },
});
