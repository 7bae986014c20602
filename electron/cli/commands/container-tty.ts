// `nslab container exec -it NAME [-- CMD…]`: an interactive program in a container on the caller's
// terminal, through the helper's pty layer (the same terminals the GUI opens), not a second spawn path:
// the helper joins the container's namespaces, cgroup and capabilities; this side only relays the tty
// (raw mode, window size) and turns the program's end into the command's exit code.
import type { EventName } from '../../shared/contract/index.js';
import type { Client } from '../client.js';
import { exitCodeOf } from '../../helper/exec/signals.js';

type PtyEvent = { id?: string; data?: string; code?: number | null; signal?: string | null };

export async function attachContainerTty(client: Client, name: string, argv: string[]): Promise<number> {
  const { stdin, stdout } = process;
  const size = (): { cols: number; rows: number } => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  // Listening starts before pty.open: a quick program's output and exit can be read in the same chunk as
  // the reply, and are then dispatched before the code after `await` runs. They wait here until the id is known.
  const early: [EventName, PtyEvent][] = [];
  let deliver = (event: EventName, p: PtyEvent): void => void early.push([event, p]);
  client.onEvent((event, payload) => {
    if (event === 'pty.data' || event === 'pty.exit') deliver(event, payload as PtyEvent);
  });
  const info = await client.call('pty.open', { target: { kind: 'container', name, ...(argv.length ? { argv } : {}) }, ...size() });
  const id = info.id;
  return new Promise<number>((resolve) => {
    let finished = false;
    const onInput = (d: Buffer): void => client.notify('pty.write', { id, data: d.toString('utf8') });
    const onResize = (): void => client.notify('pty.resize', { id, ...size() });
    const done = (code: number): void => {
      finished = true;
      stdin.off('data', onInput);
      stdout.off('resize', onResize);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      resolve(code);
    };
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onInput);
    stdin.resume();
    stdout.on('resize', onResize);
    deliver = (event, p) => {
      if (finished || p.id !== id) return;
      if (event === 'pty.data' && typeof p.data === 'string') {
        stdout.write(p.data);
        client.notify('pty.ack', { id, chars: p.data.length });
      } else if (event === 'pty.exit') done(exitCodeOf(p.code ?? null, p.signal ?? null));
    };
    for (const [event, p] of early.splice(0)) deliver(event, p);
  });
}
