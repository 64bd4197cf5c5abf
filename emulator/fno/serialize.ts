/** JSON bodies as F&O writes them: `@odata.context`, `@odata.etag` on every row, the edit link form of keys. */
import type { EmulatorResponse } from '../http/types';
import type { FnoEntitySetInfo, FnoRecord, FnoService } from './context';
import { keyPredicate } from './url';

export const JSON_CONTENT_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

export function dataRoot(service: FnoService): string {
  return `${service.origin}/data/`;
}

export function entityPath(info: FnoEntitySetInfo, row: Record<string, unknown>): string {
  return `${info.name}(${keyPredicate(info.key, row)})`;
}

export function projectRow(record: FnoRecord, select?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': record.etag };
  if (!select) return Object.assign(out, record.row);
  for (const field of select) out[field] = record.row[field];
  return out;
}

export function contextUrl(service: FnoService, setName: string, select?: string[], entity = false): string {
  return `${dataRoot(service)}$metadata#${setName}${select ? `(${select.join(',')})` : ''}${entity ? '/$entity' : ''}`;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE, 'odata-version': '4.0', ...headers }, body: JSON.stringify(body) };
}

export function noContent(headers: Record<string, string> = {}): EmulatorResponse {
  return { status: 204, headers: { 'odata-version': '4.0', ...headers } };
}
