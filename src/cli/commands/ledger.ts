/**
 * `xp ledger verify | export | import | log | keygen`: check every chain (and the
 * signatures of signed events), move experiments between warehouses, read one
 * experiment's events, make a signing key pair.
 */
import { Option, type Command } from 'commander';
import { XpError } from '../../core/errors.ts';
import type { Project } from '../../runner/load-project.ts';
import { selectExperiments } from '../../graph/selectors.ts';
import type { LedgerEvent } from '../../ledger/events.ts';
import { withLedgerRead, withLedgerWrite } from '../../ledger/open.ts';
import { ledgerExperiments, readExperimentEvents } from '../../ledger/store.ts';
import { exportLedger, importLedger, readLedgerFile, type ExportResult, type ImportedExperiment } from '../../ledger/transfer.ts';
import { verifyLedger, type ChainReport } from '../../ledger/verify.ts';
import { generateSigningKey, trustedKeysOf } from '../../ledger/signing.ts';
import { openDb } from '../../engine/connection.ts';
import { canonicalJson } from '../../ledger/canonical.ts';
import { textTable } from '../../core/format.ts';
import type { RegisterCommand } from '../command.ts';

const noLedger = (): XpError => new XpError('USAGE', 'this warehouse has no ledger yet', { hint: 'run `xp build --select <experiment_id>` first' });

async function selectFromLedger(project: Project, select: string | undefined): Promise<string[]> {
  return withLedgerRead(project.config, async (db) => {
    const known = db ? await ledgerExperiments(db) : [];
    if (!known.length) throw noLedger();
    return select === undefined ? known : selectExperiments(known, select);
  });
}

export async function verifyCommand(project: Project, select?: string): Promise<ChainReport[]> {
  const empty = await withLedgerRead(project.config, async (db) => !db || !(await ledgerExperiments(db)).length);
  if (empty && select === undefined) return []; // nothing recorded yet: nothing to verify
  const ids = await selectFromLedger(project, select);
  const keys = trustedKeysOf(project.config.ledger?.public_keys);
  return withLedgerRead(project.config, async (db) => verifyLedger(db!, ids, keys));
}

export function formatVerify(reports: readonly ChainReport[]): string {
  if (!reports.length) return 'no ledger yet: nothing to verify';
  const lines: string[] = [];
  for (const r of reports) {
    if (!r.problems.length) lines.push(`ok      ${r.experimentId}: ${r.events} events, head ${r.head.slice(0, 12)}`);
    else {
      for (const p of r.problems) {
        lines.push(`BROKEN  ${r.experimentId} seq ${p.seq}: ${p.problem}: ${p.message.replace(/^.*?: /, '')}`);
        if (p.hint) lines.push(`        hint: ${p.hint}`);
      }
    }
  }
  return lines.join('\n');
}

export async function exportCommand(project: Project, select: string, to: string): Promise<ExportResult> {
  const ids = await selectFromLedger(project, select);
  return withLedgerRead(project.config, async (db) => exportLedger(db!, ids, to));
}

export async function importCommand(project: Project, file: string): Promise<ImportedExperiment[]> {
  // read the file's experiment ids first, so exactly those are locked while importing
  const mem = await openDb(':memory:');
  let ids: string[];
  try {
    ids = [...(await readLedgerFile(mem, file)).keys()];
  } finally {
    mem.close();
  }
  if (!ids.length) throw new XpError('USAGE', `${file} holds no events`, { location: { file } });
  const keys = trustedKeysOf(project.config.ledger?.public_keys);
  return withLedgerWrite(project.config, ids, `xp ledger import ${file}`, (db) => importLedger(db, file, new Set(ids), keys));
}

export async function logCommand(project: Project, experimentId: string): Promise<LedgerEvent[]> {
  return withLedgerRead(project.config, async (db) => (db ? readExperimentEvents(db, experimentId) : []));
}

export function formatLog(events: readonly LedgerEvent[]): string {
  return textTable(['seq', 'at', 'actor', 'kind', 'payload', 'hash'], events.map((e) => [e.seq, e.at, e.actor ?? '', e.kind, canonicalJson(e.payload), e.hash.slice(0, 12)]));
}

/** A fresh ed25519 key pair, as text to act on: the private key for XP_SIGNING_KEY, the config line for the public one. */
export function formatKeygen(name: string, k: ReturnType<typeof generateSigningKey>): string {
  return [
    `# private key (key id ${k.keyId}): keep it secret; save it to a file and set XP_SIGNING_KEY to the file's path (or to this text)`,
    k.privatePem.trimEnd(),
    '# public key: add under ledger: public_keys: in the project config',
    `ledger: { public_keys: { ${name}: "${k.publicKey}" } }`,
  ].join('\n');
}

export const registerLedger: RegisterCommand = (program, ctx, withConfig) => {
  const ledger = program.command('ledger');
  const sub = (name: string): Command => withConfig(ledger.command(name));

  sub('verify')
    .description('check every hash chain (exit 1 naming the experiment and seq of a break)')
    .option('-s, --select <experiments>', 'experiments to check (default: all in the ledger)')
    .action(async (o: { config: string; select?: string }) => {
      const reports = await verifyCommand(await ctx.project(o.config), o.select);
      ctx.io.stdout.write(formatVerify(reports) + '\n');
      const broken = reports.filter((r) => r.problems.length);
      if (broken.length) {
        const p = broken[0]!.problems[0]!;
        throw new XpError('LEDGER_CORRUPT', `${broken.length} broken chain(s); first: ${p.experimentId} at seq ${p.seq}`, {
          location: { experiment: p.experimentId },
          hint: 'restore the experiment from an export (`xp ledger import <file>`) or a warehouse backup',
        });
      }
    });

  sub('export')
    .description('write the selected experiments\' ledgers to a .jsonl or .parquet file')
    .requiredOption('-s, --select <experiments>', 'experiment id, comma list, glob or all')
    .requiredOption('--to <file>', 'file.jsonl or file.parquet')
    .action(async (o: { config: string; select: string; to: string }) => {
      const r = await exportCommand(await ctx.project(o.config), o.select, o.to);
      ctx.io.stdout.write(`exported ${r.experiments.map((e) => `${e.experimentId} (${e.events} events)`).join(', ')} to ${r.file}\n`);
    });

  sub('import')
    .description('import ledgers from an export: verified first; a diverging history is refused')
    .argument('<file>', 'file.jsonl or file.parquet')
    .action(async (file: string, o: { config: string }) => {
      const r = await importCommand(await ctx.project(o.config), file);
      for (const x of r) ctx.io.stdout.write(`${x.action.padEnd(10)} ${x.experimentId}: ${x.events} events (${x.added} added)\n`);
    });

  ledger.command('keygen')
    .description('make an ed25519 signing key pair: the private key PEM for XP_SIGNING_KEY and the config line for its public key')
    .option('--name <name>', 'the name to list the public key under', 'signer')
    .action((o: { name: string }) => {
      if (!/^[A-Za-z0-9_.@-]+$/.test(o.name)) throw new XpError('USAGE', `--name ${JSON.stringify(o.name)}: use letters, digits, _ . @ -`, { hint: 'e.g. --name ci_runner' });
      ctx.io.stdout.write(formatKeygen(o.name, generateSigningKey()) + '\n');
    });

  sub('log')
    .description('one experiment\'s events')
    .argument('<experiment_id>')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (experimentId: string, o: { config: string; format: string }) => {
      const events = await logCommand(await ctx.project(o.config), experimentId);
      ctx.io.stdout.write((o.format === 'json' ? JSON.stringify(events, null, 2) : formatLog(events)) + '\n');
    });
};
