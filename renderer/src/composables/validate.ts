// Instant client-side feedback with the shared validators (the helper checks again).
import type { z } from 'zod';

/** The first problem with a value, or null; empty input is not flagged until `touched`. */
export function problem(schema: z.ZodType, value: string, touched = value.length > 0): string | null {
  if (!touched) return null;
  const r = schema.safeParse(value);
  return r.success ? null : (r.error.issues[0]?.message ?? 'invalid');
}
