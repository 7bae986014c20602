// `nslab audit`: every item of the checklist against nslab's containers, the host, nslab's own state and a
// Docker daemon where there is one; each result with its evidence and its fix. It only reads.
import { AuditReport, type Catalogue } from '../../shared/audit/schema.js';
import { NslabError } from '../../shared/errors.js';
import type { HelperContext } from '../context.js';
import { inspectProcess } from '../container/inspect.js';
import { infoOf, isRunning } from '../container/lifecycle.js';
import { listRecords } from '../container/store.js';
import { loadCatalogue } from './catalogue.js';
import { containerOutcome, hostOutcome, isContainerProbe, readDockerConfig, type AuditEnv, type ContainerTarget } from './probes.js';

const worst = (statuses: string[]): AuditReport['items'][number]['status'] =>
  statuses.includes('fail') ? 'fail' : statuses.includes('pass') ? 'pass' : statuses.includes('guidance') ? 'guidance' : 'na';

export async function runAudit(ctx: HelperContext, targets: string[], catalogue: Catalogue = loadCatalogue()): Promise<AuditReport> {
  const unseen: string[] = [];
  const records = listRecords(ctx.stateDir);
  const unknown = targets.filter((t) => !records.some((r) => r.name === t));
  if (unknown.length) throw new NslabError('not-found', `no container ${unknown.join(', ')} (nslab container ls lists them)`, { field: 'targets' });
  const chosen = targets.length ? records.filter((r) => targets.includes(r.name)) : records;
  const containers: ContainerTarget[] = await Promise.all(
    chosen.map(async (r) => {
      let view = null;
      if (isRunning(r)) {
        try {
          view = await inspectProcess(r.pid1!);
          unseen.push(...view.unreadable.map((u) => `${r.name}: ${u}`));
        } catch (err) {
          unseen.push(`${r.name}: ${(err as Error).message}`);
        }
      }
      return { info: infoOf(r), view };
    }),
  );
  const env: AuditEnv = { stateDir: ctx.stateDir, containers, docker: readDockerConfig(unseen), unseen };
  // In the sandbox the helper is uid 0 only inside its own user namespace: that is not root on the host.
  const root = process.getuid?.() === 0 && ctx.mode === 'host';
  if (!root) unseen.push(`not root: only this user's nslab state (${ctx.stateDir}) is audited; root's containers, other users' processes and root-only files are not visible`);

  const items = catalogue.items.map((item) => {
    const results = item.checks.flatMap((check) => {
      const base = { check: check.id, title: check.title, fix: check.fix, cis: check.cis ?? null };
      if (!isContainerProbe(check.probe)) {
        const target = check.probe.kind.startsWith('docker-') ? 'docker' : check.probe.kind === 'file-mode' && check.probe.path.startsWith('{state}') ? 'nslab' : 'host';
        return [{ ...base, target, ...hostOutcome(check.probe, env) }];
      }
      if (containers.length === 0) return [{ ...base, target: 'containers', status: 'na' as const, evidence: 'no nslab containers to check' }];
      return containers.map((t) => ({ ...base, target: `container:${t.info.name}`, ...containerOutcome(check.probe, t, env) }));
    });
    return { id: item.id, title: item.title, status: worst(results.map((r) => r.status)), automated: item.checks.some((c) => c.probe.kind !== 'guidance'), results };
  });
  const count = (s: string): number => items.filter((i) => i.status === s).length;
  return AuditReport.parse({
    at: new Date().toISOString(),
    mode: ctx.mode,
    root,
    targets: containers.map((c) => c.info.name),
    items,
    summary: { pass: count('pass'), fail: count('fail'), na: count('na'), guidance: count('guidance'), automatedItems: items.filter((i) => i.automated).length },
    unseen: [...new Set(unseen)],
  });
}
