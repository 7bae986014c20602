// How the CLI speaks: JSON on request, short human lines otherwise, typed errors either way.
import { NslabError, toNslabError } from '../shared/errors.js';
import { connectHelper, type Client } from './client.js';
import type { HelperMode } from './sandbox/mode.js';

/** The mode of the helper this command talks to, once known: every JSON object printed carries it. */
let outputMode: HelperMode | undefined;
export const noteMode = (mode: HelperMode): void => void (outputMode = mode);

const withMode = (value: unknown): unknown =>
  outputMode && typeof value === 'object' && value !== null && !Array.isArray(value) && !('mode' in value) ? { ...value, mode: outputMode } : value;

export const printJson = (value: unknown): void => void process.stdout.write(`${JSON.stringify(withMode(value), null, 2)}\n`);

export function reportError(err: unknown, json: boolean): number {
  const e = toNslabError(err);
  if (json) printJson({ error: e.toJSON() });
  else process.stderr.write(`nslab: ${e.code}: ${e.message}\n`);
  return e.code === 'invalid-params' || e.code === 'unknown-method' ? 2 : 1;
}

/** Runs one command against the helper, printing a typed error and setting the exit code on failure. */
export async function withClient(json: boolean, body: (client: Client) => Promise<number | void>, precheck?: () => unknown, connect: () => Promise<Client> = connectHelper): Promise<void> {
  let client: Client | undefined;
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

export function parseJsonArg(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NslabError('parse-error', `params are not valid JSON: ${(err as Error).message}`, { field: 'params' });
  }
}
