/**
 * Wraps an async job so that calls made while it runs coalesce into one more run: a burst of change
 * events costs at most two fetches, and the last one sees the latest state.
 */
export function coalesced(job: () => Promise<void>): () => Promise<void> {
  let inflight: Promise<void> | null = null;
  let again = false;
  return () => {
    if (inflight) {
      again = true;
      return inflight;
    }
    inflight = (async () => {
      do {
        again = false;
        await job();
      } while (again);
    })().finally(() => (inflight = null));
    return inflight;
  };
}
