/**
 * Arity table of the OData built-in functions (URL Conventions 5.1.1.5 - 5.1.1.11). Names are matched
 * case-insensitively, as the ABNF does; the AST carries the canonical spelling.
 */

export interface BuiltinSignature {
  name: string;
  min: number;
  max: number;
}

const signatures: BuiltinSignature[] = [
  { name: 'contains', min: 2, max: 2 },
  { name: 'startswith', min: 2, max: 2 },
  { name: 'endswith', min: 2, max: 2 },
  { name: 'indexof', min: 2, max: 2 },
  { name: 'length', min: 1, max: 1 },
  { name: 'substring', min: 2, max: 3 },
  { name: 'tolower', min: 1, max: 1 },
  { name: 'toupper', min: 1, max: 1 },
  { name: 'trim', min: 1, max: 1 },
  { name: 'concat', min: 2, max: 2 },
  { name: 'matchesPattern', min: 2, max: 2 },
  { name: 'hassubset', min: 2, max: 2 },
  { name: 'hassubsequence', min: 2, max: 2 },
  { name: 'year', min: 1, max: 1 },
  { name: 'month', min: 1, max: 1 },
  { name: 'day', min: 1, max: 1 },
  { name: 'hour', min: 1, max: 1 },
  { name: 'minute', min: 1, max: 1 },
  { name: 'second', min: 1, max: 1 },
  { name: 'fractionalseconds', min: 1, max: 1 },
  { name: 'totalseconds', min: 1, max: 1 },
  { name: 'totaloffsetminutes', min: 1, max: 1 },
  { name: 'date', min: 1, max: 1 },
  { name: 'time', min: 1, max: 1 },
  { name: 'now', min: 0, max: 0 },
  { name: 'mindatetime', min: 0, max: 0 },
  { name: 'maxdatetime', min: 0, max: 0 },
  { name: 'round', min: 1, max: 1 },
  { name: 'floor', min: 1, max: 1 },
  { name: 'ceiling', min: 1, max: 1 },
  // Geo functions are namespace-qualified built-ins; parsed, but not evaluated by the emulator.
  { name: 'geo.distance', min: 2, max: 2 },
  { name: 'geo.length', min: 1, max: 1 },
  { name: 'geo.intersects', min: 2, max: 2 },
];

const byLowerName = new Map(signatures.map((s) => [s.name.toLowerCase(), s]));

export function builtinSignature(name: string): BuiltinSignature | undefined {
  return byLowerName.get(name.toLowerCase());
}
