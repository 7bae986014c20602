// How the CLI speaks: JSON on request, short human lines otherwise, typed errors either way.
//
// The --json rule: every JSON document the CLI prints is an object that says which mode answered
// (`"mode": "host"` or `"sandbox"`). A list is never printed bare; it goes under a named key
// (`{ "entries": [...], "mode": … }`). Streaming commands (trace, ct watch, fw watch, top) print NDJSON: one
// object per line, each line with its `mode`. The mode is the answering helper's; a command that needs no
// helper (export, cgroup vocab, import --dry-run) says the mode this invocation settled on; `null` only
// where no mode could be settled (host mode asked for without root, both asked for, a bad NSLAB_MODE).
import { NslabError, toNslabError } from '../shared/errors.js';
import { connectHelper, type Client } from './client.js';
import { currentMode, type HelperMode } from './sandbox/mode.js';

/** The mode of the helper this command talks to, once known (null: none can be settled): every JSON object printed carries it. */
let outputMode: HelperMode | null | undefined;
export const noteMode = (mode: HelperMode | null): void => void (outputMode = mode);

function modeForOutput(): HelperMode | null {
  if (outputMode !== undefined) return outputMode;
  try {
    return currentMode();
  } catch {
    return null;
  }
}

/** The object printed for `value`: with `mode` added (a value that already says its mode keeps it). */
export function jsonDocument(value: object): Record<string, unknown> {
  if (Array.isArray(value)) throw new NslabError('internal', 'a --json document must be an object (a list goes under a named key) so that it can say its mode');
  return 'mode' in value ? (value as Record<string, unknown>) : { ...value, mode: modeForOutput() };
}

export const printJson = (value: object): void => void process.stdout.write(`${JSON.stringify(jsonDocument(value), null, 2)}\n`);

/** One NDJSON line of a streaming --json output. */
export const printJsonLine = (value: object): void => void process.stdout.write(`${JSON.stringify(jsonDocument(value))}\n`);

export function reportError(err: unknown, json: boolean): number {
  const e = toNslabError(err);
  if (json) printJson({ error: e.toJSON() });
  else process.stderr.write(`nslab: ${e.code}: ${e.message}\n`);
  return e.code === 'invalid-params' || e.code === 'unknown-method' ? 2 : 1;
}

/** Runs one command against the helper, printing a typed error and setting the exit code on failure. */
export async function withClient(json: boolean, body: (client: Client) => Promise<number | void>, precheck?: () => unknown, connect: () => Promise<Client> = connectHelper): Promise<void> {
  let client: Client | undefined;
  outputMode = undefined; // one command, one mode: what an earlier command in this process met does not count
  try {
    precheck?.(); // bad arguments fail before the helper is even reached
    client = await connect();
    noteMode(client.mode);
    process.exitCode = (await body(client)) ?? 0;
  } catch (err) {
    process.exitCode = reportError(err, json);
  } finally {
    client?.close();
  }
}

/**
 * Runs a command that needs no helper (it reads files and prints). It settles the mode first, like every
 * command: its JSON says that mode, and host mode asked for without root is refused here too.
 */
export function withoutHelper(json: boolean, body: () => void): void {
  outputMode = undefined;
  try {
    noteMode(currentMode());
    body();
    process.exitCode = 0;
  } catch (err) {
    process.exitCode = reportError(err, json);
  }
}

export function parseJsonArg(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NslabError('parse-error', `params are not valid JSON: ${(err as Error).message}`, { field: 'params' });
  }
}
