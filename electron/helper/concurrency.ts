// Small promise tools the helper's capabilities share: steps run side by side, and steps started ahead of the
// code that awaits them.

/** Waits for all (nothing may still be running when a failure rolls everything back), then throws the first failure. */
export async function settled(steps: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(steps)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * A promise started ahead of the code that awaits it: a failure before that `await` is not an unhandled
 * rejection (which would end the helper), and still reaches whoever awaits it. Returns the same promise.
 */
export function awaitedLater<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
