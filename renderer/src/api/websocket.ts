// Browser mode: the same NslabBridge shape over a WebSocket to `nslab serve` (/rpc?token=T on this host),
// one JSON-RPC 2.0 message per text frame each way, events as notifications. Reconnects when the socket
// drops and re-subscribes what its listeners want.
import type { BridgeEventName, Envelope, HelperStatus, NslabBridge } from '@shared/bridge';
import type { NotificationName, RequestName } from '@shared/contract/index';
import { NslabError } from '@shared/errors';
import { RpcPeer, toWireError, type MessagePipe } from '@shared/transport/index';

type Listener = (payload: unknown) => void;

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}

export interface WebSocketBridgeOptions {
  url: string;
  /** Injected in tests. */
  open?: (url: string) => SocketLike;
  /** First reconnect delay; doubles up to RECONNECT.maxMs. */
  retryMs?: number;
}

const OPEN = 1;

/** Reconnecting after the socket dropped: 0.5 s, then twice as long each time, at most 10 s. */
export const RECONNECT = { firstMs: 500, maxMs: 10_000 } as const;
export const nextDelay = (ms: number, max: number = RECONNECT.maxMs): number => Math.min(ms * 2, max);

/** The /rpc URL for this page: same host, `ws:`/`wss:` to match, the token from `?token=`. */
export function rpcUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/rpc?token=${encodeURIComponent(token)}`;
}

export class WebSocketBridge implements NslabBridge {
  private socket: SocketLike | null = null;
  private rpc: RpcPeer | null = null;
  private readonly listeners = new Map<number, { event: string; listener: Listener }>();
  private nextId = 1;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private retryDue: number | undefined;
  private delay: number;
  private closed = false;
  private everOpened = false;

  constructor(private readonly opts: WebSocketBridgeOptions) {
    this.delay = opts.retryMs ?? RECONNECT.firstMs;
  }

  /** Reconnects now instead of at the next scheduled attempt (the banner's "Retry now"). */
  retryNow(): void {
    if (this.closed || this.socket) return;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    void this.remoteSubscribe(this.wantedEvents());
  }

  async call<M extends RequestName>(method: M, params: unknown): Promise<Envelope<never>> {
    try {
      return { result: (await this.ensure().request(method, params)) as never };
    } catch (err) {
      return { error: toWireError(err) };
    }
  }

  notify<M extends NotificationName>(method: M, params: unknown): void {
    if (!this.closed) this.ensure().notify(method, params);
  }

  subscribe<E extends BridgeEventName>(event: E, listener: (payload: never) => void): number {
    const id = this.nextId++;
    const first = this.countFor(event) === 0;
    this.listeners.set(id, { event, listener: listener as Listener });
    if (first) void this.remoteSubscribe([event]);
    return id;
  }

  unsubscribe(subscriptionId: number): void {
    const entry = this.listeners.get(subscriptionId);
    if (!entry) return;
    this.listeners.delete(subscriptionId);
    if (this.countFor(entry.event) === 0 && this.socket?.readyState === OPEN) {
      void this.call('events.unsubscribe', { events: [entry.event] });
    }
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.socket?.close();
  }

  private countFor(event: string): number {
    let n = 0;
    for (const l of this.listeners.values()) if (l.event === event) n++;
    return n;
  }

  private async remoteSubscribe(events: string[]): Promise<void> {
    const r = await this.call('events.subscribe', { events } as never);
    // A dropped socket has said so already (with its next attempt); only a refusal on a live one is news.
    if (r.error && this.socket?.readyState === OPEN) this.deliver('helper.status', this.lostStatus(`cannot subscribe to ${events.join(', ')}: ${r.error.message}`));
  }

  private lostStatus(reason: string, retryAt?: number): HelperStatus {
    return { state: 'lost', mode: null, reason, restarts: 0, transport: 'browser', ...(retryAt === undefined ? {} : { retryAt }) };
  }

  private wantedEvents(): string[] {
    return [...new Set([...this.listeners.values()].map((l) => l.event))];
  }

  private deliver(event: string, payload: unknown): void {
    for (const l of [...this.listeners.values()]) {
      if (l.event !== event) continue;
      try {
        l.listener(payload);
      } catch (err) {
        console.error(`nslab: a listener for ${event} threw`, err);
      }
    }
  }

  private ensure(): RpcPeer {
    if (this.closed) throw new NslabError('internal', 'the connection is closed');
    if (this.rpc) return this.rpc;
    const open = this.opts.open ?? ((url: string) => new WebSocket(url) as SocketLike);
    const socket = open(this.opts.url);
    const rpc = new RpcPeer(this.pipeOn(socket)).handle({ notification: (name, payload) => this.deliver(name, payload) });
    this.socket = socket;
    this.rpc = rpc;
    return rpc;
  }

  /** The socket as a message pipe: what is sent before it opens waits in a queue. */
  private pipeOn(socket: SocketLike): MessagePipe {
    let queue: string[] = [];
    return {
      send(message) {
        const text = JSON.stringify(message);
        if (socket.readyState === OPEN) socket.send(text);
        else queue.push(text);
      },
      start: (h) => {
        socket.onopen = () => {
          this.everOpened = true;
          this.delay = this.opts.retryMs ?? RECONNECT.firstMs;
          for (const text of queue.splice(0)) socket.send(text);
        };
        socket.onmessage = (ev) => {
          if (typeof ev.data !== 'string') return;
          let message: unknown;
          try {
            message = JSON.parse(ev.data);
          } catch {
            return; // nslab serve never sends one; nothing to answer it with
          }
          h.message(message);
        };
        socket.onerror = () => undefined;
        socket.onclose = (ev) => {
          queue = [];
          const reason = ev.reason || (this.everOpened ? 'the connection to nslab serve was lost' : 'nslab serve refused the connection (is the token right?)');
          h.close(reason);
          if (this.socket !== socket) return;
          this.socket = null;
          this.rpc = null;
          if (this.closed) return;
          const retryAt = this.scheduleReconnect();
          this.deliver('helper.status', this.lostStatus(reason, retryAt));
        };
      },
      close: () => socket.close(),
    };
  }

  /** The next attempt, resubscribing every event a listener wants; returns when it is due (epoch ms). */
  private scheduleReconnect(): number | undefined {
    if (this.closed) return undefined;
    if (this.retry) return this.retryDue;
    if (this.wantedEvents().length === 0) return undefined; // nothing to keep alive: the next call reconnects
    const delay = this.delay;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.remoteSubscribe(this.wantedEvents());
    }, delay);
    this.delay = nextDelay(delay, Math.max(RECONNECT.maxMs, this.opts.retryMs ?? 0));
    this.retryDue = Date.now() + delay;
    return this.retryDue;
  }
}
