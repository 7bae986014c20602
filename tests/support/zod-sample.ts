// A small valid value of a zod schema: what a fake helper answers when the test is about how a client frames
// the answer, not about its content. Optional keys are left out, arrays are empty where allowed, strings and
// numbers are the first of a few ordinary candidates the schema accepts; the result is parsed by the schema
// itself, so a sample the schema refuses fails loudly instead of passing as valid.
import type { z } from 'zod';
import { defOf } from '../../electron/shared/zod-def.js';


const STRINGS = ['x', 'red', 'nslab-red', 'veth-red', '10.0.0.1', '10.0.0.0/24', '10.0.0.1/24', 'ok', '2026-01-01T00:00:00.000Z', '/sys/fs/cgroup', 'a1b2c3d4'];
const NUMBERS = [0, 1, 2, 100, 1000, 65535, 0.5];

const accepts = (schema: z.ZodType, value: unknown): boolean => schema.safeParse(value).success;
const firstAccepted = <T>(schema: z.ZodType, candidates: readonly T[]): T => candidates.find((c) => accepts(schema, c)) ?? candidates[0]!;

function sample(schema: z.ZodType, depth: number): unknown {
  if (depth > 30) throw new Error('zod-sample: schema nests too deep');
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return firstAccepted(schema, STRINGS);
    case 'number':
    case 'int':
      return firstAccepted(schema, NUMBERS);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'undefined':
    case 'void':
    case 'optional':
      return undefined;
    case 'unknown':
    case 'any':
      return null;
    case 'nullable':
      return null;
    case 'literal':
      return def.values![0];
    case 'enum':
      return Object.values(def.entries!)[0];
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return sample(def.innerType!, depth + 1);
    case 'lazy':
      return sample(def.getter!(), depth + 1);
    case 'pipe':
      return sample(def.in!, depth + 1);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(def.shape!)) {
        if (defOf(field).type === 'optional') continue;
        out[key] = sample(field, depth + 1);
      }
      return out;
    }
    case 'array':
      return accepts(schema, []) ? [] : [sample(def.element!, depth + 1)];
    case 'tuple':
      return def.items!.map((i) => sample(i, depth + 1));
    case 'record':
      return {};
    case 'custom':
      return firstAccepted(schema, [{}, 'x', 0, null]);
    case 'intersection':
      return { ...(sample(def.left!, depth + 1) as object), ...(sample(def.right!, depth + 1) as object) };
    case 'union': {
      const tries = def.options!.map((o) => sample(o, depth + 1));
      return tries.find((t) => accepts(schema, t)) ?? tries[0];
    }
    default:
      throw new Error(`zod-sample: no sample for a ${def.type} schema`);
  }
}

/** A value `schema` accepts (throws, naming the issue, when none of the ordinary candidates fits). */
export function sampleOf<T extends z.ZodType>(schema: T): z.infer<T> {
  const value = sample(schema, 0);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`zod-sample: the sample does not fit: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data as z.infer<T>;
}

/** A sample of the member of a discriminated union whose `key` is `value` (e.g. a trace event of kind 'end'). */
export function sampleVariant<T extends z.ZodType>(schema: T, key: string, value: string): z.infer<T> {
  const member = defOf(schema).options?.find((o) => {
    const field = defOf(o).shape?.[key];
    return field !== undefined && defOf(field).type === 'literal' && defOf(field).values!.includes(value);
  });
  if (!member) throw new Error(`zod-sample: no member with ${key} = ${value}`);
  return sampleOf(member) as z.infer<T>;
}
