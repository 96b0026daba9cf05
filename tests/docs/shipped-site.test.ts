/**
 * xp docs generate over a build of the shipped project: the experiment page shows the
 * decision as the memo words it (never the raw 26-column exp.decisions row), the lineage
 * draws the memo's real inputs, and its nodes carry the metrics they compute (search).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xp } from '../helpers/cli.ts';
import type { TempProject } from '../helpers/project.ts';
import { shippedProject } from '../report/support/shipped-project.ts';

const ID = 'exp_checkout_button_001';
let p: TempProject;

interface Graph { nodes: { id: string; metrics?: string[] }[]; edges: { from: string; to: string }[] }
const graph = (): Graph => JSON.parse(/<script type="application\/json" id="xp-graph">([\s\S]*?)<\/script>/.exec(p.read('target/docs/index.html'))![1]!) as Graph;

beforeAll(async () => {
  p = shippedProject({ only: [ID], nUsers: 2000 });
  expect((await xp(p.root, 'build', '--select', ID, '--generate-synth')).code).toBe(0);
  expect((await xp(p.root, 'docs', 'generate')).code).toBe(0);
});
afterAll(() => p?.remove());

describe('docs of the shipped project', () => {
  it('the experiment page shows the decision as the memo does: label, summary, key numbers, rule in words', () => {
    const page = p.read(`target/docs/experiments/${ID}.html`);
    const decision = /<section><h2>Decision<\/h2>([\s\S]*?)<\/section>/.exec(page)![1]!;
    const memo = JSON.parse(p.read(`target/memos/${ID}.json`)) as { memo: { headline: { label: string; primary: string; progress: string; ruleText: string } } };
    const h = memo.memo.headline;
    expect(decision).toContain(`<div class="decision-card tone-`);
    expect(decision).toContain(`<h3>${h.label}</h3>`);
    expect(decision).toContain(`Primary metric: ${h.primary}`);
    expect(decision).toContain(`Sequential: ${h.progress}`);
    expect(decision).toContain(`Rule applied: ${h.ruleText}`);
    // not the raw row: no column names, no JSON blobs, no full-precision floats
    expect(decision).not.toMatch(/primary_relative_ci_lower|treatment_verdicts|<th>|\{&quot;|\d\.\d{8,}/);
  });

  it('the lineage draws the memo\'s edges from what it reads', () => {
    const into = graph().edges.filter((e) => e.to === 'memo').map((e) => e.from).sort();
    expect(into).toEqual([
      'analysis:ab', 'analysis:cuped', 'analysis:decision', 'analysis:did', 'analysis:pretrends', 'analysis:sequential', 'analysis:srm',
      'model:dq_results', 'model:experiment_registry', 'model:metric_aggregates_daily', 'model:srm_counts',
    ]);
  });

  it('nodes carry the metrics they compute, for the search', () => {
    const byId = new Map(graph().nodes.map((n) => [n.id, n.metrics ?? []]));
    for (const id of ['model:metric_aggregates_overall', 'model:metric_aggregates_daily', 'analysis:ab', 'analysis:cuped']) {
      expect(byId.get(id), id).toEqual(['bounce_rate', 'conversion', 'revenue', 'revenue_buyers_capped', 'revenue_p95', 'revenue_per_order']);
    }
    expect(byId.get('model:srm_counts')).toEqual([]);
    expect(byId.get('analysis:srm')).toEqual([]);
  });
});
