// Preloaded into a helper a benchmark starts (`node --import …/loop-delay.mjs`): the helper's event-loop
// delay (perf_hooks.monitorEventLoopDelay), the measure of how long anything it relays — a keystroke's echo,
// an RPC answer — may wait behind work on its only thread. On SIGUSR2 it writes the delay since the
// previous SIGUSR2 (or since it started) to $NSLAB_BENCH_LOOP_FILE as JSON (ms) and starts over.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.NSLAB_BENCH_LOOP_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const ms = (ns) => +(ns / 1e6).toFixed(2);
  process.on('SIGUSR2', () => {
    writeFileSync(file, JSON.stringify({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean), count: h.count }));
    h.reset();
  });
}
