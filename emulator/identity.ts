/**
 * The sandbox's tenant, app registration and users. The client secret is generated on first start and kept in
 * the data directory (if any), so credentials saved in n8n or Power Automate keep working across restarts.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stableId } from './dataverse/sample-data';

export interface SandboxIdentity {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  applicationUserId: string;
  organizationId: string;
  organizationName: string;
  businessUnitId: string;
  /** A person for delegated (authorization code) sign-in. */
  user: { id: string; userPrincipalName: string; displayName: string };
}

export interface IdentityOverrides {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
}

export function loadIdentity(dataDir: string | undefined, overrides: IdentityOverrides): SandboxIdentity {
  const file = dataDir ? path.join(dataDir, 'identity.json') : undefined;
  let stored: Partial<SandboxIdentity> = {};
  if (file && fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  const identity: SandboxIdentity = {
    tenantId: overrides.tenantId ?? stored.tenantId ?? stableId('tenant:sandbox'),
    clientId: overrides.clientId ?? stored.clientId ?? stableId('client:sandbox'),
    clientSecret: overrides.clientSecret ?? stored.clientSecret ?? `sbx~${randomBytes(24).toString('base64url')}`,
    applicationUserId: stableId('systemuser:application'),
    organizationId: stableId('organization:sandbox'),
    organizationName: 'Sandbox',
    businessUnitId: stableId('businessunit:sandbox'),
    user: { id: stableId('systemuser:alex'), userPrincipalName: 'alex.wilber@sandbox.example', displayName: 'Alex Wilber' },
  };
  if (file) {
    fs.mkdirSync(dataDir!, { recursive: true });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(identity, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  return identity;
}
