/**
 * The soak's source: rows that are a pure function of (seed, index), so the workflow can generate any chunk inside
 * n8n (no giant webhook payloads) and the comparison can regenerate every expected row without storing 50k rows.
 * The generator is kept as JavaScript source so the Code node and this process run exactly the same text.
 */
export interface SourceRow {
  accountnumber: string;
  name: string;
  description: string;
  telephone1: string;
  numberofemployees: number;
  revenue: number;
}

/** Body of `function (seed, index)`; only integer arithmetic, so every engine gives the same values. */
export const SOURCE_ROW_JS = `
  let h = (Math.imul(index + 1, 2654435761) ^ Math.imul(seed + 1, 40503)) >>> 0;
  const next = () => { h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0; h = Math.imul(h ^ (h >>> 13), 3266489909) >>> 0; h = (h ^ (h >>> 16)) >>> 0; return h; };
  const n = String(index).padStart(7, '0');
  return {
    accountnumber: 'SOAK-' + seed + '-' + n,
    name: 'Soak account ' + n + ' ' + next().toString(36),
    description: 'Row ' + index + " of the soak, with quotes ' \\" and & < > " + next().toString(16),
    telephone1: '+1 555 ' + String(next() % 10000000).padStart(7, '0'),
    numberofemployees: next() % 100000,
    revenue: (next() % 100000000) / 100,
  };
`;

const generate = new Function('seed', 'index', SOURCE_ROW_JS) as (seed: number, index: number) => SourceRow;

export function sourceRow(seed: number, index: number): SourceRow {
  return generate(seed, index);
}

/** Code node source: rows [start, start+count) of the run's seed, read from the webhook body. */
export function chunkCodeNodeJs(): string {
  return [
    `const { seed, start, count } = $input.first().json.body;`,
    `const row = (seed, index) => {${SOURCE_ROW_JS}};`,
    `return Array.from({ length: count }, (_, k) => ({ json: row(seed, start + k) }));`,
  ].join('\n');
}

/** The columns the comparison checks, key first. */
export const COMPARED_COLUMNS: ReadonlyArray<keyof SourceRow> = ['accountnumber', 'name', 'description', 'telephone1', 'numberofemployees', 'revenue'];
