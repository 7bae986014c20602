import type { z } from 'zod';

/** One helper method: what it takes, what it answers, and whether it changes the kernel. */
export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
  summary: string;
  /** Renderer/browser relays forward it (the CLI may call everything). */
  renderer: boolean;
  /**
   * Sent as a JSON-RPC notification: no id, no reply, fire and forget (keystrokes, acks, resizes). Its
   * result schema is `z.undefined()`; the helper refuses it sent as a request.
   */
  notification?: true;
  /** The method changes which broadcast events the connection receives (`params.events`). */
  subscription?: 'add' | 'remove';
}

export type MethodTable = Record<string, MethodSpec>;

export const defineMethods = <T extends MethodTable>(table: T): T => table;
