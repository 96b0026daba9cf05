import { describe, expect, it } from 'vitest';
import { alwaysValidTest, optimalMixtureRatio, type AlwaysValidConfig, type AlwaysValidLook } from '../../src/stats/always-valid.ts';
import { expectClose, loadFixture, ok, seededRng } from './helpers.ts';

interface Case {
  readonly look: AlwaysValidLook;
  readonly config: AlwaysValidConfig;
  readonly expected: { readonly pValue: number; readonly ci: readonly [number, number] };
}

const fixture = loadFixture<Case>('always_valid.json');

describe('alwaysValidTest golden values (numerically integrated mixture likelihood ratio)', () => {
  it.each(fixture.cases.map((c) => [JSON.stringify(c.look), c] as const))('%s', (name, c) => {
    const r = ok(alwaysValidTest([c.look], c.config));
    expectClose(r.pValue, c.expected.pValue, 1e-6, `${name} pValue`);
    expectClose(r.ci[0], c.expected.ci[0], 1e-6, `${name} lower`);
    expectClose(r.ci[1], c.expected.ci[1], 1e-6, `${name} upper`);
  });
});

describe('alwaysValidTest tuning', () => {
  it('optimalMixtureRatio solves r = 2 ln(1/alpha) + ln(1 + r) and minimizes the width', () => {
    for (const alpha of [0.01, 0.05, 0.1]) {
      const r = optimalMixtureRatio(alpha);
      expectClose(r, 2 * Math.log(1 / alpha) + Math.log1p(r), 1e-13, `fixed point alpha=${alpha}`);
      const width = (x: number) => (1 + 1 / x) * (2 * Math.log(1 / alpha) + Math.log1p(x));
      expect(width(r)).toBeLessThan(width(r * 1.05));
      expect(width(r)).toBeLessThan(width(r / 1.05));
    }
  });

  it('targetN tuning equals tau2 tuning with tau2 = r* se^2 n / targetN, and is narrowest at targetN', () => {
    const look = { n: 4000, estimate: 0.12, se: 0.05 };
    const byTarget = ok(alwaysValidTest([look], { mixture: { targetN: 10000 } }));
    const tau2 = (optimalMixtureRatio(0.05) * 0.05 ** 2 * 4000) / 10000;
    const byTau = ok(alwaysValidTest([look], { mixture: { tau2 } }));
    expectClose(byTarget.pValue, byTau.pValue, 1e-12, 'p');
    expectClose(byTarget.tau2, tau2, 1e-12, 'tau2');
    // at n = targetN the half-width is the smallest over all tau2
    const atTarget = { n: 10000, estimate: 0, se: 0.03 };
    const halfWidth = (mixture: AlwaysValidConfig['mixture']) => (ok(alwaysValidTest([atTarget], { mixture })).ci[1] as number);
    const best = halfWidth({ targetN: 10000 });
    expect(best).toBeLessThan(halfWidth({ targetN: 5000 }));
    expect(best).toBeLessThan(halfWidth({ targetN: 20000 }));
  });

  it('is wider than the fixed-horizon interval (the price of peeking)', () => {
    const r = ok(alwaysValidTest([{ n: 1000, estimate: 0, se: 1 }], { mixture: { targetN: 1000 } }));
    expect(r.ci[1]).toBeGreaterThan(1.96);
  });
});

describe('alwaysValidTest under continuous peeking (seeded simulation)', () => {
  it('type-I error stays below alpha over 200 looks, while a naive z-test at every look blows past it', () => {
    const rng = seededRng(51);
    const sims = 2000;
    const looks = 200;
    const batch = 50; // units per arm per look
    let alwaysValid = 0;
    let naive = 0;
    for (let s = 0; s < sims; s++) {
      let sumT = 0;
      let sumC = 0;
      let n = 0;
      const history: AlwaysValidLook[] = [];
      let naiveRejected = false;
      for (let k = 0; k < looks; k++) {
        // a batch mean of 50 N(0, 1) units is N(0, 1/50): add its sum directly
        sumT += Math.sqrt(batch) * rng.normal();
        sumC += Math.sqrt(batch) * rng.normal();
        n += batch;
        const se = Math.sqrt(2 / n);
        const estimate = sumT / n - sumC / n;
        history.push({ n: 2 * n, estimate, se });
        if (Math.abs(estimate / se) > 1.96) naiveRejected = true;
      }
      const r = alwaysValidTest(history, { mixture: { targetN: 2 * looks * batch } });
      if (r.status === 'ok' ? r.pValue <= 0.05 : true) alwaysValid++;
      if (naiveRejected) naive++;
    }
    const mcse = Math.sqrt((0.05 * 0.95) / sims);
    expect(alwaysValid / sims).toBeLessThanOrEqual(0.05 + 2 * mcse);
    expect(naive / sims).toBeGreaterThan(0.3);
  });

  it('the confidence sequence covers a true effect at every look simultaneously', () => {
    const rng = seededRng(52);
    const sims = 1000;
    let coveredThroughout = 0;
    for (let s = 0; s < sims; s++) {
      let sumT = 0;
      let sumC = 0;
      let n = 0;
      const history: AlwaysValidLook[] = [];
      for (let k = 0; k < 100; k++) {
        sumT += 100 * 0.2 + 10 * rng.normal();
        sumC += 10 * rng.normal();
        n += 100;
        history.push({ n, estimate: (sumT - sumC) / n, se: Math.sqrt(2 / n) });
      }
      const r = alwaysValidTest(history, { mixture: { tau2: 0.01 } });
      if (r.status === 'ok' && r.confidenceSequence.every(([lo, hi]) => (lo as number) <= 0.2 && 0.2 <= (hi as number))) coveredThroughout++;
    }
    expect(coveredThroughout / sims).toBeGreaterThanOrEqual(0.95 - 2 * Math.sqrt((0.05 * 0.95) / sims));
  });
});

describe('alwaysValidTest degenerate inputs', () => {
  it('no looks, a zero se and non-overlapping looks are not estimable', () => {
    expect(alwaysValidTest([], { mixture: { tau2: 1 } })).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
    expect(alwaysValidTest([{ n: 10, estimate: 1, se: 0 }], { mixture: { tau2: 1 } })).toMatchObject({ reason: 'ZERO_VARIANCE' });
    expect(
      alwaysValidTest(
        [
          { n: 10, estimate: 5, se: 0.1 },
          { n: 20, estimate: -5, se: 0.1 },
        ],
        { mixture: { tau2: 1 } },
      ),
    ).toMatchObject({ reason: 'EMPTY_CONFIDENCE_SEQUENCE' });
  });

  it('invalid tuning throws', () => {
    expect(() => alwaysValidTest([{ n: 1, estimate: 0, se: 1 }], { mixture: { tau2: 0 } })).toThrow(RangeError);
    expect(() => alwaysValidTest([{ n: 1, estimate: 0, se: 1 }], { mixture: { targetN: -5 } })).toThrow(RangeError);
    expect(() => alwaysValidTest([{ n: 0, estimate: 0, se: 1 }], { mixture: { targetN: 5 } })).toThrow(RangeError);
  });
});
