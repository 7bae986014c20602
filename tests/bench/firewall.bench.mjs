// Firewall benchmarks (issue 13), each a ratio against a baseline measured in the same run:
//   apply   — 1,000 iptables rules through the helper (fw.rule.add with `lines`: checked against the table,
//             validated by iptables-restore --test, applied by iptables-restore --noflush, tagged, journaled)
//             vs a hand-written `iptables-restore --noflush` of the same rules; and 100 per-command
//             `iptables -A` for scale. Target: nslab ≤ 1.5× the hand-written restore.
//   sweep   — one fw.watch counter sweep over 20 namespaces × 100 rules vs the bare `iptables-save -c` +
//             `nft -j -a list ruleset` spawns it needs (same concurrency). Target ≤ 1.5×; and the CPU of the
//             watcher at 1 Hz for 10 s, its own process and its children, as a share of one core (≤ 2 %).
// Namespaces are `nslab-bfw…`, removed at the end. Results: tests/bench/results/firewall.json.
// Environment: NSLAB_BENCH_REPS (default 5), NSLAB_BENCH_STRICT=1 (exit non-zero when a target is missed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { median, sh } from './lib/proc.mjs';
import { rpcClient, startHelper } from './lib/rpc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const REPS = Number(process.env.NSLAB_BENCH_REPS ?? 5);
const STRICT = process.env.NSLAB_BENCH_STRICT === '1';
const RULES = 1000;
const SWEEP_NS = 20;
const SWEEP_RULES = 100;
const TARGETS = { applyRatio: 1.5, sweepRatio: 1.5, corePercentAt1Hz: 2 };

const APPLY_NODE = 'bfw-apply';
const APPLY_NS = `nslab-${APPLY_NODE}`;
const SWEEP = Array.from({ length: SWEEP_NS }, (_, i) => `nslab-bfw-s${String(i).padStart(2, '0')}`);

/** 1,000 distinct rules: one source address and port each. */
const ruleWords = (i) => ['-s', `10.${100 + Math.floor(i / 250)}.${i % 250}.1/32`, '-p', 'tcp', '-m', 'tcp', '--dport', String(1000 + i), '-j', 'ACCEPT'];
const nsRun = (netns, argv, opts) => sh(['ip', 'netns', 'exec', netns, ...argv], opts);
const countTagged = async (netns, tag) => (await nsRun(netns, ['iptables-save'])).stdout.split('\n').filter((l) => l.includes(tag)).length;

/** CPU of this process's children that were waited for (/proc/self/stat cutime + cstime), in ms. */
function childCpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * 10; // USER_HZ = 100
}

async function benchApply() {
  const tmp = mkdtempSync(join(tmpdir(), 'nslab-bench-fw-'));
  const socket = join(tmp, 'helper.sock');
  const helper = startHelper({ stateDir: tmp, socket, cwd: root });
  await helper.ready;
  const rpc = rpcClient(socket);
  await rpc.ready;
  try {
    await rpc.call('net.netns.create', { node: APPLY_NODE });
    const lines = Array.from({ length: RULES }, (_, i) => ['-A', 'INPUT', ...ruleWords(i)].join(' '));
    const restoreInput = `*filter\n${Array.from({ length: RULES }, (_, i) => ['-A', 'INPUT', '-m', 'comment', '--comment', 'nslab:handmade', ...ruleWords(i)].join(' ')).join('\n')}\nCOMMIT\n`;
    const nslabMs = [];
    const restoreMs = [];
    // the floor nslab stands on: reading the table and iptables-restore --test of the same batch
    const readMs = [];
    const testMs = [];
    for (let rep = 0; rep < REPS; rep++) {
      let t = performance.now();
      const r = await rpc.call('fw.rule.add', { node: APPLY_NODE, owner: 'bench', lines });
      nslabMs.push(performance.now() - t);
      if (r.commands.length !== RULES || (await countTagged(APPLY_NS, 'nslab:bench')) !== RULES) throw new Error('nslab did not apply every rule');
      await rpc.call('fw.rule.delete', { node: APPLY_NODE, owner: 'bench' });
      if ((await countTagged(APPLY_NS, 'nslab:bench')) !== 0) throw new Error('nslab did not delete every rule');

      t = performance.now();
      await rpc.call('fw.show', { node: APPLY_NODE });
      readMs.push(performance.now() - t);
      t = performance.now();
      await nsRun(APPLY_NS, ['iptables-restore', '--test', '--noflush'], { input: restoreInput });
      testMs.push(performance.now() - t);

      t = performance.now();
      await nsRun(APPLY_NS, ['iptables-restore', '--noflush'], { input: restoreInput });
      restoreMs.push(performance.now() - t);
      if ((await countTagged(APPLY_NS, 'nslab:handmade')) !== RULES) throw new Error('the hand-written restore did not apply every rule');
      await nsRun(APPLY_NS, ['iptables', '-F', 'INPUT']);
    }
    // per-command iptables, 100 rules, for scale (the issue measured 1.74 s for 1,000)
    let t = performance.now();
    for (let i = 0; i < 100; i++) await nsRun(APPLY_NS, ['iptables', '-A', 'INPUT', ...ruleWords(i)]);
    const perCommand100Ms = performance.now() - t;
    await nsRun(APPLY_NS, ['iptables', '-F', 'INPUT']);
    await rpc.call('net.netns.delete', { node: APPLY_NODE });
    const nslab = median(nslabMs);
    const restore = median(restoreMs);
    return { rules: RULES, nslabMs: +nslab.toFixed(1), restoreMs: +restore.toFixed(1), ratio: +(nslab / restore).toFixed(2), showMs: +median(readMs).toFixed(1), testMs: +median(testMs).toFixed(1), perCommand100Ms: +perCommand100Ms.toFixed(0), perCommandEstimate1000Ms: +(perCommand100Ms * 10).toFixed(0) };
  } finally {
    await rpc.call('net.netns.delete', { node: APPLY_NODE }).catch(() => undefined);
    await rpc.close();
    await helper.stop();
    spawnSync(process.execPath, [join(root, 'bin/nslab.mjs'), 'gc'], { env: { ...process.env, NSLAB_STATE_DIR: tmp }, stdio: 'ignore' });
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function benchSweep() {
  // The watcher's own module, bundled for this process (the CLI bundle does not export it).
  const tmp = mkdtempSync(join(tmpdir(), 'nslab-bench-fwsweep-'));
  const entry = join(tmp, 'entry.ts');
  writeFileSync(entry, `export { CounterWatch } from ${JSON.stringify(join(root, 'electron/helper/firewall/watch.ts'))};\n`);
  const bundle = join(root, 'out', 'bench', 'firewall-entry.mjs');
  await build({ entryPoints: [entry], outfile: bundle, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning', absWorkingDir: root, nodePaths: [join(root, 'node_modules')] });
  const { CounterWatch } = await import(pathToFileURL(bundle).href);
  try {
    for (const ns of SWEEP) {
      await sh(['ip', 'netns', 'add', ns]);
      const input = `*filter\n${Array.from({ length: SWEEP_RULES }, (_, i) => ['-A', 'INPUT', ...ruleWords(i)].join(' ')).join('\n')}\nCOMMIT\n`;
      await nsRun(ns, ['iptables-restore', '--noflush'], { input });
    }
    let events = 0;
    let rulesSeen = 0;
    let errors = 0;
    const client = { id: 'bench', notify: (_name, e) => ((events += 1), (rulesSeen += e.rules.length), (errors += e.error ? 1 : 0)), onClose: () => () => undefined };
    const watch = new CounterWatch();
    watch.watch(client, SWEEP, 10_000); // the long interval keeps the timer out of the timed sweeps
    await watch.sweep();
    if (rulesSeen < SWEEP_NS * SWEEP_RULES) throw new Error(`the first sweep reported ${rulesSeen} rules, expected ${SWEEP_NS * SWEEP_RULES}`);
    const sweepMs = [];
    const bareMs = [];
    for (let rep = 0; rep < REPS * 2; rep++) {
      let t = performance.now();
      await watch.sweep();
      sweepMs.push(performance.now() - t);
      t = performance.now();
      await Promise.all(SWEEP.flatMap((ns) => [nsRun(ns, ['iptables-nft-save', '-c']), nsRun(ns, ['nft', '-j', '-a', 'list', 'ruleset'])]));
      bareMs.push(performance.now() - t);
    }
    watch.close();
    if (errors) throw new Error(`${errors} sweeps of a namespace failed`);

    // 10 s at 1 Hz: the watcher's CPU, its own and its children's (the spawns), as a share of one core.
    const at1Hz = new CounterWatch();
    const u0 = process.cpuUsage();
    const c0 = childCpuMs();
    const w0 = performance.now();
    at1Hz.watch(client, SWEEP, 1000);
    await new Promise((r) => setTimeout(r, 10_000));
    await at1Hz.sweep();
    at1Hz.close();
    const wall = performance.now() - w0;
    const u = process.cpuUsage(u0);
    const ownPct = (((u.user + u.system) / 1000) / wall) * 100;
    const childPct = ((childCpuMs() - c0) / wall) * 100;
    const sweep = median(sweepMs);
    const bare = median(bareMs);
    return {
      namespaces: SWEEP_NS,
      rulesPerNamespace: SWEEP_RULES,
      sweepMs: +sweep.toFixed(1),
      bareSpawnsMs: +bare.toFixed(1),
      ratio: +(sweep / bare).toFixed(2),
      helperCorePercentAt1Hz: +ownPct.toFixed(2),
      spawnedToolsCorePercentAt1Hz: +childPct.toFixed(2),
      events,
    };
  } finally {
    for (const ns of SWEEP) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(tmp, { recursive: true, force: true });
  }
}

const apply = await benchApply();
const sweep = await benchSweep();
const result = { benchmark: 'firewall', at: new Date().toISOString(), apply, sweep, targets: TARGETS };
result.pass = { apply: apply.ratio <= TARGETS.applyRatio, sweep: sweep.ratio <= TARGETS.sweepRatio, cpu: sweep.helperCorePercentAt1Hz <= TARGETS.corePercentAt1Hz };
console.table({
  [`nslab fw.rule.add (${RULES} lines)`]: { ms: apply.nslabMs },
  'hand-written iptables-restore': { ms: apply.restoreMs },
  '  its iptables-restore --test': { ms: apply.testMs },
  '  fw.show of the node (empty)': { ms: apply.showMs },
  'per-command iptables ×1000 (from 100)': { ms: apply.perCommandEstimate1000Ms },
  [`fw.watch sweep (${SWEEP_NS} ns × ${SWEEP_RULES} rules)`]: { ms: sweep.sweepMs },
  'bare iptables-save -c + nft -j spawns': { ms: sweep.bareSpawnsMs },
});
console.log(`apply: ${apply.ratio}× the hand-written restore (target ≤ ${TARGETS.applyRatio}×) ${result.pass.apply ? 'PASS' : 'MISS'}`);
console.log(`sweep: ${sweep.ratio}× the bare spawns (target ≤ ${TARGETS.sweepRatio}×) ${result.pass.sweep ? 'PASS' : 'MISS'}`);
console.log(`1 Hz: watcher ${sweep.helperCorePercentAt1Hz} % of a core (target ≤ ${TARGETS.corePercentAt1Hz} %) ${result.pass.cpu ? 'PASS' : 'MISS'}; the spawned tools ${sweep.spawnedToolsCorePercentAt1Hz} %`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'firewall.json'), `${JSON.stringify(result, null, 2)}\n`);
if (STRICT && !Object.values(result.pass).every(Boolean)) process.exitCode = 1;
