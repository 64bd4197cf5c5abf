/**
 * The environment URL is the token audience. Users paste it in many forms (with a trailing slash, with the Web API
 * path); Entra wants the bare origin, and `<origin>//.default` would be refused as an invalid scope.
 */
import { D365Error } from '../http/errors';

export function resourceOrigin(environmentUrl: string): string {
  let url: URL;
  try {
    url = new URL(environmentUrl.trim());
  } catch {
    throw new D365Error(`The environment URL '${environmentUrl}' is not a URL; use e.g. https://contoso.crm.dynamics.com.`, {
      code: 'InvalidEnvironmentUrl',
    });
  }
  if (url.protocol !== 'https:') {
    throw new D365Error(`The environment URL '${url.origin}' must start with https://.`, { code: 'InvalidEnvironmentUrl' });
  }
  return url.origin;
}

/** App-only scope: every application permission granted to the app on the environment. */
export function appOnlyScope(resource: string): string {
  return `${resourceOrigin(resource)}/.default`;
}

/** Delegated scopes: act as the signed-in user, and keep a refresh token. */
export function delegatedScopes(resource: string): string[] {
  return [`${resourceOrigin(resource)}/user_impersonation`, 'offline_access'];
}
