// audit.run → the checklist runner.
import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { runAudit } from './run.js';

export function auditHandlers(ctx: HelperContext): Pick<Handlers, 'audit.run'> {
  return { 'audit.run': async ({ targets }) => runAudit(ctx, targets) };
}
