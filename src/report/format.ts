/**
 * Numbers for people, the same on every machine: fixed en-US grouping (never the host
 * locale), an ASCII minus, percent and percentage points.
 *
 * Precision is consistent: a number keeps its trailing zeros (0.90, 50.0%), and an
 * estimate and the bounds of its interval share one number of decimals, chosen from the
 * largest of them (`decimalsFor`), so "+1.9% [-5.9%, +9.7%]" never reads as
 * "+1.9% [-5.86%, +9.66%]". Tiny magnitudes are written with a power of ten
 * ("-1.8 × 10⁻⁶") instead of a run of zeros. Pure; the memo data carries these strings so
 * the templates never format anything.
 */

const DASH = '—';

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** 1234567 → "1,234,567" (grouping of the integer part of a decimal string). */
function group(digits: string): string {
  const [int = '', frac] = digits.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** "-0" and "-0.00" read as zero. */
function signed(text: string, negative: boolean): string {
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

/** A count: 12345 → "12,345". */
export function fmtCount(n: number | null | undefined): string {
  if (!finite(n)) return DASH;
  return signed(group(Math.abs(Math.round(n)).toString()), n < 0);
}

/**
 * The decimals that show `sig` significant digits of the largest |value| (the others in
 * the group get as many), between `min` and `max`: [4.4, -3.03, 11.8] with sig 2 → 0,
 * [0.431, 1.14] with sig 2 → 1, [0.0272, 0.137] with sig 3 → 3.
 */
export function decimalsFor(values: readonly (number | null | undefined)[], sig: number, min = 0, max = 6): number {
  const top = Math.max(0, ...values.filter(finite).map(Math.abs));
  if (top === 0) return min;
  // the magnitude after rounding to `sig` digits (9.96 → 10.0 has one more integer digit)
  const magnitude = Math.floor(Math.log10(Number(top.toPrecision(sig))));
  return Math.min(max, Math.max(min, sig - 1 - magnitude));
}

/** A number with exactly `decimals` decimals, grouped: 1234.5 → "1,234.50" at 2. */
export function fmtFixed(x: number | null | undefined, decimals: number): string {
  if (!finite(x)) return DASH;
  return signed(group(Math.abs(x).toFixed(decimals)), x < 0);
}

/**
 * A measurement with `sig` significant digits, grouped, trailing zeros kept (they say how
 * precise it is): 12.4839 → "12.5", 0.5 → "0.500", 1234567.8 → "1,234,568" (digits left
 * of the point are kept), 9.996 → "10.0".
 */
export function fmtNumber(x: number | null | undefined, sig = 3): string {
  if (!finite(x)) return DASH;
  if (x === 0) return '0';
  return fmtFixed(x, decimalsFor([x], sig, 0, 20));
}

const SUPERSCRIPT: Readonly<Record<string, string>> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/**
 * A number that can be very small: as fmtNumber down to 0.001, below that with a power of
 * ten, "-1.8 × 10⁻⁶" (never "-0.00000178").
 */
export function fmtSmall(x: number | null | undefined, sig = 2): string {
  if (!finite(x)) return DASH;
  if (x === 0 || Math.abs(x) >= 0.001) return fmtNumber(x, sig);
  const [mantissa = '', exponent = ''] = Math.abs(x).toExponential(sig - 1).split('e');
  const power = String(Number(exponent)).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
  return signed(`${mantissa} × 10${power}`, x < 0);
}

/** A share as a percent with fixed decimals: 0.03124 → "3.1%", 0.5 → "50.0%". */
export function fmtPercent(x: number | null | undefined, decimals = 1): string {
  if (!finite(x)) return DASH;
  return `${fmtFixed(x * 100, decimals)}%`;
}

/** A change with its sign: +3.1%, -0.4%, 0.0%. */
export function fmtSignedPercent(x: number | null | undefined, decimals = 1): string {
  if (!finite(x)) return DASH;
  const text = fmtPercent(x, decimals);
  return x > 0 && /[1-9]/.test(text) ? `+${text}` : text;
}

/** A difference of two rates in percentage points: 0.0031 → "+0.31 pp". */
export function fmtPoints(x: number | null | undefined, decimals = 2): string {
  if (!finite(x)) return DASH;
  const text = fmtFixed(x * 100, decimals);
  return `${x > 0 && /[1-9]/.test(text) ? '+' : ''}${text} pp`;
}

/** A signed measurement with fixed decimals: +0.512, -12.3. */
export function fmtSigned(x: number | null | undefined, decimals: number): string {
  if (!finite(x)) return DASH;
  const text = fmtFixed(x, decimals);
  return x > 0 && /[1-9]/.test(text) ? `+${text}` : text;
}

/**
 * A p-value as journals print it: two significant digits, "< 0.001" below a thousandth,
 * "> 0.99" at the top (never "1.0", which reads as certainty).
 */
export function fmtPValue(p: number | null | undefined): string {
  if (!finite(p)) return DASH;
  if (p < 0.001) return '< 0.001';
  if (p > 0.99) return '> 0.99';
  return fmtNumber(p, 2);
}

/** "p = 0.049", "p < 0.001", "p > 0.99": a p-value in a sentence. */
export function fmtP(p: number | null | undefined, name = 'p'): string {
  const text = fmtPValue(p);
  return text.startsWith('<') || text.startsWith('>') ? `${name} ${text}` : `${name} = ${text}`;
}

/** A probability (posterior, chance to win): "97.3%", "> 99.9%", "< 0.1%". */
export function fmtProbability(p: number | null | undefined): string {
  if (!finite(p)) return DASH;
  if (p > 0.999) return '> 99.9%';
  if (p < 0.001) return '< 0.1%';
  return fmtPercent(p, 1);
}

/** An interval with the formatter of its estimate: "[+1.2%, +5.0%]"; an open side is "-∞" / "+∞". */
export function fmtInterval(lower: number | null | undefined, upper: number | null | undefined, f: (x: number) => string): string {
  if (!finite(lower) && !finite(upper)) return DASH;
  return `[${finite(lower) ? f(lower) : '-∞'}, ${finite(upper) ? f(upper) : '+∞'}]`;
}

/** A z statistic or a boundary: two decimals. */
export function fmtZ(z: number | null | undefined): string {
  if (z === Infinity) return '∞';
  if (!finite(z)) return DASH;
  return signed(Math.abs(z).toFixed(2), z < 0);
}

/**
 * Free text with the thousands of its whole numbers grouped: "0 of 28209 rows" →
 * "0 of 28,209 rows". Only runs of 4+ digits standing alone are touched: not a part of a
 * date, a time, a decimal, a version or an identifier (2026-01-05, 0.0012, v1234, x_2345).
 */
export function groupNumbersInText(text: string): string {
  return text.replace(/(?<![\w.,:/-])\d{4,}(?![\w:/-]|[.,]\d)/g, (digits) => group(digits));
}
