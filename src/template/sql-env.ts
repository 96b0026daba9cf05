/**
 * The SQL Handlebars environment: isolated instance, noEscape (SQL is not HTML), strict
 * (a missing variable throws). Models call `ref`, `source`, `partition`, `var`, `ident`,
 * `literal`; partials come from macros/*.sql and helpers from macros/*.ts.
 *
 * Per-render state (which partition, how refs and sources resolve) travels in Handlebars'
 * private data as `@xp`, so one environment serves every model and partition.
 */
import Handlebars from 'handlebars';
import { XpError } from '../core/errors.ts';
import { quoteIdent, sqlLiteral } from '../engine/sql.ts';
import { memo } from '../core/parse-cache.ts';

/** The bound parameter every partitioned model's SQL uses for its experiment id. */
export const PARTITION_PARAM = 'experiment_id';

export interface RenderState {
  /** SQL for {{ref "name"}} */
  ref(name: string): string;
  /** SQL for {{source "source" "table"}} */
  source(sourceName: string, table: string): string;
  readonly vars: Readonly<Record<string, unknown>>;
  /** true while rendering a partitioned model: {{partition}} is allowed */
  readonly partitioned: boolean;
}

export type HelperFn = (...args: unknown[]) => unknown;

export interface SqlEnv {
  render(source: string, context: Record<string, unknown>, state: RenderState, file: string): string;
}

function stateOf(options: Handlebars.HelperOptions, helper: string): RenderState {
  const state = (options.data as { xp?: RenderState } | undefined)?.xp;
  if (!state) throw new XpError('INTERNAL', `{{${helper}}} called outside a model render`);
  return state;
}

function args(fnArgs: unknown[]): { values: unknown[]; options: Handlebars.HelperOptions } {
  return { values: fnArgs.slice(0, -1), options: fnArgs[fnArgs.length - 1] as Handlebars.HelperOptions };
}

const COMPILE_OPTIONS = { noEscape: true, strict: true, knownHelpersOnly: false } as const;

/**
 * What `hb.compile(source, COMPILE_OPTIONS)` makes, from Handlebars' precompiled form: the
 * parse and code generation (most of a start's template cost) come from the parse cache
 * when this source was compiled before. `compilerOptions` is what compile() attaches:
 * partials a template calls are compiled with it (strict, noEscape), so both ways agree.
 */
function compileTemplate(hb: typeof Handlebars, source: string): Handlebars.TemplateDelegate {
  const { spec, options } = memo('handlebars', [Handlebars.VERSION, JSON.stringify(COMPILE_OPTIONS), source], () => {
    // compile() adds data: true to a copy of the options; the compiler then fills in knownHelpers and blockParams
    const options: Record<string, unknown> = { ...COMPILE_OPTIONS, data: true };
    return { spec: hb.precompile(source, options) as unknown as string, options };
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- Handlebars' own precompiled template format
  const templateSpec = new Function(`return ${spec};`)() as Record<string, unknown>;
  templateSpec['compilerOptions'] = options;
  return hb.template(templateSpec as unknown as TemplateSpecification);
}

type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

export function createSqlEnv(partials: Readonly<Record<string, string>>, helpers: Readonly<Record<string, HelperFn>>): SqlEnv {
  const hb = Handlebars.create();
  hb.registerHelper('ref', (...a: unknown[]) => {
    const { values, options } = args(a);
    if (values.length !== 1 || typeof values[0] !== 'string') throw new Error('ref takes one model name: {{ref "exposures"}}');
    return stateOf(options, 'ref').ref(values[0]);
  });
  hb.registerHelper('source', (...a: unknown[]) => {
    const { values, options } = args(a);
    if (values.length !== 2 || typeof values[0] !== 'string' || typeof values[1] !== 'string') {
      throw new Error('source takes a source and a table: {{source "raw" "exposures"}}');
    }
    return stateOf(options, 'source').source(values[0], values[1]);
  });
  hb.registerHelper('partition', (...a: unknown[]) => {
    const { options } = args(a);
    if (!stateOf(options, 'partition').partitioned) {
      throw new Error('{{partition}} is only available in partitioned models (materialized: partitioned)');
    }
    return `$${PARTITION_PARAM}`;
  });
  hb.registerHelper('var', (...a: unknown[]) => {
    const { values, options } = args(a);
    const name = values[0];
    if (typeof name !== 'string') throw new Error('var takes a name: {{var "dq_max_duplicate_rate"}}');
    const vars = stateOf(options, 'var').vars;
    if (!(name in vars)) {
      if (values.length > 1) return sqlLiteral(values[1]);
      throw new Error(`var "${name}" is not defined under vars: in the config and has no default`);
    }
    return sqlLiteral(vars[name]);
  });
  hb.registerHelper('ident', (...a: unknown[]) => quoteIdent(String(args(a).values[0])));
  hb.registerHelper('literal', (...a: unknown[]) => sqlLiteral(args(a).values[0]));
  hb.registerHelper('json', (...a: unknown[]) => JSON.stringify(args(a).values[0]));
  hb.registerHelper('eq', (...a: unknown[]) => { const [x, y] = args(a).values; return x === y; });
  hb.registerHelper('ne', (...a: unknown[]) => { const [x, y] = args(a).values; return x !== y; });
  hb.registerHelper('and', (...a: unknown[]) => args(a).values.every(Boolean));
  hb.registerHelper('or', (...a: unknown[]) => args(a).values.some(Boolean));
  hb.registerHelper('not', (...a: unknown[]) => !args(a).values[0]);
  for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn);
  // compiled once each, lazily (a partial with a syntax error fails the model that uses it, as a string partial
  // does): a partial registered as text is compiled again at every render that calls it
  for (const [name, text] of Object.entries(partials)) {
    let compiled: Handlebars.TemplateDelegate | undefined;
    hb.registerPartial(name, ((context: unknown, options?: Handlebars.RuntimeOptions) => (compiled ??= compileTemplate(hb, text))(context, options)) as Handlebars.Template);
  }

  const cache = new Map<string, Handlebars.TemplateDelegate>();
  return {
    render(source, context, state, file) {
      try {
        // compiled inside the try, as hb.compile compiles at the first call: a syntax error is a TEMPLATE_ERROR of this file
        let template = cache.get(source);
        if (!template) {
          template = compileTemplate(hb, source);
          cache.set(source, template);
        }
        return template(context, { data: { xp: state } });
      } catch (cause) {
        // ident/literal raise TEMPLATE_ERROR without knowing the model: add the file.
        if (cause instanceof XpError && cause.code === 'TEMPLATE_ERROR' && cause.location.file === undefined) {
          throw new XpError(cause.code, cause.message, { location: { ...cause.location, file }, hint: cause.hint, cause });
        }
        if (cause instanceof XpError) throw cause;
        // strict mode says `"x" not defined in [object Object] - 3:7`: keep the name, take the line
        const msg = (cause instanceof Error ? cause.message : String(cause)).replace(' in [object Object]', '');
        const line = /line (\d+)/.exec(msg)?.[1] ?? / - (\d+):\d+$/m.exec(msg.split('\n')[0]!)?.[1];
        throw new XpError('TEMPLATE_ERROR', `cannot render: ${msg.split('\n')[0]}`, {
          location: { file, line: line ? Number(line) : undefined },
          hint: 'check the {{...}} expressions; variables available: experiment, metrics, vars',
          cause,
        });
      }
    },
  };
}

/** Names in {{ref "x"}} and {{source "a" "b"}} found by walking the template AST. */
export function extractDependencies(source: string, file: string): { refs: string[]; sources: string[] } {
  return memo('dependencies', [source], () => dependenciesOf(source, file));
}

function dependenciesOf(source: string, file: string): { refs: string[]; sources: string[] } {
  let ast: ReturnType<typeof Handlebars.parse>;
  try {
    ast = Handlebars.parse(source);
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    const line = /line (\d+)/.exec(msg)?.[1];
    // Handlebars puts what it expected on a later line; the first alone says nothing.
    const expecting = msg.split('\n').find((l) => l.startsWith('Expecting'));
    throw new XpError('TEMPLATE_ERROR', `invalid template: ${msg.split('\n')[0]}${expecting ? ` ${expecting}` : ''}`, {
      location: { file, line: line ? Number(line) : undefined },
      hint: 'fix the {{...}} syntax',
    });
  }
  const refs: string[] = [];
  const sources: string[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; path?: { original?: string }; params?: { type: string; value?: unknown }[] };
    if ((n.type === 'MustacheStatement' || n.type === 'SubExpression') && n.path?.original) {
      const strings = (n.params ?? []).filter((p) => p.type === 'StringLiteral').map((p) => String(p.value));
      if (n.path.original === 'ref' && strings[0] && !refs.includes(strings[0])) refs.push(strings[0]);
      if (n.path.original === 'source' && strings.length === 2) {
        const key = `${strings[0]}.${strings[1]}`;
        if (!sources.includes(key)) sources.push(key);
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(ast);
  return { refs, sources };
}
