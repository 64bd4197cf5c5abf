/**
 * No credential leaves the client in an event, an error message, a stack or a serialized error, even when a
 * flow fails every way it can: a forged token, 401s, a token request that fails quoting its form, 5xx bodies that
 * echo the Authorization header.
 */
import { inspect } from 'node:util';
import type { TokenProvider } from '../../client/auth/types';
import { redact, redactUrl } from '../../client/http/redact';
import { createNodeTransport } from '../../client/http/transport';
import type { ClientEvent, HttpRequest, Transport } from '../../client/http/types';
import { rejectionOf, startHttpTestEnv, type HttpTestEnv } from './http-kit';

let env: HttpTestEnv;
beforeAll(async () => {
  env = await startHttpTestEnv();
});
afterAll(() => env.stop());

it('a failing flow leaks no token or secret into events or errors', async () => {
  const captured: ClientEvent[] = [];
  const sink = (e: ClientEvent) => captured.push(e);
  const errors: unknown[] = [];
  const realToken = (await env.tokens.getToken()).token;
  const forged = `${realToken.slice(0, realToken.lastIndexOf('.') + 1)}${'Q'.repeat(43)}`;
  const secret = env.emulator.clientSecret;
  const refreshToken = '0.AXoA-refresh-token-value-that-is-long-enough';

  // A transport that, for one path, plays a service echoing the caller's credentials in a 500 body.
  const real = createNodeTransport({ ca: env.emulator.caCertPem });
  const echoing: Transport = async (request: HttpRequest) => {
    if (!request.url.includes('/echo')) return real(request);
    const body = JSON.stringify({
      error: {
        code: '0x80040216',
        message: `Failed for Authorization: ${request.headers.authorization}; form client_secret=${secret}&refresh_token=${refreshToken}`,
        innererror: { message: `token ${realToken}` },
      },
    });
    return { status: 500, headers: { 'content-type': 'application/json' }, body: Buffer.from(body), request };
  };

  // 1. A forged token: 401, fresh (still forged) token, 401 again.
  const forgedTokens: TokenProvider = { getToken: async () => ({ token: forged, expiresOnMs: Date.now() + 60_000 }), invalidate: () => undefined };
  errors.push(await rejectionOf(env.pipeline({ tokenProvider: forgedTokens, events: sink }).send({ method: 'GET', url: `${env.api}accounts`, headers: {} })));

  // 2. The token request fails and its error quotes the form it posted, with a nested raw request.
  const failingTokens: TokenProvider = {
    getToken: async () => {
      throw Object.assign(new Error(`AADSTS7000215: invalid client secret in grant_type=client_credentials&client_secret=${secret}&client_assertion=${realToken}`), {
        request: { body: `client_secret=${secret}` },
        errorCode: 'invalid_client',
      });
    },
    invalidate: () => undefined,
  };
  errors.push(await rejectionOf(env.pipeline({ tokenProvider: failingTokens, events: sink }).send({ method: 'GET', url: `${env.api}accounts`, headers: {} })));

  // 3. A real token, then 503s until the attempts run out; the URL carries secret-looking query values.
  const pipeline = env.pipeline({ events: sink, transport: echoing, retry: { maxAttempts: 2, timeBudgetMs: 5000, baseDelayMs: 10, maxDelayMs: 20 } });
  env.emulator.faults.script([{ kind: '503' }, { kind: '503' }]);
  errors.push(
    await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}accounts?code=${refreshToken}&client_secret=${secret}&$top=1`, headers: {} })),
  );
  // 4. 500s whose body echoes the Authorization header and the secret.
  errors.push(await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}echo`, headers: {} })));
  // 5. A create that meets a 503 (outcome unknown, with the 503 as its cause) and a revoked token on the way.
  env.emulator.entra.revokeTokensFor(env.emulator.clientId);
  env.emulator.faults.script([{ kind: '503' }], { methods: ['POST'] });
  errors.push(await rejectionOf(pipeline.send({ method: 'POST', url: `${env.api}tasks`, headers: {}, body: JSON.stringify({ subject: 'x' }) })));

  expect(errors).toHaveLength(5);
  expect(captured.length).toBeGreaterThan(5);
  const freshToken = env.tokens.lastToken!;
  const secrets = [secret, realToken, forged, freshToken, refreshToken];
  for (const token of [realToken, forged, freshToken]) secrets.push(token.split('.')[2], token.split('.')[1]);

  const outputs = [
    JSON.stringify(captured),
    ...errors.flatMap((e: any) => [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: Infinity, showHidden: true })]),
  ];
  for (const output of outputs) {
    for (const s of secrets) expect(output).not.toContain(s);
  }
  // The errors still say what happened.
  expect((errors[0] as Error).message).toMatch(/HTTP 401/);
  expect((errors[1] as Error).message).toMatch(/could not get an access token: AADSTS7000215/);
  expect((errors[2] as Error).message).toMatch(/HTTP 503/);
  expect((errors[3] as Error).message).toMatch(/Failed for Authorization: \[redacted\]/);
  expect((errors[4] as Error).message).toMatch(/outcome is unknown/);
  expect(JSON.stringify(captured)).toContain('client_secret=[redacted]');
  real.close();
});

describe('redact', () => {
  it.each([
    ['Authorization: Bearer eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln', 'Authorization: [redacted]'],
    ['authorization="Bearer abcdefghijklmnop"', 'authorization="[redacted]"'],
    ['sent Bearer abcdefghijklmnopqrstuvwxyz0123456789', 'sent Bearer [redacted]'],
    ['token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig-part_1 end', 'token [redacted] end'],
    ['grant_type=client_credentials&client_secret=s3cr3t~x&scope=x', 'grant_type=client_credentials&client_secret=[redacted]&scope=x'],
    ['?code=0.AAAA&state=1', '?code=[redacted]&state=1'],
    ['refresh_token=0.ARo-abc client_assertion=eyJhbGciOiJSUzI1NiJ9', 'refresh_token=[redacted] client_assertion=[redacted]'],
    ['{"access_token":"abc\\"def","refresh_token":"r"}', '{"access_token":"[redacted]","refresh_token":"[redacted]"}'],
    ['{"error":{"code":"0x80040217","message":"Does Not Exist"}}', '{"error":{"code":"0x80040217","message":"Does Not Exist"}}'],
    ['WWW-Authenticate: Bearer authorization_uri=https://login/x/oauth2/authorize', 'WWW-Authenticate: Bearer authorization_uri=https://login/x/oauth2/authorize'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('redactUrl hides secret-looking query values and keeps OData options', () => {
    expect(redactUrl("https://x/api/data/v9.2/accounts?$filter=name eq 'a'&$skiptoken=abc&sig=xyz&api-key=k&access_token=t")).toBe(
      "https://x/api/data/v9.2/accounts?$filter=name eq 'a'&$skiptoken=abc&sig=[redacted]&api-key=[redacted]&access_token=[redacted]",
    );
  });
});
