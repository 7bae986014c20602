// cgroup.* methods → the driver.
import { cgroupPath } from '../../shared/cgroup/names.js';
import { NslabError } from '../../shared/errors.js';
import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { machineBackend } from './detect.js';
import type { CgroupDriver } from './driver.js';
import { cgroupDriverFor, cgroupWriteRefusal } from './service.js';
import { runWorkload } from './workload.js';

type CgroupMethods = Extract<keyof Handlers, `cgroup.${string}`>;

export function cgroupHandlers(ctx: HelperContext): Pick<Handlers, CgroupMethods> {
  let driver: CgroupDriver | null | undefined;
  const d = (): CgroupDriver => {
    driver ??= cgroupDriverFor(ctx);
    if (!driver) throw new NslabError('unsupported-kernel', 'no cgroup hierarchy is mounted (neither cgroup v1 nor v2 under /proc/self/mountinfo)');
    return driver;
  };
  return {
    'cgroup.layout': async () => {
      const { layout, backend } = machineBackend();
      const drv = backend ? d() : null;
      const reason = cgroupWriteRefusal(ctx);
      return {
        layout,
        backend: backend?.version ?? null,
        hierarchies: backend?.hierarchies ?? [],
        writable: !!drv && !reason,
        ...(reason ? { reason } : {}),
      };
    },
    'cgroup.create': async ({ name, limits, owner }) => d().create(name, limits, owner),
    'cgroup.set': async ({ name, limits }) => d().set(name, limits),
    'cgroup.show': async ({ name }) => d().detail(name),
    'cgroup.list': async () => ({ groups: d().list() }),
    'cgroup.attach': async ({ name, pid }) => (d().attach(name, pid), {}),
    'cgroup.freeze': async ({ name, frozen }) => (d().freeze(name, frozen), { frozen }),
    'cgroup.kill': async ({ name }) => ({ killed: d().kill(name) }),
    'cgroup.run': async (params) => {
      const drv = d();
      const reason = cgroupWriteRefusal(ctx);
      if (reason) throw new NslabError('permission-denied', reason);
      return runWorkload(drv, params);
    },
    'cgroup.remove': async ({ name, force }) => (await d().remove(name, force), { removed: cgroupPath(name) }),
  };
}
