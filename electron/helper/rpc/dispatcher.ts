// Validates a request against the contract before anything runs, calls the handler, and checks the result.
import { isMethodName, methods, type EventName, type EventPayload, type MethodName, type ParsedParams, type Result } from '../../shared/contract/index.js';
import { NslabError, toNslabError, zodToNslabError } from '../../shared/errors.js';

/** The connection a call came on: per-client resources (terminals, metric subscriptions) hang off it. */
export interface ClientHandle {
  readonly id: string;
  /**
   * Sends an event to this client only: the output of a terminal it owns, a series it subscribed to. Owning
   * the terminal or series is the subscription (no `events.subscribe` needed); relays forward it as is.
   */
  notify<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Runs when the client goes away; returns a function that cancels the registration. */
  onClose(fn: () => void): () => void;
}

export interface CallContext {
  signal: AbortSignal;
  client: ClientHandle;
  /** Broadcast events this call's connection receives. */
  subscribe(events: string[]): void;
  unsubscribe(events: string[]): void;
}

export type Handler<M extends MethodName> = (params: ParsedParams<M>, call: CallContext) => Promise<Result<M>>;
export type Handlers = { [M in MethodName]: Handler<M> };

export type Dispatch = (method: string, params: unknown, call: CallContext) => Promise<unknown>;

export function createDispatcher(handlers: Handlers): Dispatch {
  return async (method, params, call) => {
    if (!isMethodName(method)) throw new NslabError('unknown-method', `unknown method '${method}'`, { field: 'method' });
    const spec = methods[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) throw zodToNslabError(parsed.error);
    const handler = handlers[method] as (p: unknown, c: CallContext) => Promise<unknown>;
    let result: unknown;
    try {
      result = await handler(parsed.data, call);
    } catch (err) {
      if (call.signal.aborted && !(err instanceof NslabError)) throw new NslabError('cancelled', `${method} was cancelled`);
      throw toNslabError(err);
    }
    const checked = spec.result.safeParse(result);
    if (!checked.success) {
      throw new NslabError('internal', `helper produced a result that breaks the contract for ${method}: ${checked.error.issues[0]?.message}`);
    }
    return checked.data;
  };
}
