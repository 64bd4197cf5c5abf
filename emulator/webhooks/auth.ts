/**
 * The three webhook authentication options as the receiver sees them (reference §12.3): WebhookKey as `?code=`,
 * HttpHeader as headers and HttpQueryString as query parameters, the last two read from the
 * `<settings><setting name="…" value="…" /></settings>` XML stored in `authvalue`.
 */
export const AUTH_WEBHOOK_KEY = 4;
export const AUTH_HTTP_HEADER = 5;
export const AUTH_HTTP_QUERY_STRING = 6;

export function parseSettings(xml: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /<setting\s+([^>]*?)\/?>/gi;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs = new Map<string, string>();
    for (const a of m[1].matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) attrs.set(a[1].toLowerCase(), decode(a[3] ?? a[4] ?? ''));
    if (attrs.has('name')) out.push([attrs.get('name')!, attrs.get('value') ?? '']);
  }
  return out;
}

function decode(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (all, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name.toLowerCase()] ?? all;
  });
}

/** Returns the URL to call and the extra headers for the registration's authentication. */
export function applyAuth(url: URL, authtype: number | undefined, authvalue: string | null | undefined): { url: URL; headers: Record<string, string> } {
  const target = new URL(url.href);
  const headers: Record<string, string> = {};
  if (!authvalue) return { url: target, headers };
  if (authtype === AUTH_WEBHOOK_KEY) target.searchParams.set('code', authvalue);
  else if (authtype === AUTH_HTTP_HEADER) for (const [k, v] of parseSettings(authvalue)) headers[k] = v;
  else if (authtype === AUTH_HTTP_QUERY_STRING) for (const [k, v] of parseSettings(authvalue)) target.searchParams.append(k, v);
  return { url: target, headers };
}
