// `nslab fw show|add|delete|policy|watch`: the firewall of a node (iptables on both backends and nft),
// rules written in iptables syntax (`nslab fw add NODE -- -t nat -A POSTROUTING … -j MASQUERADE`) or as
// nft rules, and live counters.
import type { Command } from 'commander';
import type { FwRuleChange, FwRuleset, Params } from '../../shared/contract/index.js';
import { shellQuote } from '../../shared/shell.js';
import { printJson, printJsonLine, withClient } from '../output.js';
import { streamUntilStopped } from '../stream.js';

const out = (s: string): void => void process.stdout.write(s);
const num = (v: number | null): string => (v === null ? '—' : v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e4 ? `${Math.round(v / 1e3)}K` : String(v));

export function renderRuleset(rs: FwRuleset): string {
  const lines: string[] = [];
  const where = rs.node ? `node ${rs.node} (${rs.netns})` : rs.netns ? `namespace ${rs.netns}` : 'the root namespace';
  lines.push(`${where} — iptables is ${rs.iptablesBackend}${rs.legacyTables ? ', legacy tables present too' : ''}; ${rs.writable ? 'nslab may write here' : 'read-only for nslab'}`);
  if (!rs.tables.length) lines.push('(no tables)');
  for (const t of rs.tables) {
    lines.push('', `${t.source} ${t.family} ${t.name}${t.handle !== null ? `  (handle ${t.handle})` : ''}${t.sets.length ? `  sets: ${t.sets.join(', ')}` : ''}`);
    for (const c of t.chains) {
      const base = c.hook ? `hook ${c.hook}, priority ${c.priority}, policy ${c.policy}${c.packets !== null ? ` [${num(c.packets)} pkts, ${num(c.bytes)} bytes]` : ''}` : 'user chain';
      lines.push(`  chain ${c.name}  (${base})`);
      for (const r of c.rules) {
        const counters = `${num(r.packets).padStart(6)} ${num(r.bytes).padStart(6)}`;
        const handle = r.handle !== null ? `#${r.handle}`.padEnd(6) : ''.padEnd(6);
        lines.push(`    ${counters} ${handle} ${r.iptables ?? r.nft ?? ''}`);
        if (r.iptables && r.nft) lines.push(`    ${''.padStart(13)} ${''.padEnd(6)} nft: ${r.nft}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function printChange(r: FwRuleChange, verb: string): void {
  for (const c of r.commands) out(`  ${c}\n`);
  out(`${verb} ${r.rules.length} rule(s) in ${r.netns}${r.rules.length ? `: ${r.rules.map((x) => x.id).join(', ')}` : ''}\n`);
}

/** commander hands over the words after `--` already split by the shell; they travel as one line. */
const lineOf = (words: string[]): string => (words[0] === '--' ? words.slice(1) : words).map(shellQuote).join(' ');

type Opts = { json?: boolean };

export function registerFw(program: Command): void {
  const fw = program.command('fw').description('firewall rules of a node: iptables (nf_tables and legacy) and nft, with counters');

  fw.command('show')
    .argument('[node]', 'node (its namespace nslab-<node>); the root namespace when omitted')
    .option('--netns <name>', 'read another namespace by name (read only)')
    .option('--json', 'print JSON')
    .description('every table, chain and rule with counters, each rule as its iptables line and as nft text')
    .action((node: string | undefined, opts: Opts & { netns?: string }) =>
      withClient(!!opts.json, async (client) => {
        const rs = await client.call('fw.show', { ...(node !== undefined ? { node } : {}), ...(opts.netns !== undefined ? { netns: opts.netns } : {}) });
        if (opts.json) printJson(rs);
        else out(renderRuleset(rs));
      }),
    );

  fw.command('add')
    .argument('<node>', 'a node nslab made')
    .argument('[rule...]', 'after --: an iptables line (-t nat -A POSTROUTING … -j MASQUERADE, or -I CHAIN [N] …), or with --nft an nft rule')
    .option('--owner <owner>', 'tag: the rule carries -m comment --comment nslab:<owner> (nft: table nslab_<owner>)', 'manual')
    .option('--nft', 'the words are an nft rule, added to table nslab_<owner>')
    .option('--family <family>', 'nft: ip, ip6 or inet', 'inet')
    .option('--chain <chain>', 'nft: the chain (made if missing)')
    .option('--hook <hook>', 'nft: make the chain a base chain on this hook (prerouting, input, forward, output, postrouting)')
    .option('--type <type>', 'nft: base chain type (filter, nat, route)', 'filter')
    .option('--priority <n>', 'nft: base chain priority', '0')
    .option('--policy <policy>', 'nft: base chain policy (accept, drop)', 'accept')
    .option('--json', 'print JSON')
    .description('add or insert one rule in a node nslab owns (validated by the kernel’s own tools first)')
    .action((node: string, rule: string[], opts: Opts & { owner: string; nft?: boolean; family: string; chain?: string; hook?: string; type: string; priority: string; policy: string }) =>
      withClient(!!opts.json, async (client) => {
        const words = rule[0] === '--' ? rule.slice(1) : rule;
        const params = opts.nft
          ? { node, owner: opts.owner, nft: { family: opts.family, chain: opts.chain ?? '', ...(opts.hook ? { hook: opts.hook } : {}), type: opts.type, priority: Number(opts.priority), policy: opts.policy, rule: words.join(' ') } }
          : { node, owner: opts.owner, line: lineOf(words) };
        const r = await client.call('fw.rule.add', params as Params<'fw.rule.add'>);
        if (opts.json) printJson(r);
        else printChange(r, 'added');
      }),
    );

  fw.command('delete')
    .argument('<node>', 'a node nslab made')
    .argument('[rule...]', 'a rule id from fw show, or after --: an iptables line with -D CHAIN')
    .option('--owner <owner>', 'every rule tagged nslab:<owner> and the nft table nslab_<owner>')
    .option('--json', 'print JSON')
    .description('delete one rule (by id or iptables line) or every rule of an owner')
    .action((node: string, rule: string[], opts: Opts & { owner?: string }) =>
      withClient(!!opts.json, async (client) => {
        const line = rule[0] === '--' || rule.length > 1;
        const params = opts.owner !== undefined ? { node, owner: opts.owner } : line ? { node, line: lineOf(rule) } : { node, id: rule[0] ?? '' };
        const r = await client.call('fw.rule.delete', params);
        if (opts.json) printJson(r);
        else printChange(r, 'deleted');
      }),
    );

  fw.command('policy')
    .argument('<node>', 'a node nslab made')
    .argument('<chain>', 'a built-in chain: INPUT, FORWARD, OUTPUT, PREROUTING, POSTROUTING')
    .argument('<policy>', 'ACCEPT or DROP')
    .option('-t, --table <table>', 'table', 'filter')
    .option('--json', 'print JSON')
    .description('set the policy of a built-in chain')
    .action((node: string, chain: string, policy: string, opts: Opts & { table: string }) =>
      withClient(!!opts.json, async (client) => {
        const r = await client.call('fw.policy.set', { node, table: opts.table, chain, policy } as Params<'fw.policy.set'>);
        if (opts.json) printJson(r);
        else for (const c of r.commands) out(`  ${c}\n`);
      }),
    );

  fw.command('watch')
    .argument('[nodes...]', 'nodes to watch; the root namespace when omitted')
    .option('--interval <ms>', 'sweep interval, 250–10000 ms (default 1000)')
    .option('--count <n>', 'stop after this many sweeps')
    .option('--json', 'one JSON line per sweep (fw.counters events)')
    .description('live rule counters: what moved each sweep, and how many rules have had no hit since watching began')
    .action((nodes: string[], opts: Opts & { interval?: string; count?: string }) =>
      withClient(!!opts.json, async (client) => {
        let left = opts.count !== undefined ? Number(opts.count) : Infinity;
        const targets = nodes.length ? nodes.map((node) => ({ node })) : [{}];
        await streamUntilStopped(client, 'fw.counters', {
          onEvent: (e, stop) => {
            if (opts.json) printJsonLine(e);
            else {
              const where = e.node ?? e.netns ?? 'root';
              if (e.error) out(`${where}: ${e.error}\n`);
              else out(`${new Date(e.t).toLocaleTimeString()} ${where}: ${e.rules.filter((r) => r.dPackets).map((r) => `${r.id} +${r.dPackets}`).join('  ') || 'no change'}  (${e.zeroSinceWatch}/${e.total} rules without a hit since watching began)\n`);
            }
            if (--left <= 0) stop();
          },
          start: () => client.call('fw.watch', { targets, ...(opts.interval !== undefined ? { interval: Number(opts.interval) } : {}) }),
        });
        return 0;
      }),
    );
}
