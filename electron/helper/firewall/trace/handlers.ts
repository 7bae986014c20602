// trace.* methods: the walk streams its events to the caller (trace.event) and answers with the whole walk.
import type { HelperContext } from '../../context.js';
import type { Handlers } from '../../rpc/dispatcher.js';
import { runTrace } from './run.js';

export function traceHandlers(ctx: HelperContext): Pick<Handlers, 'trace.run'> {
  return {
    'trace.run': async (params, call) => runTrace(ctx, params, (event) => call.client.notify('trace.event', event)),
  };
}
