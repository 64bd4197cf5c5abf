/** Reads the Prefer header(s) the way Dataverse honours them and builds Preference-Applied. */
import type { EmulatorRequest } from '../http/types';

export interface Preferences {
  returnRepresentation: boolean;
  /** Requested annotation patterns (`*`, `OData.Community.Display.V1.FormattedValue`, `Microsoft.Dynamics.CRM.*`). */
  annotations: string[];
  maxPageSize?: number;
  trackChanges: boolean;
  continueOnError: boolean;
}

export function readPreferences(req: EmulatorRequest): Preferences {
  const raw = req.headers['prefer'];
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const prefs: Preferences = { returnRepresentation: false, annotations: [], trackChanges: false, continueOnError: false };
  for (const part of splitPreferences(text)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (name === 'return' && value === 'representation') prefs.returnRepresentation = true;
    else if (name === 'odata.include-annotations') prefs.annotations = value.split(',').map((v) => v.trim()).filter(Boolean);
    else if (name === 'odata.maxpagesize' && /^\d+$/.test(value)) prefs.maxPageSize = Number(value);
    else if (name === 'odata.track-changes') prefs.trackChanges = true;
    else if (name === 'odata.continue-on-error') prefs.continueOnError = true;
  }
  return prefs;
}

/** Splits on commas outside double quotes (annotation lists are quoted and comma-separated). */
function splitPreferences(text: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ',' && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

export function wantsAnnotation(prefs: Preferences, term: string): boolean {
  return prefs.annotations.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.startsWith('-')) return false;
    if (pattern.endsWith('.*')) return term.startsWith(pattern.slice(0, -1));
    return pattern === term;
  });
}

export function annotationsApplied(prefs: Preferences): string | undefined {
  return prefs.annotations.length ? `odata.include-annotations="${prefs.annotations.join(',')}"` : undefined;
}
