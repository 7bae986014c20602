// The spawner's body (out/node/spawner.mjs, a process of its own; see spawner.ts for why): reads run and
// kill requests on stdin, starts each program with startHere (the same code the helper would run), and
// answers on stdout with its exit and output once it has ended. It exits as soon as stdin ends — the helper
// closed it or died — leaving the programs still running to finish on their own, as the helper's own
// children would have.
import { startHere, type StartedChild } from './child.js';
import { FrameReader, encodeFrame, type SpawnerReply, type SpawnerRequest } from './spawn-frames.js';

export interface SpawnerIo {
  input: NodeJS.ReadableStream;
  write(frame: Buffer): void;
  exit(): void;
}

export function spawnerMain(io: SpawnerIo): void {
  const running = new Map<number, StartedChild>();
  const reader = new FrameReader((header, body) => {
    const req = header as SpawnerRequest;
    if (req.t === 'kill') {
      running.get(req.id)?.kill();
      return;
    }
    let child: StartedChild;
    try {
      child = startHere({ program: req.program, args: req.args, env: req.env, input: body.toString('utf8'), stdoutFile: req.stdoutFile, maxBytes: req.maxBytes });
    } catch (err) {
      // e.g. no temporary file for stdoutFile: the helper turns it into an error of the run
      const reply: SpawnerReply = { t: 'done', id: req.id, code: null, signal: null, outBytes: 0, overflow: false, spawnError: { message: (err as Error).message } };
      io.write(encodeFrame(reply));
      return;
    }
    running.set(req.id, child);
    void child.done.then((o) => {
      running.delete(req.id);
      const reply: SpawnerReply = { t: 'done', id: req.id, code: o.code, signal: o.signal, outBytes: o.stdout.length, overflow: o.overflow, ...(o.spawnError ? { spawnError: o.spawnError } : {}) };
      io.write(encodeFrame(reply, Buffer.concat([o.stdout, o.stderr])));
    });
  });
  io.input.on('data', (chunk: Buffer) => reader.push(chunk));
  io.input.on('end', () => io.exit());
  io.input.on('error', () => io.exit());
}
