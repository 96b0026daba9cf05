/**
 * What `xp test` and the build's audits run, and what they report. Generic and singular
 * data tests check stored rows; unit tests check a model's SQL against fixture rows.
 */

export type Severity = 'error' | 'warn';

/** The generic data tests a properties file may declare. */
export const GENERIC_KINDS = [
  'not_null',
  'unique',
  'unique_combination',
  'accepted_values',
  'relationships',
  'accepted_range',
  'row_count',
  'expression_is_true',
] as const;
export type GenericKind = (typeof GENERIC_KINDS)[number];

/** Where a test is declared, for messages: `models/core/exposures.yml:14`. */
export interface TestLocation {
  readonly file: string;
  readonly line: number;
}

interface DataTestBase {
  /** unique, stable name: not_null_exposures_user_id */
  readonly id: string;
  /** the model whose rows it checks; in a build it runs as that model's audit */
  readonly model: string;
  readonly severity: Severity;
  /** SQL predicate applied to the checked rows first */
  readonly where?: string;
  readonly location: TestLocation;
}

export interface GenericTest extends DataTestBase {
  readonly type: 'generic';
  readonly kind: GenericKind;
  /** the column it is declared under, if any */
  readonly column?: string;
  /** kind-specific arguments, validated */
  readonly args: GenericArgs;
}

export type GenericArgs =
  | { readonly kind: 'not_null'; readonly column: string }
  | { readonly kind: 'unique'; readonly columns: readonly string[] }
  | { readonly kind: 'accepted_values'; readonly column: string; readonly values: readonly (string | number | boolean)[] }
  | { readonly kind: 'relationships'; readonly column: string; readonly to: string; readonly field: string }
  | { readonly kind: 'accepted_range'; readonly column: string; readonly min?: number | string; readonly max?: number | string; readonly inclusive: boolean }
  | { readonly kind: 'row_count'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'expression_is_true'; readonly expression: string };

export interface SingularTest extends DataTestBase {
  readonly type: 'singular';
  /** the SQL template (Handlebars: ref, var, partition) */
  readonly rawSql: string;
  /** models it refs; `model` is the last of them in DAG order */
  readonly refs: readonly string[];
  readonly description?: string;
}

export type DataTest = GenericTest | SingularTest;

/** pass, fail (error severity), warn (warn severity), error (the test itself broke), skipped */
export type TestStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skipped';

export interface TestResult {
  /** data tests: the test id; unit tests: `<model>::<name>` */
  readonly id: string;
  readonly type: 'generic' | 'singular' | 'unit';
  readonly model: string;
  /** the partition checked; null for project-level models and unit tests */
  readonly experimentId: string | null;
  readonly status: TestStatus;
  /** failing rows (data tests) or differing rows (unit tests) */
  readonly failures: number;
  readonly seconds: number;
  readonly location: string;
  readonly message?: string;
  /** a few failing rows, or the row diff of a unit test, as printable text */
  readonly detail?: string;
}
