/**
 * The 8 real connectors of ../shared/fixtures/power-automate/connectors give the results of the reference
 * (power-automate-connectors.md §5.4), with the documented apiProperties schema fixes applied.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { validateConnectorFolder, type ValidationReport } from '../../connectors/validate';
import { loadSchema } from '../../connectors/validate/json-schemas';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/power-automate/connectors');
const describeIf = fs.existsSync(FIXTURES) ? describe : describe.skip;

/** The error rules each fixture yields (exact sets). */
const EXPECTED_ERROR_RULES: Record<string, string[]> = {
  // Non-certified custom connector: no contact/metadata, unlabelled parameters, the default brand colour.
  AzureKeyVault: ['connector-metadata-required', 'contact-required', 'icon-brand-color-restricted', 'parameter-description-required', 'parameter-summary-required'],
  // aadcertificate without properties.IsFirstParty, a tenantId custom parameter and `oauthSettings` (lower case).
  Azure_Communication_Services_SMS_Events: ['schema-apiProperties'],
  Cloud_BOT: ['operation-description-equals-summary'],
  // Old certified connector: no contact/metadata.
  MicrosoftGraphSecurity: ['connector-metadata-required', 'contact-required'],
  Microsoft_D365CE_v9_OnPrem: [],
  RescoReports: ['summary-trailing-character'],
  TALXISDataFeed: ['operation-description-equals-summary', 'summary-equals-operation-id'],
  // The aad oAuthSettings oneOf mismatch (enableOnbehalfOfLogin, IsOnbehalfofLoginSupported).
  'Teams-Spirit': ['operation-description-equals-summary', 'schema-apiProperties', 'summary-equals-operation-id'],
};

describeIf('connectors/validate on the PowerPlatformConnectors fixtures', () => {
  const reports = new Map<string, ValidationReport>();
  beforeAll(async () => {
    for (const name of Object.keys(EXPECTED_ERROR_RULES)) reports.set(name, await validateConnectorFolder(path.join(FIXTURES, name)));
  });
  const rules = (name: string): string[] => [...new Set(reports.get(name)!.errors.map((e) => e.rule))].sort();
  const names = Object.keys(EXPECTED_ERROR_RULES);

  it.each(names)('%s gives exactly the known error rules', (name) => {
    expect(rules(name)).toEqual(EXPECTED_ERROR_RULES[name]);
  });

  it.each(names)('%s passes swagger-parser and the apiDefinition schema', (name) => {
    expect(rules(name)).not.toContain('swagger-structure');
    expect(rules(name)).not.toContain('schema-apiDefinition');
  });

  it('finds the lower-case apidefinition.swagger.json of MicrosoftGraphSecurity', () => {
    expect(reports.get('MicrosoftGraphSecurity')!.errors.some((e) => e.rule === 'file-missing')).toBe(false);
  });

  it('reports contact and x-ms-connector-metadata missing on AzureKeyVault and MicrosoftGraphSecurity only', () => {
    for (const name of names) {
      const expected = name === 'AzureKeyVault' || name === 'MicrosoftGraphSecurity';
      expect([name, rules(name).includes('contact-required')]).toEqual([name, expected]);
      expect([name, rules(name).includes('connector-metadata-required')]).toEqual([name, expected]);
    }
    const contact = reports.get('AzureKeyVault')!.errors.find((e) => e.rule === 'contact-required')!;
    expect(contact).toEqual({ rule: 'contact-required', message: "The 'contact' property is required. ValuePath: /info", path: '/info' });
  });

  it('reports the unlabelled AzureKeyVault parameters with their paths', () => {
    const errors = reports.get('AzureKeyVault')!.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'parameter-summary-required', path: '/paths/~1keys/get/parameters/0' }),
        expect.objectContaining({ rule: 'parameter-description-required', path: '/paths/~1secrets~1{secret-name}/get/parameters/0' }),
      ]),
    );
  });

  it('the schema fixes make RescoReports and TALXISDataFeed pass apiProperties; without them they fail', () => {
    const raw = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(loadSchema('apiProperties', { patch: false }));
    const rawErrors = (name: string): string[] => {
      const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'apiProperties.json'), 'utf8'));
      return raw(doc) ? [] : raw.errors!.map((e) => e.instancePath);
    };
    expect(rawErrors('RescoReports')).toEqual(['/properties/connectionParameters/token:resourceUri/uiDefinition/constraints/hidden']);
    expect(rawErrors('TALXISDataFeed').length).toBeGreaterThan(0);
    expect(rawErrors('Azure_Communication_Services_SMS_Events')).toEqual(expect.arrayContaining(['/properties']));
    for (const name of ['RescoReports', 'TALXISDataFeed']) expect(rules(name)).not.toContain('schema-apiProperties');
  });

  it('keeps the patched schema errors of Azure_Communication_Services_SMS_Events to the oAuth settings', () => {
    const paths = reports.get('Azure_Communication_Services_SMS_Events')!.errors.map((e) => e.path!);
    expect(paths.every((p) => /\/token(\/|$)|\/token:TenantId\//.test(p))).toBe(true);
    expect(paths.some((p) => p.startsWith('/properties/scriptOperations'))).toBe(false);
  });
});
