/**
 * Numbers as OData literals: integers within the range of their Edm type, decimals without exponent (OData 4.0
 * has none) keeping every digit given as text, floating point with the INF, -INF and NaN spellings.
 */
import type { Check } from './value-check';

const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  'Edm.Byte': [0n, 255n],
  'Edm.SByte': [-128n, 127n],
  'Edm.Int16': [-32768n, 32767n],
  'Edm.Int32': [-2147483648n, 2147483647n],
  'Edm.Int64': [-9223372036854775808n, 9223372036854775807n],
};

export function checkInteger(type: string): Check {
  const [min, max] = INTEGER_RANGES[type];
  return (value, fail) => {
    let n: bigint;
    if (typeof value === 'bigint') n = value;
    else if (typeof value === 'number') {
      if (!Number.isInteger(value)) return fail('not an integer');
      // Beyond 2^53 a JavaScript number has already lost digits; the caller must pass text or a bigint.
      if (!Number.isSafeInteger(value)) return fail('integer too large for a JavaScript number; pass it as text or a bigint');
      n = BigInt(value);
    } else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) n = BigInt(value.trim());
    else return fail('not an integer');
    if (n < min || n > max) return fail(`out of range (${min} to ${max})`);
    return n.toString();
  };
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Writes a decimal without exponent (OData 4.0 decimals have none), keeping every digit of the input. */
export function plainDecimal(text: string): string | undefined {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const sign = m[1] === '-' ? '-' : '';
  let digits = m[2] + (m[3] ?? '');
  let point = m[2].length + Number(m[4] ?? 0);
  if (Math.abs(point) > 400) return undefined;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const fraction = digits.slice(point).replace(/0+$/, '');
  const result = fraction ? `${whole}.${fraction}` : whole;
  return /^0(\.0*)?$/.test(result) ? '0' : sign + result;
}

export const checkDecimal: Check = (value, fail) => {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return fail('a decimal must be a finite number');
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  const plain = text === undefined ? undefined : plainDecimal(text);
  return plain ?? fail('not a number');
};

const FLOAT_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

export const checkFloat: Check = (value, fail) => {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && /^\s*(NaN|-?INF)\s*$/.test(value)) return value.trim();
  else if (typeof value === 'string' && FLOAT_TEXT.test(value)) n = Number(value);
  else return fail('not a number (INF, -INF and NaN are written that way)');
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'INF' : '-INF';
  // A '+' in the exponent would need encoding in a URL and is optional in the grammar: leave it out.
  return String(n).replace('e+', 'e');
}
