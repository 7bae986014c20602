// A zod schema's definition, read the way zod 4 stores it (`_zod.def`): for code that walks a schema
// (the keys allowed at a path, a sample value) rather than parsing with it. Only the fields those walkers read.
import type { z } from 'zod';

export interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  items?: z.ZodType[];
  getter?: () => z.ZodType;
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  defaultValue?: unknown;
}

export const defOf = (s: z.ZodType): ZodDef => (s as unknown as { _zod: { def: ZodDef } })._zod.def;
