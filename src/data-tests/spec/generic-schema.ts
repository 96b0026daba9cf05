/**
 * The arguments of each generic data test, as written in a model's properties file
 * (dbt's names, so a dbt user needs no new vocabulary). Strict: an unknown key is an
 * error, so a typo never turns a test off.
 */
import { z } from 'zod';
import type { GenericKind } from '../types.ts';

const common = {
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'a test name uses letters, digits, _ . -' }).optional(),
  severity: z.enum(['error', 'warn']).optional(),
  where: z.string().min(1).optional(),
  /** dbt ≥ 1.8 puts severity and where under config: */
  config: z.strictObject({ severity: z.enum(['error', 'warn']).optional(), where: z.string().min(1).optional() }).optional(),
};

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const bound = z.union([z.number(), z.string()]);
const columnList = z.array(z.string().min(1)).min(1);

export const genericArgSchemas: Readonly<Record<GenericKind, z.ZodType>> = {
  not_null: z.strictObject({ ...common }),
  unique: z.strictObject({ ...common, columns: columnList.optional() }),
  unique_combination: z.strictObject({ ...common, columns: columnList }),
  accepted_values: z.strictObject({ ...common, values: z.array(scalar).min(1) }),
  relationships: z.strictObject({ ...common, to: z.string().min(1), field: z.string().min(1) }),
  accepted_range: z
    .strictObject({
      ...common,
      min: bound.optional(),
      max: bound.optional(),
      min_value: bound.optional(),
      max_value: bound.optional(),
      inclusive: z.boolean().default(true),
    })
    .refine((a) => [a.min, a.max, a.min_value, a.max_value].some((v) => v !== undefined), { message: 'give min and/or max' }),
  row_count: z
    .strictObject({ ...common, min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
    .refine((a) => a.min !== undefined || a.max !== undefined, { message: 'give min and/or max' }),
  expression_is_true: z.strictObject({ ...common, expression: z.string().min(1) }),
};

/** Kinds that need a column (declared under columns: ... tests:). */
export const COLUMN_ONLY: ReadonlySet<GenericKind> = new Set(['not_null', 'accepted_values', 'relationships', 'accepted_range']);

export interface CommonArgs {
  readonly name?: string;
  readonly severity?: 'error' | 'warn';
  readonly where?: string;
  readonly config?: { readonly severity?: 'error' | 'warn'; readonly where?: string };
}

/** Example lines for hints, one per kind. */
export const EXAMPLES: Readonly<Record<GenericKind, string>> = {
  not_null: '- not_null',
  unique: '- unique   (or at model level: - unique: { columns: [experiment_id, user_id] })',
  unique_combination: '- unique_combination: { columns: [variant, metric] }',
  accepted_values: '- accepted_values: { values: [control, treatment] }',
  relationships: "- relationships: { to: ref('exposures'), field: user_id }",
  accepted_range: '- accepted_range: { min: 0, max: 1 }',
  row_count: '- row_count: { min: 1, max: 100 }',
  expression_is_true: "- expression_is_true: { expression: 'n >= 0' }",
};
