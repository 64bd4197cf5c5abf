/** Reading the node's parameters the same way in every operation. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { itemParameter } from '../../shared/parameters';
import { InputError } from '../helpers/errors';

export function entitySetParameter(ctx: IExecuteFunctions, i: number): string {
  const value = itemParameter<unknown>(ctx, 'entitySet', i, '', { extractValue: true });
  const set = typeof value === 'string' ? value.trim() : '';
  if (!set) throw new InputError('The Entity is empty: pick an entity or check the expression that gives it.', 'EmptyEntity');
  return set;
}

/** The company of the call, or undefined for the user's default company. */
export function companyParameter(ctx: IExecuteFunctions, i: number): string | undefined {
  const value = itemParameter<unknown>(ctx, 'company', i, '', { extractValue: true });
  const company = typeof value === 'string' ? value.trim() : '';
  return company || undefined;
}

export function textParameter(ctx: IExecuteFunctions, name: string, i: number, what: string): string {
  const value = itemParameter<unknown>(ctx, name, i, '', { extractValue: true });
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (!text) throw new InputError(`The ${what} is empty.`, `Empty${what.replace(/\W/g, '')}`);
  return text;
}

/** Values of a resource mapper parameter, without the empty ones n8n keeps for fields left blank. */
export function mapperValues(ctx: IExecuteFunctions, name: string, i: number): Record<string, unknown> {
  const mode = itemParameter<string>(ctx, `${name}.mappingMode`, i, 'defineBelow');
  const raw = mode === 'autoMapInputData' ? ctx.getInputData()[i].json : (ctx.getNodeParameter(`${name}.value`, i, {}) as IDataObject | null);
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw ?? {})) if (value !== undefined && value !== null && value !== '') out[field] = value;
  return out;
}

/** The key from the Key mapper; dataAreaId may stay empty (the company fills it). */
export function keyParameter(ctx: IExecuteFunctions, i: number): Record<string, unknown> {
  const key = mapperValues(ctx, 'key', i);
  if (!Object.keys(key).some((k) => k !== 'dataAreaId')) throw new InputError('The Key is empty: fill in the key fields of the row.', 'EmptyKey');
  return key;
}

function parseJson(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** A JSON object parameter (given as text or already an object by an expression). */
export function jsonObjectParameter(ctx: IExecuteFunctions, name: string, i: number, what: string): Record<string, unknown> {
  const raw = ctx.getNodeParameter(name, i, '{}') as unknown;
  let value = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return {};
    const parsed = parseJson(raw);
    if (parsed.error) throw new InputError(`The ${what} is not valid JSON: ${parsed.error}.`, 'InvalidJson');
    value = parsed.value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`The ${what} must be a JSON object, e.g. {"name": "value"}.`, 'InvalidJson');
  return value as Record<string, unknown>;
}

/** "A desc, B" → ['A desc', 'B']. */
export function orderByList(text: unknown): string[] | undefined {
  if (typeof text !== 'string' || !text.trim()) return undefined;
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

export function listOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.length ? value.map(String) : undefined;
  if (typeof value === 'string' && value.trim()) return value.split(',').map((s) => s.trim()).filter(Boolean);
  return undefined;
}

export function timeBudgetMs(options: IDataObject): number {
  const seconds = Number(options.timeBudgetSeconds ?? 600);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InputError(`The Time Budget must be a positive number of seconds; got ${String(options.timeBudgetSeconds)}.`, 'InvalidTimeBudget');
  return seconds * 1000;
}
