// `nslab lab list|show|up|check|hint|solve|reset|down|export|progress`: guided labs from the terminal.
import { InvalidArgumentError, type Command } from 'commander';
import type { CheckResult } from '../../shared/contract/index.js';
import { printJson, withClient } from '../output.js';

const stepNumber = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a step is a number from 1');
  return n;
};

interface Opts {
  json?: boolean;
  step?: number;
}

function printCheck(r: CheckResult): void {
  for (const s of r.steps) {
    process.stdout.write(`${s.ok ? '✓' : '✗'} step ${s.step} ${s.id}: ${s.title.en}\n`);
    for (const p of s.probes) {
      process.stdout.write(`    ${p.ok ? 'ok  ' : 'FAIL'} ${p.label}\n`);
      if (!p.ok) process.stdout.write(`         expected: ${p.expected}\n         observed: ${p.observed}\n         look:     ${p.where}\n`);
    }
  }
  if (r.ok) process.stdout.write(`lab ${r.id}: every checked step passes\n`);
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('guided labs checked against your own kernel');
  const withStep = (c: Command): Command => c.option('--step <n>', 'one step (numbered from 1)', stepNumber);

  lab
    .command('list')
    .alias('ls')
    .option('--json', 'print as JSON')
    .description('the shipped labs and your progress')
    .action((opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const { labs } = await client.call('lab.list', {});
        if (opts.json) return printJson({ labs });
        for (const l of labs) {
          const done = l.progress.passed.length;
          const host = l.hostOnly ? `  [host mode${client.mode === 'sandbox' ? ' only' : ''}]` : '';
          process.stdout.write(`${l.id.padEnd(18)} ${l.level.padEnd(12)} ${String(l.minutes).padStart(3)} min  ${done}/${l.steps} steps${l.up ? '  [up]' : ''}${host}  ${l.title.en}\n`);
        }
        if (client.mode === 'sandbox' && labs.some((l) => l.hostOnly)) process.stdout.write('sandbox mode: labs marked [host mode only] need root (sudo nslab …); `nslab lab show <lab>` says why\n');
      }),
    );

  lab
    .command('show')
    .argument('<lab>')
    .option('--json', 'print as JSON')
    .description("a lab's text, steps and commands")
    .action((id: string, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('lab.show', { id });
        if (opts.json) return printJson(r);
        process.stdout.write(`${r.lab.title.en}\n${r.lab.title.ko}\n\n${r.lab.summary.en}\n${r.lab.summary.ko}\n`);
        if (r.hostOnly) process.stdout.write(`\nneeds host mode (root)${client.mode === 'sandbox' ? ', so sandbox mode cannot run it' : ''}: ${r.hostOnly.reason}\n`);
        r.lab.steps.forEach((s, i) => {
          process.stdout.write(`\n${i + 1}. ${s.title.en} / ${s.title.ko}\n   ${s.goal.en}\n   ${s.goal.ko}\n`);
          for (const c of s.commands) process.stdout.write(`   ${c.node ? `[${c.node}] ` : ''}$ ${c.cmd}\n`);
        });
      }),
    );

  lab
    .command('up')
    .argument('<lab>')
    .option('--json', 'print as JSON')
    .description("build the lab's namespaces and starting state")
    .action((id: string, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('lab.up', { id });
        if (opts.json) printJson(r);
        else process.stdout.write(`lab ${id} is up (${r.created.length} objects created, ${r.ms} ms); \`nslab lab show ${id}\` for the steps\n`);
      }),
    );

  withStep(lab.command('check').argument('<lab>').option('--json', 'print as JSON'))
    .description('check every step in order (or one): each probe says what it expected and what it saw')
    .action((id: string, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('lab.check', { id, ...(opts.step ? { step: opts.step } : {}) });
        if (opts.json) printJson(r);
        else printCheck(r);
        if (!r.ok && !opts.json) process.stderr.write(`nslab: ${r.message}\n`);
        return r.ok ? 0 : 1;
      }),
    );

  withStep(lab.command('hint').argument('<lab>').option('--json', 'print as JSON'))
    .description('a hint for the first unmet probe')
    .action((id: string, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('lab.hint', { id, ...(opts.step ? { step: opts.step } : {}) });
        if (opts.json) return printJson(r);
        if (r.probe) process.stdout.write(`step ${r.step} (${r.stepId}): ${r.probe.label}\n  expected: ${r.probe.expected}\n  observed: ${r.probe.observed}\n`);
        else process.stdout.write(`step ${r.step} (${r.stepId}) passes.\n`);
        if (r.hint) process.stdout.write(`\n${r.hint.en}\n${r.hint.ko}\n`);
      }),
    );

  withStep(lab.command('solve').argument('<lab>').option('--json', 'print as JSON'))
    .description("apply the reference solution (every step's, or one)")
    .action((id: string, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('lab.solve', { id, ...(opts.step ? { step: opts.step } : {}) });
        if (opts.json) return printJson(r);
        for (const s of r.steps) {
          process.stdout.write(`step ${s.step} (${s.id}):${s.shell.length ? '' : ' nothing to change'}\n`);
          for (const line of s.shell) process.stdout.write(`  ${line}\n`);
        }
      }),
    );

  for (const [name, description] of [
    ['reset', 'tear the lab down and build it again: a fresh run with no step passed (finished runs stay in the history)'],
    ['down', 'remove exactly what the lab made'],
  ] as const) {
    lab
      .command(name)
      .argument('<lab>')
      .option('--json', 'print as JSON')
      .description(description)
      .action((id: string, opts: Opts) =>
        withClient(!!opts.json, async (client) => {
          const r = await client.call(name === 'reset' ? 'lab.reset' : 'lab.down', { id });
          if (opts.json) printJson(r);
          else process.stdout.write(`lab ${id}: ${name === 'reset' ? 'rebuilt' : 'removed'} (${r.removed.length} objects removed)\n`);
        }),
      );
  }

  withStep(lab.command('export').argument('<lab>').option('--json', 'print as JSON'))
    .description('the reference solution as a runnable shell script')
    .action((id: string, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('lab.export', { id, ...(opts.step ? { step: opts.step } : {}) });
        if (opts.json) printJson(r);
        else process.stdout.write(r.script);
      }),
    );

  lab
    .command('progress')
    .argument('[lab]')
    .option('--json', 'print as JSON')
    .description('your progress')
    .action((id: string | undefined, opts: Opts) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('lab.progress', id ? { id } : {});
        if (opts.json) return printJson(r);
        for (const [lab, p] of Object.entries(r.labs)) process.stdout.write(`${lab}: passed ${p.passed.join(', ') || 'nothing yet'}${p.completedAt ? ' (complete)' : ''}, ${p.hints} hints\n`);
      }),
    );
}
