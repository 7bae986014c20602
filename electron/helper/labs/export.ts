// A lab's reference solution as a runnable shell script: the lab's build (namespaces, links, addresses,
// starting firewall state) then each step's solution, every line rendered the way the activity log does.
import { labCgroupName, type LabSpec } from '../../shared/labs/index.js';
import { adoptLines } from '../../shared/adopt-script.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf } from '../../shared/names.js';
import { shellLine } from '../../shared/shell.js';
import { nodeLines, planTopology, rootLines, sysctlAssignments } from '../topology/plan.js';
import { VERSION } from '../version.js';
import { cgroupCreateLines, renderAction } from './actions.js';
import { renderLabContainer } from './container-probes.js';

function buildLines(lab: LabSpec): string[] {
  const spec = lab.topology;
  if (!spec) return lab.cgroups ? cgroupCreateLines(lab) : [];
  const plan = planTopology(spec);
  const lines = rootLines(plan.namespaces, plan.veths).map((l) => shellLine(['ip', ...l]));
  for (const node of spec.nodes) {
    const ns = netnsOf(node.name);
    lines.push(...nodeLines(spec, node, new Set(node.bridges.map((b) => b.name))).map((l) => shellLine(['ip', '-n', ns, ...l])));
    const sysctls = sysctlAssignments(node, false);
    if (sysctls.length) lines.push(shellLine(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...sysctls]));
  }
  return lines;
}

export function exportScript(lab: LabSpec, step?: number): string {
  if (step !== undefined && !lab.steps[step - 1]) throw new NslabError('invalid-params', `lab ${lab.id} has ${lab.steps.length} steps; there is no step ${step}`, { field: 'step' });
  const cleanup = [
    ...(lab.topology ? planTopology(lab.topology).namespaces.map((ns) => `ip netns del ${ns}`) : []),
    ...(lab.cgroups ?? []).map((c) => `nslab cgroup rm -f ${labCgroupName(lab.id, c.name)}`),
  ].join('; ');
  const out = [
    '#!/bin/sh',
    `# nslab lab ${lab.id}: ${lab.title.en}`,
    `# ${lab.title.ko}`,
    `# The reference solution, exported by nslab ${VERSION}. Run as root; it builds the lab from nothing.`,
    ...(cleanup ? [`# Remove it afterwards with: ${cleanup}`] : []),
    'set -e',
    '',
    '# --- the lab: topology and starting state',
    ...buildLines(lab),
    ...(lab.containers ?? []).flatMap((c) => renderLabContainer(lab, c)),
    ...lab.setup.flatMap((a) => renderAction(lab, a)),
  ];
  lab.steps.forEach((s, i) => {
    if (step !== undefined && step !== i + 1) return;
    out.push('', `# --- step ${i + 1} (${s.id}): ${s.title.en}`, `# ${s.title.ko}`);
    const lines = s.solve.flatMap((a) => renderAction(lab, a));
    out.push(...(lines.length ? lines : ['# (nothing to change: this step is observed, not solved)']));
  });
  // The groups were made through `nslab cgroup create` and are recorded already; the namespaces were not.
  out.push(...adoptLines(lab.topology ? planTopology(lab.topology).namespaces : []));
  return `${out.join('\n')}\n`;
}
