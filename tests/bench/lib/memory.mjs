// Preloaded into a helper a benchmark starts (`node --import …/memory.mjs`): where the helper's RSS is, once
// a second — process.memoryUsage() (rss, heapTotal, heapUsed, external, arrayBuffers) and, from
// /proc/self/status, RssAnon/RssFile — appended as one JSON line to $NSLAB_BENCH_MEMORY_FILE. It tells a leak
// (heapUsed or external climbing sample after sample) from the heap or the allocator settling (rss growing
// while what is in use stays flat). SIGUSR2 (also sent for lib/loop-delay.mjs) writes a sample at once, so
// the start and end of a load window have one of their own. The timer is unref'd: it keeps nothing alive.
import { appendFileSync, readFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

const file = process.env.NSLAB_BENCH_MEMORY_FILE;
if (file) {
  const mb = (bytes) => +(bytes / 2 ** 20).toFixed(1);
  const t0 = performance.now();
  const statusMB = (key) => {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? +(Number(m[1]) / 1024).toFixed(1) : null;
  };
  // The heap in use just after the latest full (mark-compact) collection: what is live, without the garbage
  // heapUsed also counts between collections. Read in the observer's callback, so a little after the GC.
  let afterMajorGC = null;
  let majorGCs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      majorGCs++;
      afterMajorGC = mb(getHeapStatistics().used_heap_size);
    }
  }).observe({ entryTypes: ['gc'] });
  const sample = (mark) => {
    const u = process.memoryUsage();
    const row = {
      s: +((performance.now() - t0) / 1000).toFixed(2),
      rss: mb(u.rss),
      heapTotal: mb(u.heapTotal),
      heapUsed: mb(u.heapUsed),
      heapAfterMajorGC: afterMajorGC,
      majorGCs,
      external: mb(u.external),
      arrayBuffers: mb(u.arrayBuffers),
      rssAnon: statusMB('RssAnon'),
      rssFile: statusMB('RssFile'),
    };
    appendFileSync(file, `${JSON.stringify(mark ? { ...row, mark } : row)}\n`);
  };
  setInterval(sample, 1000).unref();
  process.on('SIGUSR2', () => sample('signal'));
}
