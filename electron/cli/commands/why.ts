// `nslab why --from NODE --to ADDR[:PORT] [--proto icmp|tcp|udp] [--observe] [--apply] [--json] [--lang en|ko]`:
// why a node can (not) reach an address — the first failure, its evidence, the fix, what else is wrong.
import type { Command } from 'commander';
import { methods, type WhyAnswer, type WhyCheck } from '../../shared/contract/index.js';
import { NslabError, zodToNslabError } from '../../shared/errors.js';
import { printJson, withClient } from '../output.js';

interface WhyOptions {
  from: string;
  to: string;
  proto?: string;
  observe?: boolean;
  apply?: boolean;
  json?: boolean;
  lang?: string;
  all?: boolean;
}

export function whyParams(opts: WhyOptions) {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(.*)$/.exec(opts.to);
  const to = m ? m[1]! : opts.to;
  const portText = m?.[2];
  if (portText !== undefined && !/^\d+$/.test(portText)) throw new NslabError('invalid-params', `to: the port after ':' must be a number 1–65535, got ${JSON.stringify(portText)}`, { field: 'port' });
  const parsed = methods['why.explain'].params.safeParse({
    from: opts.from,
    to,
    ...(portText !== undefined ? { port: Number(portText) } : {}),
    ...(opts.proto !== undefined ? { proto: opts.proto } : {}),
    observe: !!opts.observe,
  });
  if (!parsed.success) throw zodToNslabError(parsed.error);
  return parsed.data;
}

const MARK: Record<WhyCheck['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

export function renderAnswer(a: WhyAnswer, lang: 'en' | 'ko', all: boolean): string {
  const out: string[] = [a.summary[lang]];
  const first = a.first !== null ? a.checks[a.first]! : null;
  if (first) {
    out.push('', first.explanation[lang]);
    for (const e of first.evidence) out.push(`  evidence: ${e.text}${e.command ? `   ($ ${e.command})` : ''}`);
    if (first.fix) {
      out.push('', `fix: ${first.fix.description[lang]}`);
      for (const c of first.fix.commands) out.push(`  $ ${c}`);
      if (first.fix.actions.length) out.push('  (nslab why … --apply applies it)');
    }
    const more = a.downstream.map((i) => a.checks[i]!).filter((c) => c.direction !== 'observed');
    if (more.length) {
      out.push('', lang === 'ko' ? '경로 뒤쪽의 다른 문제:' : 'further down the path:');
      for (const c of more) out.push(`  ${MARK[c.status]} ${c.direction === 'reply' ? '[reply] ' : ''}${c.title[lang]}`);
    }
  }
  out.push('', lang === 'ko' ? '확인한 것:' : 'checked:');
  for (const c of a.checks) {
    if (!all && c.status === 'pass' && c.id === 'chain' && c.direction !== 'observed') continue;
    out.push(`  ${MARK[c.status]} ${c.direction === 'reply' ? '[reply] ' : c.direction === 'observed' ? '[observed] ' : ''}${c.title[lang]}`);
  }
  for (const x of a.disagreements) out.push(`  ≠ ${x[lang]}`);
  if (a.observed?.dropWatch) out.push(`  (${a.observed.dropWatch})`);
  out.push('', `${a.checks.length} checks in ${a.ms} ms`);
  return out.join('\n');
}

export function registerWhy(program: Command): void {
  program
    .command('why')
    .requiredOption('--from <node>', 'node that cannot reach')
    .requiredOption('--to <address[:port]>', 'IPv4 address (and port for tcp/udp)')
    .option('--proto <proto>', 'icmp, tcp or udp (tcp when a port is given, else icmp)')
    .option('--observe', 'also send one probe and watch the kernel (walk, counters, drop reasons)')
    .option('--apply', 'apply the fix of the first failure (through why.fix), then explain again')
    .option('--all', 'list every chain that accepted, too')
    .option('--lang <lang>', 'en or ko (default: from LANG)')
    .option('--json', 'the answer as JSON: ordered checks with status, evidence and fixes')
    .description('explain why a node can or cannot reach an address, hop by hop, with the fix')
    .action((opts: WhyOptions) => {
      let params: ReturnType<typeof whyParams> | undefined;
      const lang: 'en' | 'ko' = opts.lang === 'ko' || (!opts.lang && /^ko/.test(process.env.LANG ?? '')) ? 'ko' : 'en';
      return withClient(
        !!opts.json,
        async (client) => {
          let answer = await client.call('why.explain', params!);
          let applied: { applied: number; commands: string[] } | null = null;
          if (opts.apply && answer.fix?.actions.length) {
            applied = await client.call('why.fix', { actions: answer.fix.actions });
            answer = await client.call('why.explain', params!);
          }
          if (opts.json) printJson(applied ? { applied, answer } : answer);
          else {
            if (applied) process.stdout.write(`applied:\n${applied.commands.map((c) => `  $ ${c}`).join('\n')}\n\n`);
            process.stdout.write(`${renderAnswer(answer, lang, !!opts.all)}\n`);
          }
          return answer.reachable ? 0 : 1;
        },
        () => (params = whyParams(opts)),
      );
    });
}
