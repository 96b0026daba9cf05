/**
 * The keys a config schema allows at a path (`experiments.exp_1` → name, hypothesis, …),
 * so an unknown key can say which one was meant. Walks zod's schema definitions; a
 * discriminated union (metrics) answers for the member the value's discriminator picks.
 */
import type { z } from 'zod';

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas a value at `path` must match (several for a plain union). */
function objectsAt(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): z.ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return objectsAt(def.innerType, path, data);
  if (def.type === 'pipe' && def.in) return objectsAt(def.in, path, data);
  if (def.type === 'union' && def.options) {
    const tag = def.discriminator && data && typeof data === 'object' ? (data as Record<string, unknown>)[def.discriminator] : undefined;
    const picked = def.options.filter((o) => {
      const shape = defOf(o).shape;
      const lit = shape && def.discriminator ? defOf(shape[def.discriminator]!) as Def & { values?: readonly unknown[] } : undefined;
      return tag === undefined || !lit?.values || lit.values.includes(tag);
    });
    return (picked.length ? picked : def.options).flatMap((o) => objectsAt(o, path, data));
  }
  if (!path.length) return def.type === 'object' ? [schema] : [];
  const [head, ...rest] = path;
  const child = data && typeof data === 'object' ? (data as Record<PropertyKey, unknown>)[head!] : undefined;
  if (def.type === 'object' && def.shape) {
    const next = def.shape[String(head)];
    return next ? objectsAt(next, rest, child) : [];
  }
  if (def.type === 'record' && def.valueType) return objectsAt(def.valueType, rest, child);
  if (def.type === 'array' && def.element) return objectsAt(def.element, rest, child);
  return [];
}

/** Keys allowed in the object at `path` of `data`, in schema order; [] when unknown. */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] {
  return [...new Set(objectsAt(schema, path, data).flatMap((o) => Object.keys(defOf(o).shape ?? {})))];
}
