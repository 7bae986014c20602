// Which lab probes "Why?" can explain: a failed ping or TCP check that expected an answer.
import type { LabSpec } from '@shared/labs/schema';

export interface WhyQuestion { from: string; to: string; proto: 'icmp' | 'tcp'; port?: number }

/** The question behind probe `probeId` of step `step` (1-based), or null when it is not a reachability check. */
export function whyQuestion(lab: LabSpec | null, step: number, probeId: string): WhyQuestion | null {
  const checks = lab?.steps[step - 1]?.check ?? [];
  const spec = checks.find((p, j) => (p.id ?? String(j)) === probeId);
  if (!spec || (spec.probe !== 'ping' && spec.probe !== 'tcp') || spec.expect !== 'reachable') return null;
  return spec.probe === 'tcp' ? { from: spec.from, to: spec.to, proto: 'tcp', port: spec.port } : { from: spec.from, to: spec.to, proto: 'icmp' };
}
