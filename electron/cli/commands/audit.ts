// `nslab audit [--json] [TARGET…]`: the container security checklist on nslab's containers, the host and
// nslab's own state. Exit code 1 when an automated check fails.
import type { Command } from 'commander';
import type { AuditReport } from '../../shared/contract/index.js';
import { printJson, withClient } from '../output.js';

const MARK: Record<string, string> = { pass: 'PASS', fail: 'FAIL', na: 'N/A ', guidance: 'INFO' };
const out = (s: string): void => void process.stdout.write(s);

export function printAudit(r: AuditReport, lang: 'en' | 'ko' = 'en'): void {
  for (const item of r.items) {
    out(`[${MARK[item.status]}] ${item.id} ${item.title[lang]}${item.automated ? '' : ' (guidance only)'}\n`);
    for (const x of item.results) {
      out(`       ${MARK[x.status]} ${x.target.padEnd(20)} ${x.title[lang]}${x.cis ? ` [CIS ${x.cis}]` : ''}\n`);
      out(`            ${x.evidence}\n`);
      if (x.status === 'fail') out(`            fix: ${x.fix[lang]}\n`);
    }
  }
  const s = r.summary;
  out(`\n${s.pass} pass, ${s.fail} fail, ${s.na} not applicable, ${s.guidance} guidance; ${s.automatedItems} of ${r.items.length} items automated\n`);
  for (const u of r.unseen) out(`(not seen: ${u})\n`);
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .argument('[targets...]', 'containers to audit (default: all nslab containers)')
    .option('--json', 'print the report as JSON (schema: resources/audit/report.schema.json)')
    .option('--lang <en|ko>', 'language of the titles and fixes', 'en')
    .description('the container security checklist (1-1 … 5-3) with evidence, fixes and CIS Docker Benchmark references')
    .action((targets: string[], o: { json?: boolean; lang?: string }) =>
      withClient(!!o.json, async (client) => {
        const r = await client.call('audit.run', { targets });
        if (o.json) printJson(r);
        else printAudit(r, o.lang === 'ko' ? 'ko' : 'en');
        return r.summary.fail > 0 ? 1 : 0;
      }),
    );
}
