// Which labs sandbox mode can run: the ones that stay inside their own network namespaces. A lab that
// writes cgroup limits or makes containers needs host mode (root on the real kernel); this says why, for
// the catalogue and for the refusal `lab up` gives in sandbox mode.
import type { LabSpec } from './schema.js';

/** What a host-only lab needs (a key the UI translates) and why, in words for the CLI. */
export interface HostOnly {
  needs: 'containers' | 'cgroups';
  reason: string;
}

export function hostOnlyReason(lab: LabSpec): HostOnly | undefined {
  const actions = [...lab.setup, ...lab.steps.flatMap((s) => s.solve)];
  if (lab.containers?.length || actions.some((a) => 'container' in a)) return { needs: 'containers', reason: 'it makes containers: they need cgroups and id mappings that only root on the host has' };
  if (lab.cgroups?.length || actions.some((a) => 'cgroup' in a)) return { needs: 'cgroups', reason: 'it writes cgroup limits: in sandbox mode cgroups are read-only' };
  return undefined;
}
