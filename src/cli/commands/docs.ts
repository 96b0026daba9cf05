/** `xp docs generate` (static site in target/docs) and `xp docs serve` (loopback HTTP). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { targetDir } from '../../core/paths.ts';
import { generateDocs, type DocsResult } from '../../docs/generate.ts';
import { serveDocs, type DocsServer } from '../../docs/serve.ts';
import { collectPortfolio } from '../../docs/portfolio/collect-portfolio.ts';
import { XpError } from '../../core/errors.ts';
import type { Project } from '../../runner/load-project.ts';
import type { RegisterCommand } from '../command.ts';
import type { Out } from '../print/build-reporter.ts';

export async function docsGenerateCommand(project: Project, out: Out): Promise<DocsResult> {
  const r = await generateDocs(project);
  const d = r.data;
  out.write(`docs: ${d.models.length} models, ${d.sources.length} sources, ${d.analyses.length} analyses, ${d.experiments.length} experiments → ${r.pages} pages\n`);
  for (const note of d.notes) out.write(`note: ${note}\n`);
  out.write(`open ${path.relative(process.cwd(), r.index) || r.index} in a browser, or run xp docs serve\n`);
  return r;
}

export async function docsServeCommand(project: Project, port: number, out: Out, refreshSeconds = 5): Promise<DocsServer> {
  const target = targetDir(project.config);
  if (!existsSync(path.join(target, 'docs', 'index.html'))) {
    throw new XpError('USAGE', `no docs in ${path.join(target, 'docs')}`, { hint: 'run xp docs generate first' });
  }
  const live = { project: project.config.name, refreshMs: Math.round(refreshSeconds * 1000), read: () => collectPortfolio(project.config) };
  const server = await serveDocs(target, port, live);
  out.write(`serving ${path.join(target, 'docs')} at ${server.url} (Ctrl-C to stop)\n`);
  out.write(`live portfolio: ${server.url}portfolio.html (refreshes every ${refreshSeconds} s from the state store)\n`);
  return server;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new XpError('USAGE', `--port ${value} is not a port number`, { hint: 'use 1-65535, or 0 for any free port' });
  return n;
}

export const registerDocs: RegisterCommand = (program: Command, ctx, withConfig) => {
  const docs = program.command('docs');
  withConfig(docs.command('generate'))
    .description('write target/docs: lineage graph, models, sources, analyses, experiments (works from file://)')
    .action(async (o: { config: string }) => {
      await docsGenerateCommand(await ctx.project(o.config), ctx.io.stdout);
    });
  withConfig(docs.command('serve'))
    .description('serve target/docs on 127.0.0.1 until Ctrl-C')
    .option('-p, --port <port>', 'port (0 = any free port)', '8080')
    .option('--refresh <seconds>', 'how often the portfolio page polls the state store', '5')
    .action(async (o: { config: string; port: string; refresh: string }) => {
      const refresh = Number(o.refresh);
      if (!(refresh >= 0.1 && refresh <= 3600)) throw new XpError('USAGE', `--refresh ${o.refresh} is not a number of seconds between 0.1 and 3600`, { hint: 'e.g. --refresh 5' });
      const server = await docsServeCommand(await ctx.project(o.config), parsePort(o.port), ctx.io.stdout, refresh);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
};
