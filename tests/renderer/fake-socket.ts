// A WebSocket the browser transport (renderer/src/api/websocket.ts) can be handed: it records what is sent,
// and the test opens it, feeds it messages and drops it.
import type { SocketLike } from '../../renderer/src/api/websocket';

export class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(m: object): void {
    this.onmessage?.({ data: JSON.stringify(m) } as MessageEvent);
  }
  drop(reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ reason } as CloseEvent);
  }
}
