// A background helper (sandbox mode, started by the CLI) stops once nobody has been connected for a while:
// nothing else would ever end it. The clock runs only while no client is connected.
import type { Server } from 'node:net';

export function stopWhenIdle(server: Server, idleMs: number, onIdle: () => void): () => void {
  let clients = 0;
  let timer: NodeJS.Timeout | null = null;
  const arm = (): void => {
    if (timer) clearTimeout(timer);
    timer = clients === 0 ? setTimeout(onIdle, idleMs) : null;
  };
  const onConnection = (socket: { once(event: 'close', listener: () => void): unknown }): void => {
    clients++;
    arm();
    socket.once('close', () => {
      clients--;
      arm();
    });
  };
  server.on('connection', onConnection);
  arm();
  return () => {
    server.off('connection', onConnection);
    if (timer) clearTimeout(timer);
  };
}
