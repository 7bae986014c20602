// One CNI plugin call (spec section 2): the CNI_* environment, the plugin's config on stdin, its result or
// error object on stdout. The plugin runs inside the runtime's namespace (a node nslab owns), so the
// bridges, veth host ends and NAT rules it makes land there and never in the machine's own namespace.
import type { CniCall } from '../../shared/contract/index.js';
import { NslabError, type ErrorCode } from '../../shared/errors.js';
import { shellLine, shellQuote } from '../../shared/shell.js';
import { run } from '../exec/run.js';

export type CniCommand = CniCall['command'];

export interface Invocation {
  command: CniCommand;
  /** The plugin's type and file. */
  type: string;
  path: string;
  containerId: string;
  /** /run/netns/nslab-…: CNI_NETNS. */
  netnsPath: string;
  ifname: string;
  /** `K=V;K=V`. */
  args: string;
  cniPath: string;
  /** The runtime's namespace; null runs the plugin where the helper is (only for IPAM-only cleanup). */
  hostNetns: string | null;
  config: Record<string, unknown>;
}

/** Spec section 2, "Error": the well-known codes, and what each means to an nslab client. */
const CNI_ERROR_CODES: Record<number, [ErrorCode, string]> = {
  1: ['invalid-params', 'incompatible CNI version'],
  2: ['invalid-params', 'unsupported field in network configuration'],
  3: ['not-found', 'container unknown or does not exist'],
  4: ['invalid-params', 'invalid necessary environment variables'],
  5: ['internal', 'I/O failure'],
  6: ['invalid-params', 'failed to decode content'],
  7: ['invalid-params', 'invalid network config'],
  11: ['busy', 'try again later'],
  50: ['busy', 'plugin not available'],
};

/** Plugin bugs of the packaged release a learner will meet, named so the error is not a mystery. */
function knownBug(type: string, command: CniCommand, msg: string): string | null {
  if (type === 'portmap' && command === 'CHECK' && /could not check ipv6 dnat/.test(msg)) {
    return 'a known bug of portmap before v1.2.0 (containernetworking/plugins#819, Debian 12 ships v1.1.1): CHECK always looks for IPv6 rules, even those of an IPv4 mapping. The rules are there (iptables-save shows them); set "disableCheck": true in the conflist to skip CHECK, as the spec allows';
  }
  return null;
}

export function cniError(type: string, command: CniCommand, stdout: string, stderr: string, exitCode: number): NslabError {
  type ErrorBody = { code?: unknown; msg?: unknown; details?: unknown };
  const body = ((): ErrorBody | null => {
    try {
      const parsed: unknown = JSON.parse(stdout);
      return typeof parsed === 'object' && parsed !== null ? (parsed as ErrorBody) : null;
    } catch {
      return null;
    }
  })();
  if (body && typeof body.code === 'number') {
    const [code, meaning] = CNI_ERROR_CODES[body.code] ?? ['internal', body.code >= 100 ? 'plugin-specific error' : 'unknown error code'];
    const msg = typeof body.msg === 'string' ? body.msg : meaning;
    const details = typeof body.details === 'string' && body.details ? `: ${body.details}` : '';
    const known = knownBug(type, command, msg);
    return new NslabError(code, `${type} ${command} failed (CNI error ${body.code}, ${meaning}): ${msg}${details}${known ? ` — ${known}` : ''}`, { plugin: type, cniCode: body.code, cniMsg: msg, exitCode, ...(known ? { knownBug: known } : {}) });
  }
  const line = stderr.split('\n').map((l) => l.trim()).find(Boolean) ?? `exited with ${exitCode}`;
  return new NslabError('internal', `${type} ${command} failed: ${line}`, { plugin: type, exitCode });
}

/** What a person would type: the variables, the plugin inside the namespace, the config as a here-doc. */
export function invocationShell(inv: Invocation, argv: readonly string[]): string {
  const env = envOf(inv);
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
  return `${vars} ${shellLine(argv)} <<'EOF'\n${JSON.stringify(inv.config)}\nEOF`;
}

function envOf(inv: Invocation): Record<string, string> {
  return {
    CNI_COMMAND: inv.command,
    CNI_CONTAINERID: inv.containerId,
    CNI_NETNS: inv.netnsPath,
    CNI_IFNAME: inv.ifname,
    ...(inv.args ? { CNI_ARGS: inv.args } : {}),
    CNI_PATH: inv.cniPath,
  };
}

export interface InvokeOutcome {
  call: CniCall;
  output: unknown;
}

/** Runs the plugin; a non-zero exit becomes the typed error its CNI error object names. */
export async function invoke(inv: Invocation): Promise<InvokeOutcome> {
  const argv = inv.hostNetns ? ['ip', 'netns', 'exec', inv.hostNetns, inv.path] : [inv.path];
  const result = await run(argv, {
    env: envOf(inv),
    input: JSON.stringify(inv.config),
    change: inv.command === 'ADD' || inv.command === 'DEL',
    shell: [invocationShell(inv, argv)],
    allowFailure: true,
    timeoutMs: 60_000,
  });
  if (result.code !== 0) throw cniError(inv.type, inv.command, result.stdout, result.stderr, result.code);
  let output: unknown = undefined;
  if (result.stdout.trim()) {
    try {
      output = JSON.parse(result.stdout);
    } catch {
      throw new NslabError('internal', `${inv.type} ${inv.command} printed something that is not JSON: ${result.stdout.slice(0, 200)}`, { plugin: inv.type });
    }
  }
  return { call: { plugin: inv.type, command: inv.command, ok: true, ms: result.ms, ...(output !== undefined ? { output } : {}) }, output };
}
