// Which helper a CLI command or `nslab serve` talks to: host mode (the real kernel, needs root) or sandbox
// mode (a background helper in a private user+network+mount namespace). Root gets host mode unless it asks
// for the sandbox; everyone else gets the sandbox, and asking for host mode without root is refused.
import { NslabError } from '../../shared/errors.js';

export type HelperMode = 'host' | 'sandbox';

/** What the user asked for: --host / --sandbox, carried to every command in NSLAB_MODE. */
export function requestedMode(env: NodeJS.ProcessEnv = process.env): HelperMode | undefined {
  const asked = env.NSLAB_MODE;
  if (asked === undefined || asked === '') return undefined;
  if (asked === 'host' || asked === 'sandbox') return asked;
  throw new NslabError('invalid-params', `NSLAB_MODE must be host or sandbox, not '${asked}'`, { field: 'NSLAB_MODE' });
}

export function resolveMode(requested: HelperMode | undefined, uid: number): HelperMode {
  if (requested === 'host') {
    if (uid === 0) return 'host';
    throw new NslabError(
      'permission-denied',
      `host mode changes the real kernel and needs root, but this is uid ${uid}: run it with sudo, or leave out --host to work in sandbox mode (a private network namespace; cgroups read-only)`,
      { field: 'host' },
    );
  }
  if (requested === 'sandbox') return 'sandbox';
  return uid === 0 ? 'host' : 'sandbox';
}

export const currentMode = (env: NodeJS.ProcessEnv = process.env): HelperMode => resolveMode(requestedMode(env), process.getuid?.() ?? -1);

/**
 * Takes --host / --sandbox out of argv (anywhere before `--`, so `nslab topo apply f --sandbox` works too)
 * and returns what they asked for. Commands with a --host option of their own keep it: `serve --host <addr>`
 * (the address to bind) and `cni add --host <node>` (the node the plugins run in) — after those command words,
 * --host is left alone.
 */
const HOST_OPTION_COMMANDS = new Set(['serve', 'cni']);

export function extractModeFlags(argv: string[]): { argv: string[]; mode: HelperMode | undefined } {
  const out: string[] = [];
  let ownsHost = false;
  let rest = false;
  const asked: HelperMode[] = [];
  for (const arg of argv) {
    if (rest) {
      out.push(arg);
      continue;
    }
    if (arg === '--') rest = true;
    if (HOST_OPTION_COMMANDS.has(arg) && !ownsHost && !out.slice(2).some((a) => !a.startsWith('-'))) ownsHost = true;
    if (arg === '--sandbox' || (arg === '--host' && !ownsHost)) {
      asked.push(arg === '--host' ? 'host' : 'sandbox');
      continue;
    }
    out.push(arg);
  }
  if (new Set(asked).size > 1) throw new NslabError('invalid-params', '--host and --sandbox exclude each other: choose one', { field: 'mode' });
  return { argv: out, mode: asked[0] };
}
