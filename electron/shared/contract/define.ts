import type { z } from 'zod';

/** One helper method: what it takes, what it answers, and whether it changes the kernel. */
export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
  summary: string;
  /** Renderer/browser relays forward it (the CLI may call everything). */
  renderer: boolean;
}

export type MethodTable = Record<string, MethodSpec>;

export const defineMethods = <T extends MethodTable>(table: T): T => table;
