/** The soak's verdict as a markdown table and JSON, printed and written to `<resultsDir>/soak-<timestamp>.{md,json}`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SoakResult } from './run';

const THROTTLE_KINDS = ['429-requests', '429-time', '429-concurrency'] as const;

/** Figures derived from what was counted, with how each was obtained. */
export function derivedFigures(result: SoakResult) {
  const injected = result.faultsInjected;
  const batchRequests = Object.entries(result.traffic.requests)
    .filter(([key]) => key.endsWith(' $batch'))
    .reduce((n, [, count]) => n + count, 0);
  const totalRequests = Object.values(result.traffic.requests).reduce((n, c) => n + c, 0) + result.traffic.refusedTokens;
  return {
    totalRequests,
    batchRequests,
    /** `$batch` requests sent again by the client inside n8n (429, 401, 502/503/reset retries): observed minus planned. */
    clientBatchResends: batchRequests - result.plannedBatches,
    throttles: Object.fromEntries(THROTTLE_KINDS.map((k) => [k, injected[k] ?? 0])),
    retriesByKind: {
      // The client retries every 429 (the service did not run it) after Retry-After.
      ...Object.fromEntries(THROTTLE_KINDS.map((k) => [`client after ${k}`, injected[k] ?? 0])),
      // One retry with a new token per refused request: the revoking 401 itself and requests already in flight with the old token.
      'client after 401 (revoked token)': (injected['401-revoked'] ?? 0) + result.traffic.refusedTokens,
      // A $batch made only of keyed upserts that met a 502, 503 or reset is sent again by the client (repeating it is harmless).
      'client after 502/503/reset': (injected['502'] ?? 0) + (injected['503'] ?? 0) + (injected.reset ?? 0),
      // What the client still could not write comes out of the error output and is re-sent by the next stage.
      ...Object.fromEntries(result.stages.slice(1).map((s) => [`workflow stage "${s.node}" (items)`, s.itemsIn])),
    },
    tokensRevoked: injected['401-revoked'] ?? 0,
    tokensRefreshed: Math.max(0, result.traffic.distinctTokens - 1),
  };
}

export function verdictLine(result: SoakResult): string {
  const c = result.comparison;
  const why = result.stopped ? ` (stopped: ${result.stopped})` : '';
  return `VERDICT: ${result.passed ? 'PASS' : 'FAIL'}: ${c.expected} rows, ${c.lost} lost, ${c.doubled} doubled, ${c.wrong} wrong, ${c.unexpected} unexpected${why}`;
}

export function markdownReport(result: SoakResult): string {
  const d = derivedFigures(result);
  const c = result.comparison;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const kinds = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ') || 'none';
  const rows: Array<[string, string]> = [
    ['Rows (source)', String(c.expected)],
    ['Rows sent', String(result.rowsSent)],
    ['Chunks (executions)', `${result.chunks.done} of ${result.chunks.total}`],
    ['Rows found in target', String(c.found)],
    ['**Rows lost**', `**${c.lost}**`],
    ['**Rows doubled**', `**${c.doubled}**`],
    ['**Rows wrong**', `**${c.wrong}**`],
    ['Rows unexpected', String(c.unexpected)],
    ['Web API requests', `${d.totalRequests} (${kinds(result.traffic.requests)}; token refused: ${result.traffic.refusedTokens})`],
    ['$batch requests', `${d.batchRequests} (planned without retries: ${result.plannedBatches}; client re-sends: ${d.clientBatchResends})`],
    ['Faults injected', `${Object.values(result.faultsInjected).reduce((n, v) => n + (v ?? 0), 0)} of ${result.faultDecisions} requests (${kinds(result.faultsInjected as Record<string, number>)})`],
    ['Throttles by kind', kinds(d.throttles)],
    ['Retries by kind', kinds(d.retriesByKind)],
    ['Items unrecovered after the last stage', String(result.unrecoveredItems)],
    ['Tokens revoked / refreshed', `${d.tokensRevoked} / ${d.tokensRefreshed}`],
    ['Elapsed', `${s(result.elapsedMs)} (setup ${s(result.setupMs)}, sync ${s(result.syncMs)}, ${Math.round(result.rowsSent / Math.max(1, result.syncMs / 1000))} rows/s)`],
  ];
  const stages = result.stages.map((st) => `| ${st.node} | ${st.itemsIn} | ${st.succeeded} | ${st.failed} |`);
  return [
    `# Soak: ${result.options.rows}-row upsert sync through the Dataverse node under ${result.options.faultRate * 100}% faults`,
    '',
    `Started ${result.startedAt}; faults \`${result.faultSpec}\`` +
      `${result.options.firstBatchFaults ? ` after \`${result.options.firstBatchFaults}\` on the first $batch requests` : ''}; limits ${result.options.limits}; batch size ${result.options.batchSize}; ` +
      `${result.options.chunkRows} rows per execution; ${result.options.retryStages} retry stages.`,
    '',
    '| Figure | Value |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '| Stage | Items in | Succeeded | Failed (to next stage) |',
    '|---|---|---|---|',
    ...stages,
    '',
    ...(result.unrecoveredErrors.length ? ['Errors of unrecovered items:', '', ...result.unrecoveredErrors.map((e) => `- ${e}`), ''] : []),
    ...(c.examples.length ? ['Examples:', '', ...c.examples.map((e) => `- ${e}`), ''] : []),
    verdictLine(result),
    '',
  ].join('\n');
}

export function writeReport(result: SoakResult, dir: string): { markdownFile: string; jsonFile: string } {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const base = path.join(dir, `soak-${stamp}`);
  const markdownFile = `${base}.md`;
  const jsonFile = `${base}.json`;
  fs.writeFileSync(markdownFile, markdownReport(result));
  fs.writeFileSync(jsonFile, `${JSON.stringify({ ...result, derived: derivedFigures(result), verdict: verdictLine(result) }, null, 2)}\n`);
  return { markdownFile, jsonFile };
}
