// The relay rules shared by Electron main (IPC) and `nslab serve` (WebSocket): which methods a renderer may
// call, which events it may receive, and one upstream helper connection per client. Transport-independent:
// the transports only hand in (method, params) and deliver what `emit` gives them.
import type { BridgeError, Envelope, HelperStatus } from './bridge.js';
import { EVENT_NAMES, RENDERER_METHODS, isMethodName, type EventName } from './contract/index.js';
import { NslabError, toNslabError } from './errors.js';
import { MAX_MESSAGE_BYTES } from './rpc.js';
import { RpcClient } from './rpc-client.js';

/** The relay's own event: the helper's state as this client's relay sees it. */
export const HELPER_STATUS_EVENT = 'helper.status';

/** Events a renderer may receive: the helper's, plus the relay's own. */
export const RENDERER_EVENTS: ReadonlySet<string> = new Set<string>([...EVENT_NAMES, HELPER_STATUS_EVENT]);

/** One JSON-RPC connection to the helper, message by message (framing is the pipe's business). */
export interface MessagePipe {
  send(message: object): void;
  /** Called once: every message the helper sends, then one close. */
  start(onMessage: (message: unknown) => void, onClose: (reason: string) => void): void;
  close(): void;
}

export interface RelayOptions {
  /** Opens a fresh connection to the helper: lazily, and again after one is lost. */
  connect(): Promise<MessagePipe>;
  /** Delivers one event to this client. */
  emit(event: string, payload: unknown): void;
  transport: HelperStatus['transport'];
  /** Methods this client may call; the contract's renderer allowlist unless a test narrows it. */
  allow?: ReadonlySet<string>;
  /** Words kept on a `ready` status (e.g. why the helper runs in sandbox mode). */
  readyReason?(): string | undefined;
}

export function toBridgeError(err: unknown): BridgeError {
  const e = toNslabError(err);
  return { code: e.code, message: e.message, data: e.data };
}

export const errorEnvelope = (code: NslabError['code'], message: string, extra: Record<string, unknown> = {}): Envelope<never> => ({
  error: toBridgeError(new NslabError(code, message, extra)),
});

const byteLength = (text: string): number => new TextEncoder().encode(text).length;

/** The allowlist rule: a typed refusal, or null when the method may be forwarded. */
export function refuseMethod(method: unknown, allow: ReadonlySet<string> = RENDERER_METHODS): NslabError | null {
  if (typeof method !== 'string' || method.length === 0 || method.length > 128) {
    return new NslabError('invalid-request', 'method must be a non-empty string of at most 128 characters', { field: 'method' });
  }
  if (!isMethodName(method)) return new NslabError('unknown-method', `unknown method '${method}'`, { field: 'method' });
  if (!allow.has(method)) return new NslabError('permission-denied', `'${method}' is not available to the renderer`, { field: 'method' });
  return null;
}

interface Link {
  rpc: RpcClient;
  pipe: MessagePipe;
}

export class RelaySession {
  private link: Link | null = null;
  private connecting: Promise<Link> | null = null;
  /** Helper events this client subscribed to; replayed on every new upstream connection. */
  private readonly helperEvents = new Set<EventName>();
  private statusWanted = false;
  private closed = false;
  private current: HelperStatus;

  constructor(private readonly opts: RelayOptions) {
    this.current = { state: 'starting', mode: null, restarts: 0, transport: opts.transport };
  }

  get status(): HelperStatus {
    return { ...this.current };
  }

  /** One call from the renderer; never rejects. */
  async call(method: unknown, params: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
    const refused = refuseMethod(method, this.opts.allow);
    if (refused) return { error: toBridgeError(refused) };
    let size: number;
    try {
      size = byteLength(JSON.stringify(params ?? {}));
    } catch {
      return errorEnvelope('invalid-params', 'params are not JSON-serialisable', { field: 'params' });
    }
    if (size > MAX_MESSAGE_BYTES) return errorEnvelope('invalid-request', `params larger than the limit (${MAX_MESSAGE_BYTES} bytes)`, { field: 'params' });
    if (method === 'events.subscribe' || method === 'events.unsubscribe') return this.subscription(method, params, signal);
    return this.forward(method as string, params, signal);
  }

  /** Records a state change (from the transport or the launcher) and tells the client if it listens. */
  updateStatus(patch: Partial<Omit<HelperStatus, 'transport'>>): void {
    this.current = { ...this.current, ...patch, transport: this.opts.transport };
    if (patch.reason === undefined && 'reason' in patch) delete this.current.reason;
    if (this.statusWanted && !this.closed) this.opts.emit(HELPER_STATUS_EVENT, this.status);
  }

  /** Drops the current connection and opens a new one now (main calls it once a restarted helper is up). */
  async reconnect(): Promise<void> {
    this.dropLink('reconnecting');
    await this.ensure();
  }

  close(): void {
    this.closed = true;
    this.dropLink('the client went away');
  }

  private dropLink(reason: string): void {
    const link = this.link;
    this.link = null;
    if (link) {
      link.rpc.fail(reason);
      link.pipe.close();
    }
  }

  private async forward(method: string, params: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
    try {
      const { rpc } = await this.ensure();
      return { result: await rpc.call(method as never, params as never, signal) };
    } catch (err) {
      return { error: toBridgeError(err) };
    }
  }

  private async subscription(method: 'events.subscribe' | 'events.unsubscribe', params: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
    const events = (params as { events?: unknown } | null)?.events;
    if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === 'string')) {
      return errorEnvelope('invalid-params', 'events: expected a non-empty array of event names', { field: 'events' });
    }
    const ours = events.filter((e) => e === HELPER_STATUS_EVENT);
    const theirs = events.filter((e) => e !== HELPER_STATUS_EVENT);
    const answered: string[] = [];
    if (theirs.length) {
      // The helper validates the names; on an error nothing is recorded here either.
      const reply = await this.forward(method, { ...(params as object), events: theirs }, signal);
      if (reply.error) return reply;
      for (const e of theirs as EventName[]) {
        if (!(EVENT_NAMES as string[]).includes(e)) continue;
        if (method === 'events.subscribe') this.helperEvents.add(e);
        else this.helperEvents.delete(e);
      }
      answered.push(...theirs);
    }
    if (ours.length) {
      this.statusWanted = method === 'events.subscribe';
      // Deliver the current status right after the answer, so a late subscriber is never left guessing.
      if (this.statusWanted) setTimeout(() => !this.closed && this.statusWanted && this.opts.emit(HELPER_STATUS_EVENT, this.status), 0);
      answered.push(...ours);
    }
    return { result: { events: answered } };
  }

  private ensure(): Promise<Link> {
    if (this.closed) return Promise.reject(new NslabError('internal', 'the relay session is closed'));
    if (this.link) return Promise.resolve(this.link);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<Link> {
    let pipe: MessagePipe;
    try {
      pipe = await this.opts.connect();
    } catch (err) {
      const e = toNslabError(err);
      this.updateStatus({ state: 'lost', reason: e.message });
      throw new NslabError(e.code === 'internal' ? 'internal' : e.code, `the helper is not reachable: ${e.message}`);
    }
    const rpc = new RpcClient((m) => pipe.send(m));
    const link: Link = { rpc, pipe };
    rpc.onEvent((name, payload) => {
      // Only events this client asked for, and only names the contract knows.
      if (this.link === link && this.helperEvents.has(name)) this.opts.emit(name, payload);
    });
    pipe.start(
      (message) => rpc.receive(message),
      (reason) => {
        rpc.fail(`the helper connection was lost: ${reason}`);
        if (this.link !== link) return;
        this.link = null;
        // The launcher may already have said more (restarting, failed): keep its word.
        if (!this.closed && this.current.state !== 'restarting' && this.current.state !== 'failed') this.updateStatus({ state: 'lost', reason });
      },
    );
    if (this.closed) {
      pipe.close();
      throw new NslabError('internal', 'the relay session is closed');
    }
    this.link = link;
    try {
      const hello = await rpc.call('helper.hello', {});
      if (this.helperEvents.size) await rpc.call('events.subscribe', { events: [...this.helperEvents] });
      this.updateStatus({ state: 'ready', mode: hello.mode, reason: this.opts.readyReason?.() });
    } catch (err) {
      if (this.link === link) this.dropLink('the helper did not answer hello');
      throw err;
    }
    return link;
  }
}
