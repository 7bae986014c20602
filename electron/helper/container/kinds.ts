// The ledger's container kind: a container's directory (overlay layers, mount point, gates, log) and any
// start chain that never reached its cgroup (recorded or not). Runs after cgroups (whose processes gc kills first: with
// them go the container's namespaces and mounts) and links.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import type { KindDriver } from '../ledger/kinds.js';
import { killGate, killStartChains } from './gate.js';
import { containerDir, containersDir, loadRecord } from './store.js';

export function containerKindFor(stateDir: string): KindDriver {
  return {
    kind: 'container',
    order: 30,
    async present(objects) {
      return objects.filter((o) => existsSync(containerDir(stateDir, o.name)));
    },
    async remove(objects) {
      const failed: { object: (typeof objects)[number]; message: string }[] = [];
      for (const object of objects) {
        try {
          const dir = containerDir(stateDir, object.name);
          killGate(loadRecord(stateDir, object.name)?.gatePid ?? null, dir);
          killStartChains(dir); // one spawned just before a kill -9, before its PID was recorded
          rmSync(containerDir(stateDir, object.name), { recursive: true, force: true });
        } catch (err) {
          failed.push({ object, message: (err as Error).message });
        }
      }
      return failed;
    },
    async scanMarked() {
      const dir = containersDir(stateDir);
      return existsSync(dir) ? readdirSync(dir).map((name) => ({ kind: 'container' as const, netns: null, name })) : [];
    },
  };
}
