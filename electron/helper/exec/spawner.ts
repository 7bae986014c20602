// Why the helper starts its programs from another process, and the helper's side of it.
//
// node's spawn forks on the calling thread, and a fork copies the page tables of the whole process: from the
// helper (130–200 MB resident under load) one spawn blocks its only thread ~8–10 ms, against ~1–2 ms from a
// bare Node process. Under the load test's 1,000 calls/s (~150 programs/s) that was most of the helper's
// time, and every terminal's echo, RPC answer and sampler tick waited behind it. A worker thread does not
// help enough: it forks the same big process and holds the same memory lock while it does.
//
// So a long-lived helper (`nslab helper`; useSpawner) starts one small Node process, out/node/spawner.mjs
// (spawner-main.ts), and sends it every program that run() runs to completion; it answers with the exit
// and the output when the program has ended (spawn-frames.ts). The helper keeps all that run() promises:
// the argv, the timeout and abort (a kill request), the error mapping, the activity record. The spawner
// ends when its stdin does, so a helper killed with -9 takes it along. Programs that live on (pty
// terminals, the line listeners, the cgroup launcher, containers) are still started by the helper itself:
// few, and started seldom — except the sampler's namespace anchors (startAnchor), one per namespace it
// finds, started in a burst inside its synchronous sweep: those come from the spawner too.
//
// NSLAB_SPAWNER=inline starts programs from the helper itself again (to compare, or where the spawner
// cannot run); so does a spawner that cannot be found, or that died too often.
import { spawn, type ChildProcess } from 'node:child_process';
import { NslabError } from '../../shared/errors.js';
import { builtNodeEntry } from '../resources.js';
import { holdLoop, startHere, startTrackedHere, type ChildOutcome, type ChildRequest, type StartedChild } from './child.js';
import { FrameReader, encodeFrame, type SpawnerReply, type SpawnerRequest } from './spawn-frames.js';

/** out/node/spawner.mjs: next to the bundle this runs from, or the checkout's build output (tests). */
export const spawnerPath = (): string => builtNodeEntry('spawner.mjs', 'the spawner');

/** A spawner that died this many times is given up on (the helper then starts programs itself). */
const MAX_DEATHS = 3;

interface Pending {
  resolve(o: ChildOutcome): void;
  program: string;
  onStarted?(pid: number): void;
}

/** A process with no I/O, killed on request, whose pid is known once the spawner has started it (-1 until then). */
export interface AnchorProcess {
  readonly pid: number;
  kill(): void;
  exited: Promise<void>;
}

class SpawnerProcess {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  readonly exited: Promise<void>;

  private constructor(private readonly proc: ChildProcess) {
    const reader = new FrameReader((header, body) => this.answer(header as SpawnerReply, body));
    proc.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
    proc.stdin!.on('error', () => undefined); // it died: 'exit' says so
    this.exited = new Promise((resolve) => {
      proc.once('error', () => resolve());
      // 'close', not 'exit': the answers it wrote before it ended are read first
      proc.once('close', () => resolve());
    });
    void this.exited.then(() => this.failAll());
    this.idle();
  }

  static start(path: string): SpawnerProcess {
    // One V8 worker thread instead of one per core, like the cgroup launcher: the spawner mostly waits.
    const proc = spawn(process.execPath, ['--v8-pool-size=1', path], { stdio: ['pipe', 'pipe', 'inherit'] });
    return new SpawnerProcess(proc);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  start(req: ChildRequest): StartedChild {
    const id = this.nextId++;
    const done = new Promise<ChildOutcome>((resolve) => this.pending.set(id, { resolve, program: req.program }));
    const later = req.input === null;
    const run: SpawnerRequest = { t: 'run', id, program: req.program, args: req.args, env: req.env, stdoutFile: req.stdoutFile, maxBytes: req.maxBytes, ...(later ? { inputLater: true } : {}), ...(req.endMark ? { endMark: req.endMark } : {}) };
    this.busy();
    this.proc.stdin!.write(encodeFrame(run, later ? undefined : Buffer.from(req.input!, 'utf8')));
    let fed = !later;
    return {
      kill: this.killer(id),
      done,
      feed: (input) => {
        if (fed) return;
        fed = true;
        if (this.pending.has(id)) this.proc.stdin!.write(encodeFrame({ t: 'input', id } satisfies SpawnerRequest, Buffer.from(input, 'utf8')));
      },
    };
  }

  track(program: string, args: string[], env: Record<string, string>): AnchorProcess {
    const id = this.nextId++;
    let pid = -1;
    const done = new Promise<ChildOutcome>((resolve) => this.pending.set(id, { resolve, program, onStarted: (p) => void (pid = p) }));
    this.busy();
    this.proc.stdin!.write(encodeFrame({ t: 'track', id, program, args, env } satisfies SpawnerRequest));
    return {
      get pid() {
        return pid;
      },
      kill: this.killer(id),
      exited: done.then(() => undefined),
    };
  }

  stop(): void {
    this.proc.stdin!.end();
  }

  /** Asks the spawner to kill request `id`'s process, while it has not ended. */
  private killer(id: number): () => void {
    return () => {
      if (this.pending.has(id)) this.proc.stdin!.write(encodeFrame({ t: 'kill', id } satisfies SpawnerRequest));
    };
  }

  private answer(reply: SpawnerReply, body: Buffer): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.t === 'started') {
      p.onStarted?.(reply.pid);
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.idle();
    p.resolve({
      code: reply.code,
      signal: reply.signal,
      stdout: body.subarray(0, reply.outBytes),
      stderr: body.subarray(reply.outBytes),
      overflow: reply.overflow,
      ...(reply.spawnError ? { spawnError: reply.spawnError } : {}),
      ...(reply.marked ? { marked: true as const } : {}),
    });
  }

  /** The spawner is gone: what it was running can no longer be answered for. */
  private failAll(): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      const message = `the spawner (pid ${this.proc.pid}) exited while ${p.program} ran (exit ${this.proc.exitCode}, signal ${this.proc.signalCode})`;
      p.resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), overflow: false, spawnError: { code: 'ESPAWNER', message } });
    }
  }

  // While a program runs, the helper waits for its answer as it waited for its own child.
  private busy(): void {
    holdLoop(this.proc, this.proc.stdout!, true);
  }
  private idle(): void {
    holdLoop(this.proc, this.proc.stdout!, false);
  }
}

let enabled = false;
let current: SpawnerProcess | null = null;
let deaths = 0;
let warned = false;

const fallBack = (why: string): void => {
  enabled = false;
  if (!warned) process.stderr.write(`nslab helper: starting programs from the helper itself (${why})\n`);
  warned = true;
};

/**
 * Makes run() start its programs from the spawner from now on (the long-lived helper does; a one-shot CLI
 * command does not: one more Node process to start would cost it more than it saves). Returns the
 * spawner's pid, or null when programs are started from here (NSLAB_SPAWNER=inline, no spawner built).
 */
export function useSpawner(): number | null {
  if (process.env.NSLAB_SPAWNER === 'inline') return null;
  enabled = true;
  return spawner()?.pid ?? null;
}

/** Ends the spawner (it would end with this process anyway); run() starts programs from here again. */
export function stopSpawner(): void {
  enabled = false;
  current?.stop();
  current = null;
}

function spawner(): SpawnerProcess | null {
  if (!enabled) return null;
  if (current) return current;
  let path: string;
  try {
    path = spawnerPath();
  } catch (err) {
    fallBack((err as NslabError).message);
    return null;
  }
  const started = SpawnerProcess.start(path);
  current = started;
  void started.exited.then(() => {
    if (current !== started) return; // stopped on purpose
    current = null;
    if (++deaths >= MAX_DEATHS) fallBack(`the spawner died ${deaths} times`);
  });
  return started;
}

/** Starts a program to completion: from the spawner when the helper uses one, else from this process. */
export function startChild(req: ChildRequest): StartedChild {
  return (spawner() ?? HERE).start(req);
}
const HERE = { start: startHere };

/**
 * A process parked for as long as the caller wants it (no I/O, killed on request), from the spawner when the
 * helper uses one: the caller must cope with pid -1 for the moment it takes to start. A spawner that ends
 * kills these, so even a helper killed with -9 leaves none behind.
 */
export function startAnchor(argv: readonly string[]): AnchorProcess {
  const [program, ...args] = argv;
  if (!program) throw new NslabError('internal', 'empty argv');
  const via = spawner();
  if (via) return via.track(program, args, process.env as Record<string, string>);
  const child = startTrackedHere(program, args);
  return { pid: child.pid ?? -1, kill: child.kill, exited: child.done.then(() => undefined) };
}
