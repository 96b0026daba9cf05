/**
 * Run as a child process: open a DuckDB file read-write (as a running build does), print
 * "ready", and hold it until killed. `node --import tsx tests/helpers/hold-warehouse.ts <file>`
 */
import { openDb } from '../../src/engine/connection.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: hold-warehouse.ts <warehouse.duckdb>');
const db = await openDb(file);
await db.run('create schema if not exists exp');
process.stdout.write('ready\n');
// The timer's closure keeps `db` reachable: a module-level binding nothing refers to can be
// collected once the module has run, and DuckDB's finalizer would then release the lock.
setInterval(() => db.path, 1 << 30);
