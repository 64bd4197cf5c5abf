/**
 * Configuration without a network: national clouds, authority resolution, environment URL normalisation,
 * certificate checks, Entra error messages, and the offline MSAL metadata.
 */
import * as crypto from 'node:crypto';
import { CLOUDS, cloudForResourceHost, createTokenProvider, resolveAuthority, resourceOrigin } from '../../client/auth';
import { msalOfflineMetadata } from '../../client/auth/authority';
import { loadCertificate } from '../../client/auth/certificate';
import { entraFailureFromBody, entraFailureToD365, msalErrorToD365, type EntraErrorContext } from '../../client/auth/entra-errors';
import { redactSecrets } from '../../client/auth/redact-secrets';
import { D365Error } from '../../client/http/errors';
import { createCertificateAuthority, issueClientCertificate } from '../../emulator/tls';

const TENANT = '8a7ead2d-a9eb-4c3d-8492-453724989fd9';

describe('national clouds', () => {
  it('maps environment hosts to clouds by the longest suffix', () => {
    expect(cloudForResourceHost('contoso.crm.dynamics.com')?.name).toBe('public');
    expect(cloudForResourceHost('contoso.crm4.dynamics.com')?.name).toBe('public');
    expect(cloudForResourceHost('contoso.operations.dynamics.com')?.name).toBe('public');
    expect(cloudForResourceHost('contoso.crm9.dynamics.com')?.name).toBe('usgov');
    expect(cloudForResourceHost('contoso.crm.microsoftdynamics.us')?.name).toBe('usgovhigh');
    expect(cloudForResourceHost('contoso.crm.appsplatform.us')?.name).toBe('dod');
    expect(cloudForResourceHost('contoso.crm.dynamics.cn')?.name).toBe('china');
    expect(cloudForResourceHost('127.0.0.1')).toBeUndefined();
  });

  it('GCC signs in at the commercial host, GCC High and DoD at .us, China at 21Vianet', () => {
    expect(CLOUDS.usgov.authorityHost).toBe('login.microsoftonline.com');
    expect(CLOUDS.usgovhigh.authorityHost).toBe('login.microsoftonline.us');
    expect(CLOUDS.dod.authorityHost).toBe('login.microsoftonline.us');
    expect(CLOUDS.china.authorityHost).toBe('login.partner.microsoftonline.cn');
    expect(CLOUDS.china.authorityAliases).toContain('login.chinacloudapi.cn');
  });
});

describe('authority and resource', () => {
  it('normalises the environment URL to its origin', () => {
    expect(resourceOrigin('https://Contoso.crm.dynamics.com/')).toBe('https://contoso.crm.dynamics.com');
    expect(resourceOrigin('https://contoso.crm.dynamics.com/api/data/v9.2/')).toBe('https://contoso.crm.dynamics.com');
    expect(() => resourceOrigin('http://contoso.crm.dynamics.com')).toThrow(D365Error);
    expect(() => resourceOrigin('contoso')).toThrow(/not a URL/);
  });

  it('picks the login host from the cloud of the environment unless told otherwise', () => {
    expect(resolveAuthority({ tenantId: TENANT }, 'https://x.crm.dynamics.com').url).toBe(`https://login.microsoftonline.com/${TENANT}`);
    expect(resolveAuthority({ tenantId: TENANT }, 'https://x.crm.microsoftdynamics.us').url).toBe(`https://login.microsoftonline.us/${TENANT}`);
    expect(resolveAuthority({ tenantId: TENANT }, 'https://x.crm.dynamics.cn').host).toBe('login.partner.microsoftonline.cn');
    expect(resolveAuthority({ tenantId: TENANT, cloud: 'dod' }, 'https://127.0.0.1:9').host).toBe('login.microsoftonline.us');
    expect(resolveAuthority({ tenantId: TENANT, authorityHost: 'https://login.chinacloudapi.cn/' }, 'https://x.crm.dynamics.cn').host).toBe('login.chinacloudapi.cn');
    const emulator = resolveAuthority({ authorityUrl: `https://127.0.0.1:8443/${TENANT}/` }, 'https://127.0.0.1:8443');
    expect(emulator).toEqual({
      url: `https://127.0.0.1:8443/${TENANT}`,
      origin: 'https://127.0.0.1:8443',
      host: '127.0.0.1:8443',
      tenant: TENANT,
      tokenEndpoint: `https://127.0.0.1:8443/${TENANT}/oauth2/v2.0/token`,
    });
  });

  it('refuses a login host of another cloud than the environment, a missing tenant and malformed authorities', () => {
    expect(() => resolveAuthority({ tenantId: TENANT, cloud: 'public' }, 'https://x.crm.microsoftdynamics.us')).toThrow(/'usgovhigh' cloud/);
    expect(() => resolveAuthority({}, 'https://x.crm.dynamics.com')).toThrow(/tenant \(directory\) id is required/);
    expect(() => resolveAuthority({ authorityUrl: 'https://login.microsoftonline.com/' }, 'https://x.crm.dynamics.com')).toThrow(/must have the form/);
    expect(() => resolveAuthority({ authorityUrl: `https://h/${TENANT}`, tenantId: 'other' }, 'https://x.crm.dynamics.com')).toThrow(/differs/);
  });

  it('offline MSAL metadata names the v2.0 endpoints of the authority and only its host', () => {
    const metadata = msalOfflineMetadata(resolveAuthority({ authorityUrl: `https://127.0.0.1:8443/${TENANT}` }, 'https://127.0.0.1:8443'));
    expect(metadata.knownAuthorities).toEqual(['127.0.0.1:8443']);
    expect(JSON.parse(metadata.authorityMetadata)).toMatchObject({
      token_endpoint: `https://127.0.0.1:8443/${TENANT}/oauth2/v2.0/token`,
      issuer: `https://127.0.0.1:8443/${TENANT}/v2.0`,
    });
    expect(JSON.parse(metadata.cloudDiscoveryMetadata).metadata).toEqual([
      { preferred_network: '127.0.0.1:8443', preferred_cache: '127.0.0.1:8443', aliases: ['127.0.0.1:8443'] },
    ]);
  });

  it('createTokenProvider rejects incomplete configurations with D365Errors', () => {
    const base = { resource: 'https://x.crm.dynamics.com', tenantId: TENANT, clientId: 'c' };
    expect(() => createTokenProvider({ kind: 'secret', ...base, clientSecret: '' })).toThrow(/client secret or a certificate is required/);
    expect(() => createTokenProvider({ kind: 'secret', ...base, clientId: ' ', clientSecret: 's3cret-value' })).toThrow(/client\) id is required/);
    expect(() => createTokenProvider({ kind: 'delegated', ...base, refreshToken: '' })).toThrow(/refresh token is required/);
    expect(() => createTokenProvider({ kind: 'nope' } as never)).toThrow(/Unknown authentication kind/);
  });
});

describe('certificates', () => {
  const ca = createCertificateAuthority();
  const cert = issueClientCertificate(ca, 'app');

  it('computes both thumbprints and a PKCS#8 key, from separate or combined PEM', () => {
    const loaded = loadCertificate({ privateKeyPem: `${cert.keyPem}${cert.certPem}` });
    expect(loaded.thumbprintSha256).toBe(cert.thumbprintSha256);
    expect(loaded.thumbprintSha1).toBe(cert.thumbprintSha1);
    expect(loaded.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const pkcs1 = crypto.createPrivateKey(cert.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(loadCertificate({ privateKeyPem: pkcs1, certificatePem: cert.certPem }).thumbprintSha256).toBe(cert.thumbprintSha256);
  });

  it('reads an encrypted key with its passphrase and names the problem without one', () => {
    const encrypted = crypto.createPrivateKey(cert.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-123456' }).toString();
    expect(loadCertificate({ privateKeyPem: encrypted, certificatePem: cert.certPem, passphrase: 'pw-123456' }).thumbprintSha1).toBe(cert.thumbprintSha1);
    expect(() => loadCertificate({ privateKeyPem: encrypted, certificatePem: cert.certPem })).toThrow(/give its passphrase/);
  });

  it('refuses a key of another certificate, an expired certificate and a missing certificate', () => {
    const other = issueClientCertificate(ca, 'other');
    expect(() => loadCertificate({ privateKeyPem: other.keyPem, certificatePem: cert.certPem })).toThrow(/does not belong to the certificate/);
    const expired = issueClientCertificate(ca, 'old', { notBefore: new Date(Date.now() - 10 * 86400_000), notAfter: new Date(Date.now() - 86400_000) });
    expect(() => loadCertificate({ privateKeyPem: expired.keyPem, certificatePem: expired.certPem })).toThrow(/expired on/);
    expect(() => loadCertificate({ privateKeyPem: cert.keyPem })).toThrow(/No PEM certificate/);
  });
});

describe('Entra errors', () => {
  const ctx: EntraErrorContext = {
    clientId: 'app-id',
    tenant: TENANT,
    authorityHost: 'login.microsoftonline.com',
    resource: 'https://x.crm.dynamics.com',
    secrets: ['SuperSecret~Value123'],
  };
  const body = (code: number, error = 'invalid_client') => ({
    error,
    error_description: `AADSTS${code}: something SuperSecret~Value123\r\nTrace ID: t\r\nCorrelation ID: c`,
    error_codes: [code],
    correlation_id: 'corr-1',
  });

  it.each([
    [7000215, /client secret is wrong or expired/],
    [7000222, /client secret has expired/],
    [700016, /'app-id' was not found in tenant/],
    [90002, /tenant '8a7ead2d-.*' was not found at login\.microsoftonline\.com/],
    [700027, /certificate was not accepted/],
    [70011, /scope for https:\/\/x\.crm\.dynamics\.com is invalid/],
    [500011, /not known in tenant/],
    [700082, /Sign in again/],
    [53003, /Conditional Access/],
  ])('AADSTS%d gets an actionable message and the code', (code, message) => {
    const error = entraFailureToD365(entraFailureFromBody(400, body(code)), ctx);
    expect(error.code).toBe(`AADSTS${code}`);
    expect(error.message).toMatch(message);
    expect(error.requestId).toBe('corr-1');
    expect(error.message).not.toContain('SuperSecret');
  });

  it('unknown codes keep Entra\'s first line, scrubbed; 5xx is retryable', () => {
    const error = entraFailureToD365(entraFailureFromBody(503, body(12345, 'temporarily_unavailable')), ctx);
    expect(error.message).toBe('Sign-in failed: AADSTS12345: something [redacted]');
    expect(error.retryable).toBe(true);
  });

  it('reads MSAL ServerErrors and client errors', () => {
    const server = Object.assign(new Error('x'), {
      name: 'ServerError',
      errorCode: 'invalid_scope',
      errorNo: '70011',
      errorMessage: 'Error(s): 70011 - Timestamp: now - Description: AADSTS70011: The scope is not valid.\r\nTrace ID: a - Correlation ID: b - Trace ID: c',
      correlationId: 'b',
    });
    expect(msalErrorToD365(server, ctx)).toMatchObject({ code: 'AADSTS70011', requestId: 'b' });
    const client = Object.assign(new Error('y'), { errorCode: 'invalid_authority', errorMessage: 'bad authority with SuperSecret~Value123' });
    const mapped = msalErrorToD365(client, ctx);
    expect(mapped.code).toBe('invalid_authority');
    expect(mapped.message).not.toContain('SuperSecret');
  });

  it('redaction removes known secrets in plain and encoded form, and tokens by shape', () => {
    const secret = 'a+b/c=d~e f';
    const text = `x ${secret} y ${encodeURIComponent(secret)} z ${new URLSearchParams({ s: secret }).toString()} eyJhbGciOi.eyJzdWIi.sig`;
    const redacted = redactSecrets(text, [secret]);
    expect(redacted).not.toContain('a+b');
    expect(redacted).not.toContain('a%2Bb');
    expect(redacted).not.toContain('eyJhbGciOi');
  });
});
