// The spawner's body (out/node/spawner.mjs, a process of its own; see spawner.ts for why): reads run and
// kill requests on stdin, starts each program with startHere (the same code the helper would run), and
// answers on stdout with its exit and output once it has ended. It exits as soon as stdin ends — the helper
// closed it or died — leaving the programs run to completion to finish on their own, as the helper's own
// children would have; the tracked ones (processes parked in a namespace, which would otherwise live
// forever and keep it alive) are killed first: nobody is left to stop them.
import { startHere, startTrackedHere, type StartedChild } from './child.js';
import { FrameReader, encodeFrame, type SpawnerDone, type SpawnerRequest, type SpawnerStarted } from './spawn-frames.js';

export interface SpawnerIo {
  input: NodeJS.ReadableStream;
  write(frame: Buffer): void;
  exit(): void;
}

export function spawnerMain(io: SpawnerIo): void {
  const running = new Map<number, Pick<StartedChild, 'kill'> & Partial<Pick<StartedChild, 'feed'>>>();
  const tracked = new Set<number>();
  const reader = new FrameReader((header, body) => {
    const req = header as SpawnerRequest;
    if (req.t === 'kill') {
      running.get(req.id)?.kill();
      return;
    }
    if (req.t === 'input') {
      running.get(req.id)?.feed?.(body.toString('utf8'));
      return;
    }
    if (req.t === 'track') {
      const child = startTrackedHere(req.program, req.args, req.env);
      running.set(req.id, child);
      tracked.add(req.id);
      if (child.pid !== undefined) io.write(encodeFrame({ t: 'started', id: req.id, pid: child.pid } satisfies SpawnerStarted));
      void child.done.then((o) => {
        running.delete(req.id);
        tracked.delete(req.id);
        const reply: SpawnerDone = { t: 'done', id: req.id, code: o.code, signal: o.signal, outBytes: 0, overflow: false, ...(o.spawnError ? { spawnError: o.spawnError } : {}) };
        io.write(encodeFrame(reply));
      });
      return;
    }
    let child: StartedChild;
    try {
      child = startHere({ program: req.program, args: req.args, env: req.env, input: req.inputLater ? null : body.toString('utf8'), stdoutFile: req.stdoutFile, maxBytes: req.maxBytes, ...(req.endMark ? { endMark: req.endMark } : {}) });
    } catch (err) {
      // e.g. no temporary file for stdoutFile: the helper turns it into an error of the run
      const reply: SpawnerDone = { t: 'done', id: req.id, code: null, signal: null, outBytes: 0, overflow: false, spawnError: { message: (err as Error).message } };
      io.write(encodeFrame(reply));
      return;
    }
    running.set(req.id, child);
    void child.done.then((o) => {
      running.delete(req.id);
      const reply: SpawnerDone = { t: 'done', id: req.id, code: o.code, signal: o.signal, outBytes: o.stdout.length, overflow: o.overflow, ...(o.spawnError ? { spawnError: o.spawnError } : {}), ...(o.marked ? { marked: true } : {}) };
      io.write(encodeFrame(reply, Buffer.concat([o.stdout, o.stderr])));
    });
  });
  io.input.on('data', (chunk: Buffer) => reader.push(chunk));
  const end = (): void => {
    for (const id of tracked) running.get(id)?.kill();
    io.exit();
  };
  io.input.on('end', end);
  io.input.on('error', end);
}
