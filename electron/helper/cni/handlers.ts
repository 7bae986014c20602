import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { cniDiff } from './diff.js';
import { cniAdd, cniCheck, cniDel, cniLs, cniPlugins } from './service.js';

type CniMethods = Extract<keyof Handlers, `cni.${string}`>;

export function cniHandlers(ctx: HelperContext): Pick<Handlers, CniMethods> {
  return {
    'cni.add': async (p) => cniAdd(ctx, p),
    'cni.check': async (p) => cniCheck(ctx, p),
    'cni.del': async (p) => cniDel(ctx, p),
    'cni.ls': async () => cniLs(ctx),
    'cni.plugins': async ({ pluginDirs }) => cniPlugins(pluginDirs),
    'cni.diff': async (p) => cniDiff(ctx, p),
  };
}
