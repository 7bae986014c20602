// The relay rules shared by Electron main (IPC) and `nslab serve` (WebSocket): which methods a renderer may
// call, and one upstream helper connection per client. Transport-independent: the transports hand in
// calls and notifications and deliver what `emit` gives them. The helper already sends a connection only the
// events it subscribed to, so the relay forwards every event it receives without filtering again; it makes
// one event of its own (the contract's relay events: `helper.status`).
import type { Envelope } from './bridge.js';
import { RELAY_EVENT_NAMES, RENDERER_METHODS, isMethodName, isNotificationMethod, subscriptionChange, type HelperStatus, type RelayEventName } from './contract/index.js';
import { NslabError, toNslabError } from './errors.js';
import { MAX_MESSAGE_BYTES, errorToRpc } from './rpc.js';
import { RpcPeer, toWireError, type MessagePipe } from './transport/index.js';

const HELPER_STATUS: RelayEventName = 'helper.status';

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

export const errorEnvelope = (code: NslabError['code'], message: string, extra: Record<string, unknown> = {}): Envelope<never> => ({
  error: errorToRpc(new NslabError(code, message, extra)),
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

/** Size and serialisability of params, checked before anything is forwarded. */
function refuseParams(params: unknown): NslabError | null {
  let size: number;
  try {
    size = byteLength(JSON.stringify(params ?? {}));
  } catch {
    return new NslabError('invalid-params', 'params are not JSON-serialisable', { field: 'params' });
  }
  return size > MAX_MESSAGE_BYTES ? new NslabError('invalid-request', `params larger than the limit (${MAX_MESSAGE_BYTES} bytes)`, { field: 'params' }) : null;
}

export class RelaySession {
  private link: RpcPeer | null = null;
  private connecting: Promise<RpcPeer> | null = null;
  /** Helper events this client subscribed to; replayed on every new upstream connection. */
  private readonly helperEvents = new Set<string>();
  private statusWanted = false;
  private closed = false;
  private current: HelperStatus;

  constructor(private readonly opts: RelayOptions) {
    this.current = { state: 'starting', mode: null, restarts: 0, transport: opts.transport };
  }

  get status(): HelperStatus {
    return { ...this.current };
  }

  /** One call from the renderer; never rejects. Errors come back in the wire shape the helper made. */
  async call(method: unknown, params: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
    const refused =
      refuseMethod(method, this.opts.allow) ??
      (isNotificationMethod(method) ? new NslabError('invalid-request', `${method} is a notification: send it without an id`, { field: 'id' }) : null) ??
      refuseParams(params);
    if (refused) return { error: errorToRpc(refused) };
    const change = subscriptionChange(method as string);
    if (change) return this.subscription(method as string, change, params, signal);
    return this.forward(method as string, params, signal);
  }

  /** One notification from the renderer: forwarded if allowed, dropped otherwise (there is no one to tell). */
  notify(method: unknown, params: unknown): void {
    if (refuseMethod(method, this.opts.allow) || !isNotificationMethod(method) || refuseParams(params)) return;
    void this.ensure().then(
      (peer) => peer.notify(method, params),
      () => undefined,
    );
  }

  /** Records a state change (from the transport or the launcher) and tells the client if it listens. */
  updateStatus(patch: Partial<Omit<HelperStatus, 'transport'>>): void {
    this.current = { ...this.current, ...patch, transport: this.opts.transport };
    if (patch.reason === undefined && 'reason' in patch) delete this.current.reason;
    if (this.statusWanted && !this.closed) this.opts.emit(HELPER_STATUS, this.status);
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
    link?.close(reason);
  }

  private async forward(method: string, params: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
    try {
      const peer = await this.ensure();
      return { result: await peer.request(method, params, signal) };
    } catch (err) {
      return { error: toWireError(err) };
    }
  }

  private async subscription(method: string, change: 'add' | 'remove', params: unknown, signal?: AbortSignal): Promise<Envelope<unknown>> {
    const events = (params as { events?: unknown } | null)?.events;
    if (!Array.isArray(events)) return this.forward(method, params, signal); // the helper names what is wrong
    const named: unknown[] = events;
    const ours = named.filter((e) => RELAY_EVENT_NAMES.has(e as string));
    const theirs = named.filter((e) => !RELAY_EVENT_NAMES.has(e as string));
    const answered: unknown[] = [];
    if (theirs.length || ours.length === 0) {
      // The helper validates the names (and the shape of params); on an error nothing is recorded here.
      const reply = await this.forward(method, { ...(params as object), events: theirs }, signal);
      if (reply.error) return reply;
      for (const e of theirs as string[]) {
        if (change === 'add') this.helperEvents.add(e);
        else this.helperEvents.delete(e);
      }
      answered.push(...theirs);
    }
    if (ours.length) {
      this.statusWanted = change === 'add';
      // Deliver the current status right after the answer, so a late subscriber is never left guessing.
      if (this.statusWanted) setTimeout(() => !this.closed && this.statusWanted && this.opts.emit(HELPER_STATUS, this.status), 0);
      answered.push(...ours);
    }
    return { result: { events: answered } };
  }

  private ensure(): Promise<RpcPeer> {
    if (this.closed) return Promise.reject(new NslabError('internal', 'the relay session is closed'));
    if (this.link) return Promise.resolve(this.link);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<RpcPeer> {
    let pipe: MessagePipe;
    try {
      pipe = await this.opts.connect();
    } catch (err) {
      const e = toNslabError(err);
      this.updateStatus({ state: 'lost', reason: e.message });
      throw new NslabError(e.code, `the helper is not reachable: ${e.message}`);
    }
    const peer: RpcPeer = new RpcPeer(pipe, {
      onClose: (reason) => {
        if (this.link !== peer) return;
        this.link = null;
        // The launcher may already have said more (restarting, failed): keep its word.
        if (!this.closed && this.current.state !== 'restarting' && this.current.state !== 'failed') this.updateStatus({ state: 'lost', reason });
      },
    });
    // Every event the helper sends this connection is one the client asked for.
    peer.handle({ notification: (name, payload) => this.link === peer && this.opts.emit(name, payload) });
    if (this.closed) {
      peer.close();
      throw new NslabError('internal', 'the relay session is closed');
    }
    this.link = peer;
    try {
      const hello = (await peer.request('helper.hello', {})) as { mode: HelperStatus['mode'] };
      if (this.helperEvents.size) await peer.request('events.subscribe', { events: [...this.helperEvents] });
      this.updateStatus({ state: 'ready', mode: hello.mode, reason: this.opts.readyReason?.() });
    } catch (err) {
      if (this.link === peer) this.dropLink('the helper did not answer hello');
      throw err;
    }
    return peer;
  }
}
