/**
 * A build's private database. DuckDB lets one process write a file at a time, so a build
 * that wrote the shared warehouse for its whole length would shut out every other build
 * and reader. Instead each build computes in its own in-memory DuckDB (spilling to a
 * folder under `target/scratch/` when it outgrows memory) and holds the warehouse only in
 * short sections:
 *
 * 1. **copy in**: at open the warehouse is attached, migrated, and (embedded state) schema
 *    `xp` is copied; the data the build reads (the selected experiments' partitions, the
 *    project-level tables, the views) is copied in a second section the first time
 *    anything needs it (`ensureData`), so a build that finds everything fresh copies no
 *    data at all; partitions the build is about to replace are not copied (`restore`
 *    brings one back when its rebuild fails). Each time the warehouse is detached afterwards.
 * 2. **commit** (after every transaction of the scratch, or once at the end of a
 *    `deferCommits`: the build defers each stage's, so one per stage): the partitions
 *    the transactions built, and the state rows it wrote (ledger events, fingerprints, run
 *    records), are copied into the warehouse in ONE warehouse transaction. A crash before
 *    it leaves the warehouse as it was; after it, the stage is committed as before. Each
 *    partition is old or new, never mixed, and the ledger says which stages committed.
 * 3. **project-level steps** (inWarehouse): a model over every partition runs against the
 *    warehouse itself, inside a section, so it reads every experiment's committed rows,
 *    not only this build's; its table is copied back for what reads it next.
 *
 * Builds of one experiment still exclude each other by the experiment's lock
 * (src/ledger/lock.ts); the ledger commit also checks that no other process appended to
 * an experiment's chain meanwhile. Readers open the warehouse read-only and wait only for
 * a commit section (src/engine/connection.ts, whileLocked).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../../core/errors.ts';
import { killPoint } from '../../core/kill-points.ts';
import { defaultWaitSeconds, openDb, whileLocked, type Db, type Row, type SqlParams, type StatementInfo } from '../connection.ts';
import { evolveColumns } from '../evolve-columns.ts';
import { quoteIdent, sqlLiteral } from '../sql.ts';

const WAREHOUSE = 'xp_warehouse';
const MODELS = 'exp';
const STATE = 'xp';

/** How the build reads a table of the warehouse's schema `exp`. */
export type TableScope = 'partitioned' | 'whole' | 'view';

export interface ScratchLayout {
  /** the tables of `exp` the build may read, in dependency order (views after what they read) */
  readonly tables: ReadonlyMap<string, TableScope>;
  /** the tables a recorded node wrote: a model its own; `analysis:<plugin>` the tables it declares */
  tablesOf(node: string): readonly string[];
}

export interface ScratchOptions {
  readonly warehouse: string;
  readonly targetDir: string;
  readonly runId: string;
  readonly experimentIds: readonly string[];
  /** embedded state: schema `xp` is copied in and its new rows committed with the data */
  readonly embeddedState: boolean;
  readonly layout: ScratchLayout;
  /** runs on the warehouse at copy-in, before anything is read (creates and migrates the embedded state) */
  readonly prepare?: (warehouse: Db) => Promise<void>;
  /** wraps the connection a project-level step gets (binds a PostgreSQL state) */
  readonly bind?: (db: Db) => Db;
  readonly waitSeconds?: number;
}

/** A partition a transaction of the scratch recorded (src/engine/platform-store.ts tells it). */
export interface NotedPartition {
  readonly model: string;
  readonly experimentId: string | null;
}

/** Attach sections of one process to one file run one at a time: DuckDB's file lock is per process. */
const sections = new Map<string, Promise<unknown>>();
function serialised<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const before = sections.get(file) ?? Promise.resolve();
  const run = before.then(fn, fn);
  sections.set(file, run.catch(() => undefined));
  return run;
}

/** Every table's columns in schema `exp` of `catalog`, in one catalog query. */
async function columnsIn(db: Db, catalog: string): Promise<Map<string, Map<string, string>>> {
  const rows = await db.all<{ table_name: string; column_name: string; data_type: string }>(
    `select table_name, column_name, data_type from information_schema.columns
     where table_catalog = $1 and table_schema = $2 order by table_name, ordinal_position`, [catalog, MODELS],
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const cols = out.get(r.table_name) ?? new Map<string, string>();
    cols.set(r.column_name, r.data_type);
    out.set(r.table_name, cols);
  }
  return out;
}

const partitionKey = (p: NotedPartition): string => `${p.model}\u0000${p.experimentId ?? ''}`;

const scratchDir = (targetDir: string): string => path.join(targetDir, 'scratch');

/** Whether a statement names schema `exp` (a relation, or a catalog query about it): the scratch copies its data first. */
function readsModels(sql: string, params?: SqlParams): boolean {
  if (/(^|[^A-Za-z0-9_])"?exp"?\s*\./.test(sql)) return true;
  if (params === undefined || !/information_schema|duckdb_(tables|views|columns)/i.test(sql)) return false;
  return Object.values(params).some((v) => v === MODELS);
}

/** Spill folders (and scratch files of older versions) of builds whose process is gone (a crash or SIGKILL leaves them). */
function sweepStale(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const pid = Number(/^build-\d+-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

export class ScratchDb implements Db {
  readonly #pending = new Map<string, NotedPartition>();
  /** each experiment's ledger head (seq) as the warehouse has it */
  readonly #heads = new Map<string, number>();
  #depth = 0;
  /** inside `deferCommits`: transactions stay in the scratch until it ends */
  #deferring = 0;
  #committedSignature = '';
  #data: Promise<void> | undefined;
  /** partitions left out at copy-in because the build replaces them (`ensureData`) */
  readonly #replaced = new Set<string>();

  private constructor(
    private readonly raw: Db,
    private readonly catalog: string,
    /** the folder DuckDB spills the scratch to when it outgrows memory */
    private readonly spill: string,
    private readonly opts: ScratchOptions,
  ) {}

  get path(): string {
    return this.opts.warehouse;
  }

  async run(sql: string, params?: SqlParams): Promise<number> {
    if (!this.#data && readsModels(sql, params)) await this.ensureData();
    return this.raw.run(sql, params);
  }

  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    if (!this.#data && readsModels(sql, params)) await this.ensureData();
    return this.raw.all<T>(sql, params);
  }

  async columns(sql: string, params?: SqlParams): Promise<{ name: string; type: string }[]> {
    if (!this.#data && readsModels(sql, params)) await this.ensureData();
    return this.raw.columns(sql, params);
  }

  async statementTypes(sql: string): Promise<StatementInfo[]> {
    if (!this.#data && readsModels(sql)) await this.ensureData();
    return this.raw.statementTypes(sql);
  }

  /**
   * Copy the data this build reads into the scratch, once: before the first step, plugin
   * or memo that needs it (and, as a safety net, before any statement that names schema
   * `exp`). A transaction cannot attach the warehouse, so inside one it is our bug.
   */
  ensureData(replaced: readonly NotedPartition[] = []): Promise<void> {
    if (!this.#data) {
      if (this.#depth > 0) {
        return Promise.reject(new XpError('INTERNAL', 'a build transaction read schema exp before the scratch had copied the warehouse\'s data; call ensureData() before the transaction'));
      }
      this.#data = this.#section(() => this.#copyData(replaced));
    }
    return this.#data;
  }

  /**
   * A step that was to replace `partition` failed: copy its previous rows back in (they
   * were left out at copy-in), so what reads it next in this build (a publish of an
   * unchanged partition) sees the warehouse's good partition, as before the build.
   */
  async restore(partition: NotedPartition): Promise<void> {
    if (!this.#replaced.has(partitionKey(partition)) || this.#depth > 0) return;
    this.#replaced.delete(partitionKey(partition));
    await this.#section(async () => {
      const source = `${WAREHOUSE}.${MODELS}.${quoteIdent(partition.model)}`;
      const target = `${MODELS}.${quoteIdent(partition.model)}`;
      if (!(await this.#tablesOf(WAREHOUSE, MODELS)).has(partition.model)) return;
      await this.raw.run(`delete from ${target} where experiment_id = $1`, [partition.experimentId]);
      await this.raw.run(`insert into ${target} by name select * from ${source} where experiment_id = $1`, [partition.experimentId]);
    });
  }

  /** A transaction of the scratch, then its commit to the warehouse (one section), unless commits are deferred. */
  async transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.#depth > 0) return fn(this);
    this.#depth++;
    let out: T;
    try {
      out = await this.raw.transaction(() => fn(this));
    } finally {
      this.#depth--;
    }
    if (this.#deferring === 0) await this.commit();
    return out;
  }

  /**
   * Run `fn`, committing the transactions it runs to the warehouse once, at its end (also
   * when it throws: what committed in the scratch before the failure is kept, as when each
   * transaction committed on its own). One section instead of one per transaction.
   */
  async deferCommits<T>(fn: () => Promise<T>): Promise<T> {
    this.#deferring++;
    try {
      return await fn();
    } finally {
      this.#deferring--;
      if (this.#deferring === 0) await this.commit();
    }
  }

  interrupt(): void {
    this.raw.interrupt();
  }

  /** Close the scratch and delete what it spilled. Anything not committed yet is dropped. */
  close(): void {
    this.raw.close();
    rmSync(this.spill, { recursive: true, force: true });
  }

  /** Called by recordFingerprint: this partition is new in the scratch and commits with the transaction. */
  note(partition: NotedPartition): void {
    this.#pending.set(partitionKey(partition), partition);
  }

  static async open(opts: ScratchOptions): Promise<ScratchDb> {
    const dir = scratchDir(opts.targetDir);
    mkdirSync(dir, { recursive: true });
    sweepStale(dir);
    const spill = path.join(dir, `build-${Date.now()}-${process.pid}-${opts.runId.replace(/[^A-Za-z0-9_]/g, '_')}.tmp`);
    // In memory, spilling to `spill` past DuckDB's memory limit: the scratch is thrown away
    // after the build, so a file would only add its WAL and checkpoints to every write (the
    // warehouse commit is the one durable write of a partition).
    const settings: Record<string, string> = { temp_directory: spill };
    // builds run side by side (--jobs, xp worker) share the cores: their parent says how many threads each may use
    const threads = Number(process.env['XP_DUCKDB_THREADS']);
    if (Number.isInteger(threads) && threads > 0) settings['threads'] = String(threads);
    const raw = await openDb(':memory:', { settings });
    const scratch = new ScratchDb(raw, 'memory', spill, opts);
    try {
      await scratch.copyIn();
      if (opts.embeddedState) scratch.#committedSignature = await scratch.#stateSignature();
    } catch (err) {
      scratch.close();
      throw err;
    }
    return scratch;
  }

  /** Attach the warehouse read-write for `fn`, one section at a time per process; waits while another process holds it. */
  async #section<T>(fn: () => Promise<T>): Promise<T> {
    const file = this.opts.warehouse;
    return serialised(file, async () => {
      await whileLocked(file, this.opts.waitSeconds ?? defaultWaitSeconds(), () => this.raw.run(`attach ${sqlLiteral(file)} as ${WAREHOUSE}`));
      try {
        return await fn();
      } finally {
        await this.raw.run(`use ${quoteIdent(this.catalog)}`).catch(() => undefined);
        await this.raw.run(`detach ${WAREHOUSE}`);
      }
    });
  }

  async #tablesOf(catalog: string, schema: string): Promise<Map<string, 'table' | 'view'>> {
    const rows = await this.raw.all<{ name: string; type: string }>(
      `select table_name as name, table_type as type from information_schema.tables where table_catalog = $1 and table_schema = $2`, [catalog, schema],
    );
    return new Map(rows.map((r) => [r.name, r.type === 'VIEW' ? 'view' : 'table']));
  }

  async #viewSql(catalog: string, name: string): Promise<string | undefined> {
    const [row] = await this.raw.all<{ sql: string }>(
      'select sql from duckdb_views() where database_name = $1 and schema_name = $2 and view_name = $3', [catalog, MODELS, name],
    );
    return row?.sql;
  }

  /** The first section: migrate the warehouse, and copy the embedded state. */
  private async copyIn(): Promise<void> {
    await this.#section(async () => {
      await this.raw.run(`use ${WAREHOUSE}`);
      await this.raw.run(`create schema if not exists ${MODELS}`);
      await this.opts.prepare?.(this.raw);
      await this.raw.run(`use ${quoteIdent(this.catalog)}`);
      await this.raw.run(`create schema if not exists ${MODELS}`);
      if (this.opts.embeddedState) {
        await this.raw.run(`create schema if not exists ${STATE}`);
        for (const [table, type] of await this.#tablesOf(WAREHOUSE, STATE)) {
          if (type !== 'table') continue;
          await this.raw.run(`create table ${STATE}.${quoteIdent(table)} as select * from ${WAREHOUSE}.${STATE}.${quoteIdent(table)}`);
        }
        if ((await this.#tablesOf(this.catalog, STATE)).has('ledger_heads')) {
          for (const h of await this.raw.all<{ experiment_id: string; seq: number }>(`select experiment_id, seq from ${STATE}.ledger_heads`)) {
            this.#heads.set(h.experiment_id, Number(h.seq));
          }
        }
      }
    });
  }

  /**
   * The data section: the selected experiments' partitions, the project-level tables, the
   * views. Partitions in `replaced` are left out (their tables are still created): the
   * build rebuilds them before anything reads them, so copying their old rows would only
   * be thrown away (a full refresh replaces every one: at 1M users that copy was a third
   * of a second). A rebuild that fails puts them back (`restore`).
   */
  async #copyData(replaced: readonly NotedPartition[]): Promise<void> {
    const ids = this.opts.experimentIds.map(sqlLiteral).join(', ') || 'null';
    for (const p of replaced) if (p.experimentId !== null) this.#replaced.add(partitionKey(p));
    const have = await this.#tablesOf(WAREHOUSE, MODELS);
    const local = await this.#tablesOf(this.catalog, MODELS);
    for (const [table, scope] of this.opts.layout.tables) {
      const kind = have.get(table);
      // a project-level step may have put its table here already (inWarehouse copies it back)
      if (!kind || local.has(table)) continue;
      const source = `${WAREHOUSE}.${MODELS}.${quoteIdent(table)}`;
      const target = `${MODELS}.${quoteIdent(table)}`;
      if (kind === 'view' || scope === 'view') {
        const sql = await this.#viewSql(WAREHOUSE, table);
        // a view over a table this build does not read cannot be bound here: leave it out
        if (sql) await this.raw.run(sql).catch(() => undefined);
      } else if (scope === 'partitioned') {
        const left = this.opts.experimentIds.filter((id) => !this.#replaced.has(partitionKey({ model: table, experimentId: id })));
        const keep = left.map(sqlLiteral).join(', ') || 'null';
        await this.raw.run(`create table ${target} as select * from ${source} where experiment_id in (${keep})`);
      } else {
        await this.raw.run(`create table ${target} as select * from ${source}`);
      }
    }
  }

  /** Changes when the embedded state gains a ledger event or this run's record changes (fingerprints come with `pending`). */
  async #stateSignature(): Promise<string> {
    const local = await this.#tablesOf(this.catalog, STATE);
    const parts: string[] = [];
    if (local.has('ledger')) parts.push(String((await this.raw.all<{ n: number }>(`select count(*) as n from ${STATE}.ledger`))[0]!.n));
    if (local.has('runs')) {
      const rows = await this.raw.all<{ f: string | null; s: string }>(`select finished_at as f, status as s from ${STATE}.runs where run_id = $1`, [this.opts.runId]);
      parts.push(JSON.stringify(rows));
    }
    return parts.join('|');
  }

  /**
   * The embedded state's new rows: ledger events past the warehouse's heads, the
   * fingerprints of `pending`, this run's record. Returns the ledger heads it wrote, for
   * `#heads` once the transaction has committed.
   */
  async #commitState(pending: readonly NotedPartition[]): Promise<Map<string, number>> {
    const runId = sqlLiteral(this.opts.runId);
    const local = await this.#tablesOf(this.catalog, STATE);
    const written = new Map<string, number>();
    if (local.has('ledger')) {
      // every chain that grew, checked and copied in four statements, however many experiments
      const grown = (await this.raw.all<{ experiment_id: string; seq: number }>(`select experiment_id, max(seq) as seq from ${STATE}.ledger group by experiment_id`))
        .filter((h) => Number(h.seq) > (this.#heads.get(h.experiment_id) ?? 0));
      if (grown.length) {
        const list = grown.map((h) => sqlLiteral(h.experiment_id)).join(', ');
        const known = grown.map((h) => `(${sqlLiteral(h.experiment_id)}, ${this.#heads.get(h.experiment_id) ?? 0})`).join(', ');
        const there = new Map((await this.raw.all<{ experiment_id: string; seq: number }>(
          `select experiment_id, max(seq) as seq from ${WAREHOUSE}.${STATE}.ledger where experiment_id in (${list}) group by experiment_id`,
        )).map((r) => [r.experiment_id, Number(r.seq)]));
        const raced = grown.find((h) => (there.get(h.experiment_id) ?? 0) !== (this.#heads.get(h.experiment_id) ?? 0));
        if (raced) {
          throw new XpError('EXPERIMENT_LOCKED', `another process appended to the ledger of ${raced.experiment_id} during this build; nothing more of this build was committed`, {
            location: { experiment: raced.experiment_id },
            hint: `run the build again: \`xp build --select ${raced.experiment_id}\` resumes after the stages that committed`,
          });
        }
        await this.raw.run(`insert into ${WAREHOUSE}.${STATE}.ledger select l.* from ${STATE}.ledger l
          join (values ${known}) as known(experiment_id, seq) on l.experiment_id = known.experiment_id and l.seq > known.seq`);
        await this.raw.run(`delete from ${WAREHOUSE}.${STATE}.ledger_heads where experiment_id in (${list})`);
        await this.raw.run(`insert into ${WAREHOUSE}.${STATE}.ledger_heads select * from ${STATE}.ledger_heads where experiment_id in (${list})`);
        for (const h of grown) written.set(h.experiment_id, Number(h.seq));
      }
    }
    if (local.has('partitions')) {
      // only the partitions this transaction built: a project-level row copied back from the
      // warehouse (inWarehouse) may since have been replaced there by another build
      if (pending.length) {
        const keys = pending.map((p) => `(${sqlLiteral(p.model)}, ${sqlLiteral(p.experimentId ?? '')})`).join(', ');
        const mine = `(model, experiment_id) in (select * from (values ${keys}))`;
        await this.raw.run(`delete from ${WAREHOUSE}.${STATE}.partitions where ${mine}`);
        await this.raw.run(`insert into ${WAREHOUSE}.${STATE}.partitions select * from ${STATE}.partitions where ${mine}`);
      }
    }
    if (local.has('runs')) {
      await this.raw.run(`delete from ${WAREHOUSE}.${STATE}.runs where run_id = ${runId}`);
      await this.raw.run(`insert into ${WAREHOUSE}.${STATE}.runs select * from ${STATE}.runs where run_id = ${runId}`);
    }
    return written;
  }

  /** Copy what the last transaction built, and the state it wrote, into the warehouse in one transaction. */
  async commit(): Promise<void> {
    const pending = [...this.#pending.values()];
    const signature = this.opts.embeddedState ? await this.#stateSignature() : '';
    // nothing built and no state written since the last commit: no section to hold
    if (!pending.length && signature === this.#committedSignature) return;
    const layout = this.opts.layout;
    const heads = await this.#section(async () => this.raw.transaction(async () => {
      // per table, every partition this commit carries, in bulk: one column lookup per
      // side for all tables, one delete and one insert per table (not per partition)
      const built = await this.#tablesOf(this.catalog, MODELS);
      const byTable = new Map<string, { scope: TableScope; ids: Set<string | null> }>();
      for (const p of pending) {
        for (const table of layout.tablesOf(p.model)) {
          const scope = layout.tables.get(table) ?? (p.experimentId === null ? 'whole' : 'partitioned');
          if (scope === 'view' || !built.has(table)) continue; // a view: project-level, written in the warehouse itself (inWarehouse)
          const entry = byTable.get(table) ?? { scope, ids: new Set<string | null>() };
          entry.ids.add(p.experimentId);
          byTable.set(table, entry);
        }
      }
      const [there, here] = [await columnsIn(this.raw, WAREHOUSE), await columnsIn(this.raw, this.catalog)];
      for (const [table, { scope, ids }] of byTable) {
        const target = `${WAREHOUSE}.${MODELS}.${quoteIdent(table)}`;
        const source = `${MODELS}.${quoteIdent(table)}`;
        if (scope === 'whole') {
          await this.raw.run(`create or replace table ${target} as select * from ${source}`);
          continue;
        }
        await evolveColumns(this.raw, target, there.get(table) ?? new Map(), source, here.get(table));
        const list = [...ids].map((id) => sqlLiteral(id)).join(', ');
        await this.raw.run(`delete from ${target} where experiment_id in (${list})`);
        await this.raw.run(`insert into ${target} by name select * from ${source} where experiment_id in (${list})`);
      }
      const written = this.opts.embeddedState ? await this.#commitState(pending) : new Map<string, number>();
      if (pending[0]) killPoint('during', `commit:${pending[0].model}`);
      return written;
    }));
    for (const p of pending) this.#pending.delete(partitionKey(p));
    for (const [id, seq] of heads) this.#heads.set(id, seq);
    this.#committedSignature = signature;
  }

  /**
   * Run a project-level step against the warehouse itself (it reads every experiment's
   * partitions), then copy its table back into the scratch for the steps after it.
   */
  async inWarehouse<T>(model: string, fn: (db: Db) => Promise<T>): Promise<T> {
    await this.commit();
    return this.#section(async () => {
      await this.raw.run(`use ${WAREHOUSE}`);
      const out = await fn(this.opts.bind ? this.opts.bind(this.raw) : this.raw);
      await this.raw.run(`use ${quoteIdent(this.catalog)}`);
      const kind = (await this.#tablesOf(WAREHOUSE, MODELS)).get(model);
      const local = `${MODELS}.${quoteIdent(model)}`;
      // DuckDB refuses `drop view if exists` on a table (and the reverse): drop what is there
      const had = (await this.#tablesOf(this.catalog, MODELS)).get(model);
      if (had && had !== kind) await this.raw.run(`drop ${had} ${local}`);
      if (kind === 'view') {
        const sql = await this.#viewSql(WAREHOUSE, model);
        if (had === 'view') await this.raw.run(`drop view ${local}`);
        if (sql) await this.raw.run(sql);
      } else if (kind === 'table') {
        await this.raw.run(`create or replace table ${local} as select * from ${WAREHOUSE}.${local}`);
      }
      if (this.opts.embeddedState) {
        await this.raw.run(`delete from ${STATE}.partitions where model = $1 and experiment_id = ''`, [model]);
        await this.raw.run(`insert into ${STATE}.partitions select * from ${WAREHOUSE}.${STATE}.partitions where model = $1 and experiment_id = ''`, [model]);
      }
      return out;
    });
  }
}

/** The scratch behind a connection, if it has one (a bound connection's warehouse side). */
export function scratchOf(db: Db): ScratchDb | undefined {
  if (db instanceof ScratchDb) return db;
  const inner = (db as { warehouse?: unknown }).warehouse;
  return inner instanceof ScratchDb ? inner : undefined;
}

/** Before a transaction that reads or writes schema `exp`: a build's scratch copies its data in first (a no-op otherwise). */
export async function ensureBuildData(db: Db, replaced: readonly NotedPartition[] = []): Promise<void> {
  await scratchOf(db)?.ensureData(replaced);
}

/** Run `fn` with one warehouse commit at its end when `db` is a build's scratch (see ScratchDb.deferCommits). */
export function deferCommits<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const scratch = scratchOf(db);
  return scratch ? scratch.deferCommits(fn) : fn();
}

/** After a step that was to replace a partition failed: the scratch gets the previous partition back. */
export async function restorePartition(db: Db, partition: NotedPartition): Promise<void> {
  await scratchOf(db)?.restore(partition);
}

/** Run a project-level step in the warehouse when `db` is a build's scratch; otherwise on `db` itself. */
export function inWarehouse<T>(db: Db, model: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const scratch = scratchOf(db);
  return scratch ? scratch.inWarehouse(model, fn) : fn(db);
}
