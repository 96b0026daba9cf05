/**
 * Numbers for people, the same on every machine: fixed en-US grouping (never the host
 * locale), an ASCII minus, sensible significant digits, percent and percentage points.
 * Pure; the memo data carries these strings so the templates never format anything.
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
 * A measurement with `sig` significant digits, grouped, no exponent: 12.4839 → "12.5",
 * 0.000123456 → "0.000123", 1234567.8 → "1,234,568" (digits left of the point are kept),
 * 0.5000 → "0.5" (no trailing zeros).
 */
export function fmtNumber(x: number | null | undefined, sig = 3): string {
  if (!finite(x)) return DASH;
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (Math.floor(Math.log10(abs)) >= sig - 1) return signed(group(Math.round(abs).toString()), x < 0);
  // round to `sig` digits first, then take the magnitude (9.996 → "10", not "10.0")
  const rounded = Number(abs.toPrecision(sig));
  const decimals = Math.max(0, sig - 1 - Math.floor(Math.log10(rounded)));
  // trailing zeros carry no information for a reader: 0.500 → 0.5
  const text = rounded.toFixed(Math.min(decimals, 20)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return signed(group(text), x < 0);
}

/** A share as a percent: 0.03124 → "3.12%" (`sig` significant digits, at most 2 decimals below 100%). */
export function fmtPercent(x: number | null | undefined, sig = 3): string {
  if (!finite(x)) return DASH;
  return `${fmtNumber(x * 100, sig)}%`;
}

/** A change with its sign: +3.1%, -0.42%, 0%. */
export function fmtSignedPercent(x: number | null | undefined, sig = 3): string {
  if (!finite(x)) return DASH;
  const text = fmtPercent(x, sig);
  return x > 0 && text !== '0%' ? `+${text}` : text;
}

/** A difference of two rates in percentage points: 0.0031 → "+0.31 pp". */
export function fmtPoints(x: number | null | undefined, sig = 3): string {
  if (!finite(x)) return DASH;
  const text = fmtNumber(x * 100, sig);
  return `${x > 0 && text !== '0' ? '+' : ''}${text} pp`;
}

/** A signed measurement: +0.512, -12.3. */
export function fmtSigned(x: number | null | undefined, sig = 3): string {
  if (!finite(x)) return DASH;
  const text = fmtNumber(x, sig);
  return x > 0 && text !== '0' ? `+${text}` : text;
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
  return fmtPercent(p, 3);
}

/** An interval with the formatter of its estimate: "[+1.2%, +5%]"; an open side is "-∞" / "+∞". */
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
