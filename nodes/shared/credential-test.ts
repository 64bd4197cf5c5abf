/** The credential test both services run: connect, make the cheapest call that proves the token, always close. */
import type { INodeCredentialTestResult } from 'n8n-workflow';
import { D365Error } from '../../client/http/errors';

/** Entra ID refusals that call for the same fix whichever service the token was for. */
export function explainEntraFailure(error: D365Error): string | undefined {
  switch (error.code) {
    case 'AADSTS7000215':
    case 'AADSTS7000222':
      return `Wrong or expired client secret (${error.code}). ${error.message}`;
    case 'AADSTS90002':
      return `Wrong tenant (${error.code}). ${error.message}`;
    case 'AADSTS700016':
      return `Unknown application (client) ID (${error.code}). ${error.message}`;
  }
  return undefined;
}

export async function checkCredential<C>(
  connect: () => C,
  probe: (conn: C) => Promise<string>,
  close: (conn: C) => void,
  explain: (error: unknown) => string,
): Promise<INodeCredentialTestResult> {
  let conn: C | undefined;
  try {
    conn = connect();
    return { status: 'OK', message: await probe(conn) };
  } catch (error) {
    return { status: 'Error', message: explain(error) };
  } finally {
    if (conn !== undefined) close(conn);
  }
}
