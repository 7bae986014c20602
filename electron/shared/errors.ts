// Stable error codes shared by helper, CLI, relays and renderer. Never rename one: clients match on them.
import type { ZodError } from 'zod';

export const ERROR_CODES = [
  'invalid-params',
  'not-found',
  'exists',
  'permission-denied',
  'unsupported-kernel',
  'tool-missing',
  'busy',
  'internal',
  // JSON-RPC framing and lifecycle
  'parse-error',
  'invalid-request',
  'unknown-method',
  'cancelled',
  'timeout',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** JSON-RPC 2.0 numeric codes; the string code travels in `data.code`. */
export const RPC_NUMERIC_CODE: Record<ErrorCode, number> = {
  'parse-error': -32700,
  'invalid-request': -32600,
  'unknown-method': -32601,
  'invalid-params': -32602,
  internal: -32603,
  cancelled: -32800,
  'not-found': -32001,
  exists: -32002,
  'permission-denied': -32003,
  'unsupported-kernel': -32004,
  'tool-missing': -32005,
  busy: -32006,
  timeout: -32007,
};

export interface ErrorData {
  code: ErrorCode;
  /** Dotted path of the offending field, e.g. `links.0.endpoints.1.name`. */
  field?: string;
  [extra: string]: unknown;
}

export class NslabError extends Error {
  readonly code: ErrorCode;
  readonly data: ErrorData;

  constructor(code: ErrorCode, message: string, extra: Omit<ErrorData, 'code'> = {}) {
    super(message);
    this.name = 'NslabError';
    this.code = code;
    this.data = { ...extra, code };
  }

  get field(): string | undefined {
    return this.data.field;
  }

  toJSON(): { code: ErrorCode; message: string } & Omit<ErrorData, 'code'> {
    return { ...this.data, code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns anything thrown into an NslabError without losing a typed one. */
export function toNslabError(err: unknown): NslabError {
  if (err instanceof NslabError) return err;
  if (err instanceof Error) return new NslabError('internal', err.message);
  return new NslabError('internal', String(err));
}

/** A failed schema check as `invalid-params`, naming the first offending field (under `prefix`). */
export function zodToNslabError(error: ZodError, prefix = ''): NslabError {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  const message = issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid parameters';
  return new NslabError('invalid-params', message, {
    ...(field ? { field } : {}),
    issues: error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}
