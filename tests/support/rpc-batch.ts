// Many requests pipelined over one connection to a real helper, answers matched by id: how the hostile-input
// tests push tens of thousands of requests through in seconds instead of one round trip each.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export type Reply = { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: { code?: string; field?: string } } };

export interface BatchClient {
  /** Sends every request (in windows of `window`) and resolves with the answers, in the same order. */
  batch(requests: { method: string; params?: unknown; raw?: string }[], window?: number): Promise<Reply[]>;
  /** Writes raw bytes (malformed frames); answers with a null id land in `orphans`. */
  sendRaw(bytes: string | Buffer): void;
  orphans: Reply[];
}

export function batchClient(child: ChildProcessWithoutNullStreams): BatchClient {
  const pending = new Map<string, (r: Reply) => void>();
  const orphans: Reply[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as Reply & { method?: string };
      if (msg.id === undefined) continue; // an event broadcast, not an answer
      const key = JSON.stringify(msg.id);
      const resolve = pending.get(key);
      if (resolve) {
        pending.delete(key);
        resolve(msg);
      } else orphans.push(msg);
    }
  });
  let next = 1;
  const one = (req: { method: string; params?: unknown; raw?: string }): Promise<Reply> => {
    const id = `b${next++}`;
    const line = req.raw ?? JSON.stringify({ jsonrpc: '2.0', id, method: req.method, params: req.params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (pending.delete(JSON.stringify(id)), reject(new Error(`no answer to ${req.method} ${line.slice(0, 200)}`))), 30_000);
      pending.set(JSON.stringify(id), (r) => (clearTimeout(timer), resolve(r)));
      child.stdin.write(line.replace('"id":"$ID"', `"id":"${id}"`) + '\n');
    });
  };
  return {
    orphans,
    sendRaw: (bytes) => void child.stdin.write(bytes),
    async batch(requests, window = 100) {
      const out: Reply[] = [];
      for (let i = 0; i < requests.length; i += window) out.push(...(await Promise.all(requests.slice(i, i + window).map(one))));
      return out;
    },
  };
}
