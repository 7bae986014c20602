// Lab containers: made at up, replaced by a step's solve, removed with the lab (their objects are owned by
// lab:<id>); and the probes that look into them — a command's outcome, one check of the security audit.
import { labContainerName, labOwner, type LabContainerSpec, type LabProbe, type LabSpec } from '../../shared/labs/index.js';
import { ContainerRunParams } from '../../shared/contract/index.js';
import { shellLine } from '../../shared/shell.js';
import type { HelperContext } from '../context.js';
import { runAudit } from '../audit/run.js';
import { buildContainer } from '../container/build.js';
import { execIn, removeContainer } from '../container/lifecycle.js';
import { loadRecord } from '../container/store.js';

type Outcome = { ok: boolean; expected: string; observed: string; where: string };

/** Removes the lab's container of this name (if any), then runs the given one detached in its place. */
export async function replaceLabContainer(ctx: HelperContext, lab: LabSpec, spec: LabContainerSpec): Promise<string> {
  const name = labContainerName(lab.id, spec.name);
  if (loadRecord(ctx.stateDir, name)) await removeContainer(ctx, name, true);
  await buildContainer(ctx, ContainerRunParams.parse({ ...spec.run, name, owner: labOwner(lab.id), detach: true }));
  return `container ${name}`;
}

/** `nslab container rm -f NAME; nslab container run --name NAME … -d -- CMD` for the exported script. */
export function renderLabContainer(lab: LabSpec, spec: LabContainerSpec): string[] {
  const name = labContainerName(lab.id, spec.name);
  const r = spec.run;
  const limits = Object.entries(r.limits ?? {}).flatMap(([k, v]) => [`--${k}`, String(v)]);
  return [
    `nslab container rm -f ${name} 2>/dev/null || true`,
    shellLine([
      'nslab', 'container', 'run', '--name', name, '-d', ...(r.rootfs && r.rootfs !== 'busybox' ? ['--rootfs', r.rootfs] : []), ...limits,
      ...(r.userns ? ['--userns'] : []), ...(r.capDrop?.length ? ['--cap-drop', r.capDrop.join(',').toUpperCase()] : []), ...(r.capAdd?.length ? ['--cap-add', r.capAdd.join(',').toUpperCase()] : []),
      ...(r.readOnly ? ['--read-only'] : []), ...(r.noNewPrivs ? ['--no-new-privs'] : []), ...(r.hostname ? ['--hostname', r.hostname] : []), '--', ...r.argv,
    ]),
  ];
}

export async function containerExec(ctx: HelperContext, lab: LabSpec, p: Extract<LabProbe, { probe: 'container-exec' }>): Promise<Outcome> {
  const name = labContainerName(lab.id, p.container);
  const where = shellLine(['nslab', 'container', 'exec', name, '--', ...p.argv]);
  const r = await execIn(ctx, name, p.argv, 10_000);
  const code = r.exit.code ?? 128;
  const text = `${r.stdout}${r.stderr}`.trim();
  const okExit = p.exitCode !== undefined ? code === p.exitCode : p.succeeds === undefined || (code === 0) === p.succeeds;
  const okText = p.output === undefined || text.includes(p.output);
  const expected = [p.exitCode !== undefined ? `exit ${p.exitCode}` : p.succeeds === false ? 'it fails' : p.succeeds ? 'it succeeds' : '', p.output !== undefined ? `output contains "${p.output}"` : ''].filter(Boolean).join(', ');
  return { ok: okExit && okText, expected: expected || 'it runs', observed: `exit ${code}${text ? `: ${text.length > 160 ? `${text.slice(0, 160)}…` : text}` : ''}`, where };
}

export async function auditCheck(ctx: HelperContext, lab: LabSpec, p: Extract<LabProbe, { probe: 'audit-check' }>): Promise<Outcome> {
  const name = labContainerName(lab.id, p.container);
  const report = await runAudit(ctx, [name]);
  const result = report.items.find((i) => i.id === p.item)?.results.find((x) => x.check === p.check && x.target === `container:${name}`);
  return {
    ok: result?.status === p.expect,
    expected: `audit ${p.item} ${p.check}: ${p.expect}`,
    observed: result ? `${result.status}: ${result.evidence}` : `no check ${p.check} in item ${p.item} for ${name}`,
    where: `nslab audit ${name}`,
  };
}
