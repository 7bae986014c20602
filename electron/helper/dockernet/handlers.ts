import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { dockernetDown, dockernetShow, dockernetUp } from './service.js';

type DockernetMethods = Extract<keyof Handlers, `dockernet.${string}`>;

export function dockernetHandlers(ctx: HelperContext): Pick<Handlers, DockernetMethods> {
  return {
    'dockernet.up': async (p) => dockernetUp(ctx, p),
    'dockernet.show': async ({ name }) => dockernetShow(ctx, name),
    'dockernet.down': async ({ name }) => dockernetDown(ctx, name),
  };
}
