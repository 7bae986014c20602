// JSON-RPC 2.0 envelopes as they travel over stdio, the Unix socket, Electron IPC and the WebSocket relay.
import { z } from 'zod';
import { ERROR_CODES, NslabError, RPC_NUMERIC_CODE, isErrorCode, type ErrorCode } from './errors.js';

/** Largest message any transport accepts. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Notification a client sends to abandon one of its requests. */
export const CANCEL_METHOD = '$/cancel';

export const RequestId = z.union([z.number().int(), z.string().max(128)]);
export type RequestId = z.infer<typeof RequestId>;

export const RpcRequest = z.object({
  jsonrpc: z.literal('2.0'),
  id: RequestId.optional(),
  method: z.string().max(128),
  params: z.unknown().optional(),
});
export type RpcRequest = z.infer<typeof RpcRequest>;

export const RpcErrorObject = z.object({
  code: z.number(),
  message: z.string(),
  data: z.object({ code: z.enum(ERROR_CODES) }).passthrough().optional(),
});
export type RpcErrorObject = z.infer<typeof RpcErrorObject>;

export const RpcResponse = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: RequestId.nullable(), result: z.unknown() }),
  z.object({ jsonrpc: z.literal('2.0'), id: RequestId.nullable(), error: RpcErrorObject }),
]);

/** The one wire shape of an error, made once where it happens (transport/peer.ts passes it on untouched). */
export function errorToRpc(err: NslabError): RpcErrorObject {
  return { code: RPC_NUMERIC_CODE[err.code], message: err.message, data: err.data };
}

/** Back to an NslabError, once, where the error is finally handled (renderer api, CLI). */
export function rpcToError(obj: RpcErrorObject): NslabError {
  const code: ErrorCode = isErrorCode(obj.data?.code) ? obj.data.code : 'internal';
  const { code: _ignored, ...extra } = obj.data ?? { code };
  return new NslabError(code, obj.message, extra);
}
