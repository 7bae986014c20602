// The first view: until the panel shown at start has drawn its data, start-up work that view does not need
// (the doctor report, the activity journal, re-attaching terminals, the Korean font faces) waits, so the
// helper answers the first panel's calls first instead of sharing its thread and the CPU with them. The
// renderer bench measured a cold start where `system.doctor` and three `activity.list` calls ran alongside
// `topology.show` and held the graph back. If no panel says so (an error, an unexpected path), a timer
// opens the gate anyway.

/** The deferred work starts at the latest this long after the page started. */
export const FIRST_VIEW_FALLBACK_MS = 3_000;

let open = false;
let waiting: (() => void)[] = [];
let fallback: ReturnType<typeof setTimeout> | null = null;

/** The shown panel has drawn its first data (or failed to): deferred start-up work runs now. Idempotent. */
export function firstViewDrawn(): void {
  if (open) return;
  open = true;
  if (fallback) clearTimeout(fallback);
  fallback = null;
  const tasks = waiting;
  waiting = [];
  for (const task of tasks) {
    try {
      task();
    } catch (err) {
      console.error('nslab: deferred start-up work threw', err);
    }
  }
}

/** Runs `task` once the first view is drawn (at once if it is already). */
export function afterFirstView(task: () => void): void {
  if (open) return task();
  waiting.push(task);
  fallback ??= setTimeout(firstViewDrawn, FIRST_VIEW_FALLBACK_MS);
}

/** Tests (and only tests): a page that has not drawn its first view yet. */
export function resetFirstView(): void {
  if (fallback) clearTimeout(fallback);
  fallback = null;
  open = false;
  waiting = [];
}
