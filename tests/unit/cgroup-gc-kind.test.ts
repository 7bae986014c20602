// gc's cgroup kind against a scripted backend: a create killed between the `nslab/` parent's mkdir and the
// group's own leaves the parent empty; gc must still take it away (found by the randomised kill -9 test).
import { describe, expect, it } from 'vitest';
import type { CgroupBackend } from '../../electron/helper/cgroup/backend.js';
import { cgroupKindFor } from '../../electron/helper/cgroup/kinds.js';

function backend(state: { groups: Set<string>; root: boolean }): CgroupBackend {
  return {
    exists: (n: string) => state.groups.has(n),
    procs: () => [],
    kill: () => 0,
    remove: (n: string) => void state.groups.delete(n),
    hasEmptyRoot: () => state.root && state.groups.size === 0,
    removeRootIfEmpty: () => {
      if (state.groups.size === 0) state.root = false;
    },
  } as unknown as CgroupBackend;
}
const obj = (name: string) => ({ kind: 'cgroup' as const, netns: null, name, owner: 'test' });

describe('gc of cgroups', () => {
  it('removes an empty nslab/ parent that a killed create left without its group', async () => {
    const state = { groups: new Set<string>(), root: true };
    const kind = cgroupKindFor(() => backend(state));
    const present = await kind.present([obj('nslab/c-k4')]);
    expect(present).toHaveLength(1);
    expect(await kind.remove(present)).toEqual([]);
    expect(state.root).toBe(false);
  });

  it('reports nothing when neither the group nor an empty parent is there', async () => {
    const state = { groups: new Set<string>(), root: false };
    expect(await cgroupKindFor(() => backend(state)).present([obj('nslab/c-gone')])).toEqual([]);
  });

  it('does not count a missing group while other groups keep the parent', async () => {
    const state = { groups: new Set(['other']), root: true };
    expect(await cgroupKindFor(() => backend(state)).present([obj('nslab/c-gone')])).toEqual([]);
  });
});
