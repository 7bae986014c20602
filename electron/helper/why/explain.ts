// `why.explain`: the simulated path there and back, then (with observe) one probe watched, and the
// answer — the first failure in plain words, its evidence and fix, the other problems further down.
import type { WhyAnswer, WhyExplainParams } from '../../shared/contract/index.js';
import { NslabError } from '../../shared/errors.js';
import { netnsOf, nodeOf } from '../../shared/names.js';
import { renderWhy } from '../../shared/why/messages.js';
import type { HelperContext } from '../context.js';
import { Expectations } from './expect.js';
import type { Packet } from './match.js';
import { disagreements, observe } from './observe.js';
import { World } from './state.js';
import { blameDnat, checkSocket, Diagnosis, walkOneWay } from './walk.js';

/** The source port the simulation gives a tcp/udp request (any ephemeral port would do). */
const MODEL_SPORT = 45_000;
const DEFAULT_PORT = { tcp: 80, udp: 53 } as const;

async function readWorld(params: WhyExplainParams): Promise<World> {
  const world = await World.read();
  const from = netnsOf(params.from);
  if (!world.node(from)) throw new NslabError('not-found', `from: node ${params.from} has no namespace (${from} does not exist)`, { field: 'from' });
  const owner = world.owner(params.to);
  if (owner?.netns === from) throw new NslabError('invalid-params', `to: ${params.to} is an address of ${params.from} itself; ask about another node`, { field: 'to' });
  return world;
}

export async function simulate(ctx: HelperContext, params: WhyExplainParams, world: World): Promise<Diagnosis & { proto: Packet['proto']; port: number | null; target: string | null }> {
  const from = netnsOf(params.from);
  const proto = params.proto ?? (params.port !== undefined ? 'tcp' : 'icmp');
  const port = proto === 'icmp' ? null : (params.port ?? DEFAULT_PORT[proto]);
  const owner = world.owner(params.to);
  // every namespace joined to the source is read now, side by side: the walk then finds them ready
  for (const ns of world.component(from)) void world.detail(ns).catch(() => undefined);
  const d = new Diagnosis(world, Expectations.read(ctx.topologies));
  if (owner) d.add('request', owner.netns, 'target', 'pass', 'target.found', { to: params.to, target: nodeOf(owner.netns), dev: owner.link.name }, [{ kind: 'address', text: `${owner.cidr} on ${nodeOf(owner.netns)} ${owner.link.name}` }]);
  else d.add('request', null, 'target', 'warn', 'target.outside', { to: params.to });
  const p: Packet = { saddr: '', daddr: params.to, proto, ct: 'new', ...(proto === 'icmp' ? { icmpType: 'echo-request' as const } : { sport: MODEL_SPORT, dport: port! }) };
  const arrived = await walkOneWay(d, 'request', from, p);
  let target: string | null = owner ? nodeOf(owner.netns) : null;
  if (arrived) {
    target = nodeOf(arrived.netns);
    await checkSocket(d, arrived.netns, arrived.packet);
    const a = arrived.packet;
    const reply: Packet = { saddr: a.daddr, daddr: a.saddr, proto, ct: 'established', ...(proto === 'icmp' ? { icmpType: 'echo-reply' as const } : { sport: a.dport!, dport: a.sport! }) };
    await walkOneWay(d, 'reply', arrived.netns, reply, new Set(d.requestPath));
  }
  await blameDnat(d, proto);
  return Object.assign(d, { proto, port, target });
}

export async function explain(ctx: HelperContext, params: WhyExplainParams): Promise<WhyAnswer> {
  const t0 = performance.now();
  const world = await readWorld(params);
  // the probe is watched while the simulation reads (it skips the walk's own nslab_trace tables)
  const watching = params.observe ? observe(ctx, world, params) : null;
  watching?.catch(() => undefined);
  const d = await simulate(ctx, params, world);
  const checks = d.checks;
  const first = checks.findIndex((c) => c.status === 'fail');
  const f = first >= 0 ? checks[first]! : null;
  const summary = f
    ? renderWhy('summary.fail', { from: params.from, to: params.to, cause: f.title.en, explanation: f.explanation.en })
    : renderWhy('summary.ok', { from: params.from, to: params.to });
  const answer: WhyAnswer = {
    from: params.from,
    to: params.to,
    proto: d.proto,
    port: d.port,
    target: d.target,
    reachable: first < 0,
    checks,
    first: first >= 0 ? first : null,
    summary: f
      ? { en: summary.title.en, ko: renderWhy('summary.fail', { from: params.from, to: params.to, cause: f.title.ko }).title.ko }
      : { en: summary.title.en, ko: summary.title.ko },
    fix: f?.fix ?? null,
    downstream: checks.flatMap((c, i) => (i > first && first >= 0 && (c.status === 'fail' || c.status === 'warn') ? [i] : [])),
    observed: null,
    disagreements: [],
    ms: 0,
  };
  if (watching) {
    const obs = await watching;
    answer.observed = obs.observed;
    answer.checks.push(...obs.checks);
    answer.disagreements = disagreements(answer.reachable, obs.observed.probe, d.proto);
  }
  answer.ms = Math.round(performance.now() - t0);
  return answer;
}

/**
 * For a lab's failed reachability check: the diagnoser's first failure and fix as one hint text (both
 * languages), or null when it finds nothing (or cannot run).
 */
export async function diagnosisHint(ctx: HelperContext, params: { from: string; to: string; port?: number }): Promise<{ en: string; ko: string } | null> {
  try {
    const a = await explain(ctx, { ...params, ...(params.port !== undefined ? { proto: 'tcp' as const } : {}), observe: false });
    if (a.first === null) return null;
    const f = a.checks[a.first]!;
    const fix = f.fix ? `\n$ ${f.fix.commands.join('\n$ ')}` : '';
    return { en: `${f.title.en}. ${f.explanation.en}${fix}`, ko: `${f.title.ko}. ${f.explanation.ko}${fix}` };
  } catch {
    return null;
  }
}
