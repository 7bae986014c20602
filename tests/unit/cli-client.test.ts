// The CLI's socket client reassembles UTF-8 across reads: a Korean character split between two socket
// chunks must arrive whole.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { connectHelper } from '../../electron/cli/client.js';

const dir = mkdtempSync(join(tmpdir(), 'nslab-unit-client-'));
afterEach(() => {
  delete process.env.NSLAB_SOCKET;
  rmSync(dir, { recursive: true, force: true });
});

it('a character split between two reads arrives whole', async () => {
  const text = '빨강⇄파랑';
  const path = join(dir, 'helper.sock');
  const server = createServer((socket) => {
    socket.once('data', (d) => {
      const { id } = JSON.parse(String(d)) as { id: number };
      const line = Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id, result: { text } })}\n`);
      const middle = line.indexOf(Buffer.from('강')) + 1; // inside the 3 bytes of one character
      socket.write(line.subarray(0, middle));
      setTimeout(() => socket.end(line.subarray(middle)), 50);
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  process.env.NSLAB_SOCKET = path;
  const client = await connectHelper();
  try {
    expect(await client.call('system.doctor', {} as never)).toEqual({ text });
  } finally {
    client.close();
    server.close();
  }
});
