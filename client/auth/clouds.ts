/**
 * National clouds: which Entra ID host signs tokens in, and which Dynamics 365 hosts live there. A tenant of one
 * cloud cannot get tokens for another cloud's environments, so the environment URL tells which login host to use.
 *
 * Sources (checked 2025):
 * - Entra hosts: learn.microsoft.com/entra/identity-platform/authentication-national-cloud (login.microsoftonline.com,
 *   login.microsoftonline.us for Azure Government, login.partner.microsoftonline.cn for 21Vianet); MSAL's instance
 *   discovery lists login.chinacloudapi.cn and login.usgovcloudapi.net as aliases of the latter two.
 * - Dataverse hosts: learn.microsoft.com/power-platform/admin/powerapps-us-government (GCC *.crm9.dynamics.com with
 *   commercial Entra, GCC High *.crm.microsoftdynamics.us, DoD *.crm.appsplatform.us) and
 *   learn.microsoft.com/power-apps/developer/data-platform/discovery-service (one global discovery host per cloud:
 *   crm, crm9, crm.microsoftdynamics.us, crm.appsplatform.us, crm.dynamics.cn).
 */

export type CloudName = 'public' | 'usgov' | 'usgovhigh' | 'dod' | 'china';

export interface NationalCloud {
  name: CloudName;
  /** Host of the Entra ID authority (`https://<host>/<tenant>`). */
  authorityHost: string;
  /** Other host names Entra answers on in the same cloud. */
  authorityAliases: string[];
  /** Host suffixes (with leading dot) of Dynamics 365 environments in this cloud. */
  resourceHostSuffixes: string[];
}

export const CLOUDS: Readonly<Record<CloudName, NationalCloud>> = {
  public: {
    name: 'public',
    authorityHost: 'login.microsoftonline.com',
    authorityAliases: ['login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    // crmN.dynamics.com (Dataverse) and operations/cloudax.dynamics.com (Finance & Operations).
    resourceHostSuffixes: ['.dynamics.com'],
  },
  usgov: {
    name: 'usgov',
    // GCC environments are government-only, but their users and apps sit in the commercial Entra ID.
    authorityHost: 'login.microsoftonline.com',
    authorityAliases: ['login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    resourceHostSuffixes: ['.crm9.dynamics.com'],
  },
  usgovhigh: {
    name: 'usgovhigh',
    authorityHost: 'login.microsoftonline.us',
    authorityAliases: ['login.usgovcloudapi.net'],
    resourceHostSuffixes: ['.crm.microsoftdynamics.us'],
  },
  dod: {
    name: 'dod',
    authorityHost: 'login.microsoftonline.us',
    authorityAliases: ['login.usgovcloudapi.net'],
    resourceHostSuffixes: ['.crm.appsplatform.us'],
  },
  china: {
    name: 'china',
    authorityHost: 'login.partner.microsoftonline.cn',
    authorityAliases: ['login.chinacloudapi.cn'],
    resourceHostSuffixes: ['.dynamics.cn'],
  },
};

export function isCloudName(value: string): value is CloudName {
  return Object.prototype.hasOwnProperty.call(CLOUDS, value);
}

/**
 * The cloud an environment host belongs to, by its longest matching suffix (crm9.dynamics.com is GCC although it also
 * ends in dynamics.com); undefined for hosts outside every cloud (the emulator, custom domains).
 */
export function cloudForResourceHost(host: string): NationalCloud | undefined {
  const lower = `.${host.toLowerCase().replace(/\.$/, '')}`;
  let best: { cloud: NationalCloud; length: number } | undefined;
  for (const cloud of Object.values(CLOUDS)) {
    for (const suffix of cloud.resourceHostSuffixes) {
      if (lower.endsWith(suffix) && (!best || suffix.length > best.length)) best = { cloud, length: suffix.length };
    }
  }
  return best?.cloud;
}

/** True when `host` is the authority host of `cloud` or one of its aliases. */
export function isAuthorityHostOf(cloud: NationalCloud, host: string): boolean {
  const lower = host.toLowerCase();
  return lower === cloud.authorityHost || cloud.authorityAliases.includes(lower);
}
