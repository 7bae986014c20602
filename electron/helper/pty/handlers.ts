import type { HelperContext } from '../context.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { PtyManager } from './manager.js';

type PtyMethods = Extract<keyof Handlers, `pty.${string}`>;

export function ptyHandlers(ctx: HelperContext): { handlers: Pick<Handlers, PtyMethods>; manager: PtyManager } {
  const manager = new PtyManager(ctx);
  return {
    manager,
    handlers: {
      'pty.open': async (p, call) => manager.open(p, call.client),
      // Notifications: nothing is answered (pty.list shows the size a resize took).
      'pty.write': async ({ id, data }, call) => void manager.owned(id, call.client).write(data),
      'pty.resize': async ({ id, cols, rows }, call) => void manager.owned(id, call.client).resize(cols, rows),
      'pty.ack': async ({ id, chars }, call) => void manager.owned(id, call.client).flow.acknowledged(chars),
      'pty.kill': async ({ id, signal }, call) => (manager.owned(id, call.client).kill(signal), {}),
      'pty.attach': async ({ id }, call) => manager.attach(id, call.client),
      'pty.detach': async ({ id }, call) => ((manager.owned(id, call.client).detached = true), {}),
      'pty.list': async () => ({ sessions: manager.list() }),
      'pty.config': async ({ graceMs }) => manager.config(graceMs),
    },
  };
}
