/**
 * Every connector the generator writes passes the project's own validate command (certification rules, the Power
 * Platform JSON Schemas with their documented fixes, and swagger-parser): dynamic and typed, Dataverse and F&O-style.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import { generateConnectors } from '../../connectors/generate';
import type { GenerateOptions } from '../../connectors/types';
import { validateConnectorFolder } from '../../connectors/validate';
import { writeConnectors } from '../../connectors/write';
import { METADATA_FIXTURES } from '../helpers/shared';

const EMULATOR_MODEL = path.resolve(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml');
const emulatorModel = parseCsdl(fs.readFileSync(EMULATOR_MODEL, 'utf8'));
const crm = parseCsdl(fs.readFileSync(`${METADATA_FIXTURES}/dataverse/crm-v8.2-schema.xml`, 'utf8'));
const fnoModel = parseCsdl(fs.readFileSync(path.resolve(__dirname, '..', '..', 'emulator', 'fno', 'model', 'fno.xml'), 'utf8'));
const bc = parseCsdl(fs.readFileSync(`${METADATA_FIXTURES}/businesscentral/bc-api-v2.0-metadata.xml`, 'utf8'));

const cases: Array<[string, ReturnType<typeof parseCsdl>, GenerateOptions]> = [
  ['dynamic, emulator model', emulatorModel, { service: 'dataverse', style: 'dynamic' }],
  ['dynamic, crm v8.2', crm, { service: 'dataverse', style: 'dynamic' }],
  ['typed accounts and contacts, crm v8.2', crm, { service: 'dataverse', style: 'typed', tables: ['accounts', 'contacts'] }],
  ['typed, every table of the emulator model, split', emulatorModel, { service: 'dataverse', style: 'typed', tables: ['*'], split: true }],
  ['typed with relate, bound and unbound actions and functions, crm v8.2, split', crm, { service: 'dataverse', style: 'typed', tables: ['leads', 'incidents', 'opportunities'], split: true }],
  ['typed F&O-style service on Business Central entity sets', bc, { service: 'fno', style: 'typed', tables: ['customers', 'vendors', 'salesOrders'] }],
  ['dynamic F&O, emulator F&O model', fnoModel, { service: 'fno', style: 'dynamic' }],
  ['typed F&O, every entity of the emulator F&O model', fnoModel, { service: 'fno', style: 'typed', tables: ['*'] }],
];

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'connectors-validate-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

test.each(cases)('%s: written folders have no validation errors', async (label, model, options) => {
  const result = generateConnectors(model, options);
  expect(result.connectors.length).toBeGreaterThan(0);
  const dir = path.join(out, label.replace(/\W+/g, '-'));
  const folders = await writeConnectors(result, dir);
  for (const folder of folders) {
    const report = await validateConnectorFolder(folder);
    expect({ folder: path.basename(folder), errors: report.errors }).toEqual({ folder: path.basename(folder), errors: [] });
  }
}, 120_000);
