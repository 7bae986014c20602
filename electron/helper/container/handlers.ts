// container.* and process.inspect → the container feature.
import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { cgroupDriverFor } from '../cgroup/service.js';
import { buildContainer, teardown } from './build.js';
import { containerCgroup } from './names.js';
import { containerScript } from './script.js';
import { prepareGates } from './spare-gates.js';
import { inspectProcess } from './inspect.js';
import { execIn, forget, infoOf, listContainers, mustLoad, recordExit, removeContainer, stopContainer } from './lifecycle.js';

type ContainerMethods = Extract<keyof Handlers, `container.${string}` | 'process.inspect'>;

export function containerHandlers(ctx: HelperContext): Pick<Handlers, ContainerMethods> {
  return {
    'container.run': async (params) => {
      const { record, proc, startMs } = await buildContainer(ctx, params);
      // the next build's start gates, made once this one's program started (detached) or ended: off its path
      if (params.detach) {
        prepareGates(ctx.stateDir);
        return { ...infoOf(record), stdout: '', stderr: '', oomKilled: false, startMs };
      }
      const timer = setTimeout(() => cgroupDriverFor(ctx)?.kill(containerCgroup(record.name)), params.timeoutMs);
      const exit = await proc.exited.finally(() => clearTimeout(timer));
      const drv = cgroupDriverFor(ctx)!;
      const oomKills = drv.backend.oomKills(containerCgroup(record.name)) ?? 0;
      recordExit(ctx, record, exit);
      const info = infoOf(record);
      if (params.remove) {
        await teardown(ctx, drv, record);
        forget(ctx, record);
      }
      setImmediate(() => prepareGates(ctx.stateDir)); // after this answer is on its way
      return { ...info, ...proc.output(), oomKilled: oomKills > 0, startMs };
    },
    'container.list': async () => ({ containers: listContainers(ctx) }),
    'container.inspect': async ({ name }) => {
      const r = mustLoad(ctx, name);
      return { ...infoOf(r), commands: r.commands };
    },
    'container.exec': async ({ name, argv, timeoutMs }) => execIn(ctx, name, argv, timeoutMs),
    'container.stop': async ({ name, graceMs }) => stopContainer(ctx, name, graceMs),
    'container.remove': async ({ name, force }) => removeContainer(ctx, name, force),
    'container.export': async ({ name }) => ({ script: containerScript(ctx.stateDir, mustLoad(ctx, name)) }),
    'process.inspect': async ({ pid }) => inspectProcess(pid),
  };
}
