/**
 * Config-refusal fixtures: a throwaway project holding one configs/dev.yaml, and the
 * XpError a config load raises (a test that expects a refusal fails if it loads).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XpError } from '../../src/core/errors.ts';
import { loadConfig } from '../../src/project/load-config.ts';

/** A temp project whose configs/dev.yaml is `yaml`; the caller removes it. */
export function configProject(prefix: string, yaml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(path.join(dir, 'configs'));
  writeFileSync(path.join(dir, 'configs/dev.yaml'), yaml);
  return dir;
}

/** The XpError loading `file` (relative to `dir`) raises; throws if it loads. */
export function loadConfigError(dir: string, file = 'configs/dev.yaml'): XpError {
  try {
    loadConfig(file, dir);
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error(`the config ${file} in ${dir} loaded without an error`);
}
