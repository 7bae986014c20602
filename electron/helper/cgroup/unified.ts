// A group's directory in a cgroup v2 hierarchy: the pure-v2 backend's home, and on a hybrid layout the v2
// half that still offers process-tree operations (cgroup.kill, cgroup.freeze, cgroup.events) and PSI.
import { join } from 'node:path';
import { CGROUP_ROOT } from '../../shared/cgroup/names.js';
import { childDirs, exists, makeDir, pidsOf, readOptional, removeDir, writeValue } from './cgroupfs.js';
import { parsePressure } from './psi.js';
import type { CgroupStats } from '../../shared/contract/cgroup.js';

export class UnifiedTree {
  constructor(readonly mount: string) {}

  get parent(): string {
    return join(this.mount, CGROUP_ROOT);
  }

  dir(name: string): string {
    return join(this.parent, name);
  }

  list(): string[] {
    return childDirs(this.parent);
  }

  /** Makes `nslab/` (enabling `controllers` for its children on the way) and the group. */
  create(name: string, controllers: string[] = []): void {
    const available = (readOptional(join(this.mount, 'cgroup.controllers')) ?? '').split(/\s+/).filter(Boolean);
    const wanted = controllers.filter((c) => available.includes(c));
    // v2 hands a controller to children only if every ancestor lists it in cgroup.subtree_control.
    this.enable(this.mount, wanted);
    if (!exists(this.parent)) makeDir(this.parent);
    this.enable(this.parent, wanted);
    makeDir(this.dir(name));
  }

  private enable(dir: string, controllers: string[]): void {
    const enabled = (readOptional(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/).filter(Boolean);
    const missing = controllers.filter((c) => !enabled.includes(c));
    if (missing.length) writeValue(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
  }

  procs(name: string): number[] {
    return pidsOf(readOptional(join(this.dir(name), 'cgroup.procs')));
  }

  /** cgroup.kill (kernel ≥ 5.14) kills the whole subtree atomically, forks in flight included. */
  kill(name: string): boolean {
    const file = join(this.dir(name), 'cgroup.kill');
    if (!exists(file)) return false;
    writeValue(file, '1');
    return true;
  }

  /** Returns false when this kernel has no cgroup.freeze (< 5.2). */
  freeze(name: string, frozen: boolean): boolean {
    const file = join(this.dir(name), 'cgroup.freeze');
    if (!exists(file)) return false;
    writeValue(file, frozen ? '1' : '0');
    return true;
  }

  pressure(name: string): CgroupStats['pressure'] {
    const read = (f: string) => parsePressure(readOptional(join(this.dir(name), f)));
    return { cpu: read('cpu.pressure'), memory: read('memory.pressure'), io: read('io.pressure') };
  }

  remove(name: string): void {
    if (exists(this.dir(name))) removeDir(this.dir(name));
  }

  hasEmptyParent(): boolean {
    return exists(this.parent) && childDirs(this.parent).length === 0;
  }

  removeParentIfEmpty(): void {
    if (exists(this.parent) && childDirs(this.parent).length === 0) removeDir(this.parent);
  }
}
