// Starts the helper by the first plan that works (see helper-plans.ts), hands the relay a message pipe on
// its stdio, and restarts it when it dies (backing off; giving up after too many deaths in a minute),
// reporting every change so the UI can say what is going on.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { NslabError } from '../shared/errors.js';
import { streamPipe, type MessagePipe } from '../shared/transport/index.js';
import type { LaunchPlan } from './helper-plans.js';

export type LauncherStatus =
  | { state: 'starting'; via: LaunchPlan['via'] }
  | { state: 'ready'; mode: LaunchPlan['mode']; via: LaunchPlan['via']; note?: string; restarts: number }
  | { state: 'restarting'; reason: string; restarts: number }
  | { state: 'failed'; reason: string; restarts: number };

export type SpawnFn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface LauncherOptions {
  plans: LaunchPlan[];
  onStatus(status: LauncherStatus): void;
  spawn?: SpawnFn;
  /** pkexec waits for a person to type a password: give it minutes, the others seconds. */
  readyTimeoutMs?: (plan: LaunchPlan) => number;
  maxRestarts?: number;
  restartWindowMs?: number;
  backoffMs?: number;
}

/** What `nslab helper` prints on stderr once it serves. */
const READY = /\bready on\b/;

interface Deferred {
  promise: Promise<ChildProcess>;
  resolve(child: ChildProcess): void;
  reject(err: Error): void;
}

function deferred(): Deferred {
  let resolve!: (c: ChildProcess) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<ChildProcess>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined); // nobody may be waiting
  return { promise, resolve, reject };
}

export function describeExit(plan: LaunchPlan, code: number | null, signal: NodeJS.Signals | null): string {
  if (plan.via === 'pkexec' && code === 126) return 'pkexec: authorisation was refused';
  if (plan.via === 'pkexec' && code === 127) return 'pkexec: not authorised, or no polkit authentication agent is running';
  return signal ? `the helper was killed by ${signal}` : `the helper exited with code ${code}`;
}

export class HelperLauncher {
  private child: ChildProcess | null = null;
  private planIndex = -1;
  private next = deferred();
  private detachPipe: (() => void) | null = null;
  private readonly deaths: number[] = [];
  private restarts = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  /** Why the helper runs the way it does (e.g. pkexec refused → sandbox), for the status bar. */
  note: string | undefined;

  constructor(private readonly opts: LauncherOptions) {}

  get plan(): LaunchPlan | null {
    return this.opts.plans[this.planIndex] ?? null;
  }

  /** Tries each plan in order until one helper is ready. Resolves either way; see onStatus. */
  async start(from = 0): Promise<void> {
    const failures: string[] = [];
    for (let i = from; i < this.opts.plans.length && !this.stopping; i++) {
      const plan = this.opts.plans[i]!;
      this.opts.onStatus({ state: 'starting', via: plan.via });
      try {
        const child = await this.launch(plan);
        if (this.stopping) return void child.stdin?.end();
        this.planIndex = i;
        this.child = child;
        this.note = failures.length ? `${failures.join('; ')}; running in ${plan.mode} mode` : this.note;
        this.supervise(child, plan);
        this.opts.onStatus({ state: 'ready', mode: plan.mode, via: plan.via, restarts: this.restarts, ...(this.note ? { note: this.note } : {}) });
        this.next.resolve(child);
        return;
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    if (this.stopping) return;
    const reason = failures.length ? failures.join('; ') : 'no way to start the helper: neither pkexec nor unshare is installed';
    this.opts.onStatus({ state: 'failed', reason, restarts: this.restarts });
    this.next.reject(new NslabError('internal', `the helper could not be started: ${reason}`));
  }

  /** A pipe on the running helper's stdio (waiting for one if it is starting); replaces the previous pipe. */
  async connect(): Promise<MessagePipe> {
    const child = this.child ?? (await this.next.promise);
    this.detachPipe?.();
    return this.pipe(child);
  }

  stop(): void {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    this.child = null;
    this.next.reject(new NslabError('internal', 'nslab is shutting down'));
    if (!child) return;
    // The helper stops when its stdin ends; a root helper cannot be signalled by us anyway.
    child.stdin?.end();
    setTimeout(() => {
      try {
        if (child.exitCode === null) child.kill('SIGTERM');
      } catch {
        // not ours to signal (pkexec): it has its stdin EOF
      }
    }, 3000).unref();
  }

  private launch(plan: LaunchPlan): Promise<ChildProcess> {
    const spawn = this.opts.spawn ?? (nodeSpawn as SpawnFn);
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(plan.command, plan.args, { env: plan.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        return reject(new Error(`${plan.via}: ${(err as Error).message}`));
      }
      let stderr = '';
      const timeout = setTimeout(() => fail(new Error(`${plan.via}: the helper did not become ready`)), this.opts.readyTimeoutMs?.(plan) ?? (plan.via === 'pkexec' ? 300_000 : 30_000));
      const fail = (err: Error): void => {
        cleanup();
        try {
          child.kill('SIGTERM');
        } catch {
          // already gone
        }
        reject(err);
      };
      const onErr = (err: Error): void => fail(new Error(`${plan.via}: ${err.message}`));
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        const last = stderr.trim().split('\n').pop();
        fail(new Error(`${describeExit(plan, code, signal)}${last ? ` (${last})` : ''}`));
      };
      const onData = (d: Buffer): void => {
        stderr = (stderr + d.toString()).slice(-4000);
        if (!READY.test(stderr)) return;
        cleanup();
        resolve(child);
      };
      const cleanup = (): void => {
        clearTimeout(timeout);
        child.off('error', onErr);
        child.off('exit', onExit);
        child.stderr?.off('data', onData);
      };
      child.on('error', onErr);
      child.on('exit', onExit);
      child.stderr?.on('data', onData);
      child.stdin?.on('error', () => undefined); // EPIPE when it dies: the exit handler reports it
    });
  }

  private supervise(child: ChildProcess, plan: LaunchPlan): void {
    child.stderr?.resume(); // keep draining its log
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      const reason = describeExit(plan, code, signal);
      const now = Date.now();
      const window = this.opts.restartWindowMs ?? 60_000;
      while (this.deaths.length && now - this.deaths[0]! > window) this.deaths.shift();
      this.deaths.push(now);
      this.next = deferred();
      if (this.deaths.length > (this.opts.maxRestarts ?? 5)) {
        const why = `${reason}; it died ${this.deaths.length} times within ${Math.round(window / 1000)} s, not restarting`;
        this.opts.onStatus({ state: 'failed', reason: why, restarts: this.restarts });
        this.next.reject(new NslabError('internal', why));
        return;
      }
      this.restarts++;
      this.opts.onStatus({ state: 'restarting', reason, restarts: this.restarts });
      const delay = Math.min(10_000, (this.opts.backoffMs ?? 500) * 2 ** (this.deaths.length - 1));
      this.timer = setTimeout(() => void this.start(this.planIndex), delay);
    });
  }

  private pipe(child: ChildProcess): MessagePipe {
    const exit = (code: number | null, signal: NodeJS.Signals | null): void => pipe.ended(this.plan ? describeExit(this.plan, code, signal) : 'the helper exited');
    const pipe = streamPipe({
      source: child.stdout!,
      write: (text) => void (child.stdin?.writable && child.stdin.write(text)),
      // Closing the pipe detaches us; it never stops the helper (only stop() does).
      release: () => child.off('exit', exit),
    });
    const detachThis = (): void => {
      child.off('exit', exit);
      pipe.ended('replaced by a new connection');
    };
    this.detachPipe = detachThis;
    child.once('exit', exit);
    return {
      send: (m) => pipe.send(m),
      start: (h) =>
        pipe.start({
          ...h,
          close: (reason) => {
            if (this.detachPipe === detachThis) this.detachPipe = null;
            h.close(reason);
          },
        }),
      close: () => pipe.close(),
    };
  }
}
