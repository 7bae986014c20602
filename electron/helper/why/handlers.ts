// why.* methods: explain a (failed) connection, apply one of the fixes it proposed.
import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { applyFix } from './apply.js';
import { explain } from './explain.js';

export function whyHandlers(ctx: HelperContext): Pick<Handlers, 'why.explain' | 'why.fix'> {
  return {
    'why.explain': async (params) => explain(ctx, params),
    'why.fix': async ({ actions }) => applyFix(ctx, actions),
  };
}
