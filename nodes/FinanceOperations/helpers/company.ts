/**
 * The company a key lookup needs. F&O rows of company-specific entities are addressed with dataAreaId in the key;
 * when neither the key nor the Company parameter names one, the signed-in user's (or application's) default company
 * is meant, as in F&O's own UI. It is read once per connection from the user session service.
 */
import { InputError } from './errors';
import type { Connection } from '../transport/connection';

const defaults = new WeakMap<Connection, Promise<string>>();

export function defaultCompany(conn: Connection): Promise<string> {
  let known = defaults.get(conn);
  if (!known) {
    known = conn.fno.callService<{ Company?: unknown }>('UserSessionService', 'AifUserSessionService', 'GetUserSessionInfo').then((info) => {
      if (typeof info?.Company !== 'string' || !info.Company) throw new InputError('The default company of the user could not be read: choose a Company or put dataAreaId in the key.', 'NoDefaultCompany');
      return info.Company.toLowerCase();
    });
    defaults.set(conn, known);
    known.catch(() => defaults.delete(conn));
  }
  return known;
}

/** The company for a call addressed by key: the chosen one, or the default one when the key lacks dataAreaId. */
export async function companyForKey(conn: Connection, company: string | undefined, key: Record<string, unknown>): Promise<string | undefined> {
  if (company !== undefined || key.dataAreaId !== undefined) return company;
  return defaultCompany(conn);
}
