// An answer for a view that has moved on: a read for one node whose answer (or error) comes after another
// node was picked is no longer the view's. `null` then, so the caller keeps what it shows.
export async function unlessStale<T>(call: Promise<T>, stale: () => boolean): Promise<T | null> {
  try {
    const r = await call;
    return stale() ? null : r;
  } catch (err) {
    if (stale()) return null;
    throw err;
  }
}
