/**
 * The shipped project (configs/, models/, macros/, analyses/, seeds/ of the repo) in a
 * temp dir, with every experiment's synthetic population shrunk so builds stay fast.
 */
import { readdirSync } from 'node:fs';

import { copyProject, REPO_ROOT, type TempProject } from './project.ts';

export const SHIPPED_EXPERIMENTS = ['exp_checkout_button_001', 'exp_add_cart_002', 'exp_pricing_test_003', 'exp_search_ranking_004', 'exp_checkout_copy_005', 'exp_checkout_trust_006'] as const;

/** Set every `n_users:` in the project's configs to `nUsers`. */
export function shrinkPopulations(p: TempProject, nUsers: number): void {
  const files = ['configs/dev.yaml', ...readdirSync(p.file('configs/experiments')).map((f) => `configs/experiments/${f}`)];
  for (const rel of files) {
    const text = p.read(rel);
    p.write(rel, text.replace(/\bn_users:\s*\d+/g, `n_users: ${nUsers}`));
  }
}

export function shippedProject(opts: { nUsers?: number } = {}): TempProject {
  const p = copyProject(REPO_ROOT, { only: ['configs', 'models', 'macros', 'analyses', 'seeds'], prefix: 'shipped' });
  shrinkPopulations(p, opts.nUsers ?? 2000);
  return p;
}

