// Output that arrives for a session whose screen is not ready yet (its attach is in flight, or pty.open has
// not answered): held in order, and written once, right after the scrollback, by whoever finishes the setup.
export class EarlyOutput {
  private readonly held = new Map<string, string[]>();

  hold(id: string, data: string): void {
    const queue = this.held.get(id);
    if (queue) queue.push(data);
    else this.held.set(id, [data]);
  }

  /** Hands what was held for `id` to `write`, in arrival order, and forgets it. */
  flush(id: string, write: (data: string) => void): void {
    const queue = this.held.get(id);
    if (!queue) return;
    this.held.delete(id);
    for (const data of queue) write(data);
  }

  drop(id: string): void {
    this.held.delete(id);
  }

  clear(): void {
    this.held.clear();
  }
}
