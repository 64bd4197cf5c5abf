/** A DataverseService over the bundled model and seed with an empty store, for tests that call a handler without HTTP. */
import fs from 'node:fs';
import path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import type { DataverseService } from '../../emulator/dataverse/context';
import { DataverseSchema } from '../../emulator/dataverse/schema';
import { TableStore } from '../../emulator/store/table-store';

export const ROOT = 'https://127.0.0.1:1/api/data/v9.2/';

const model = parseCsdl(fs.readFileSync(path.join(__dirname, '../../emulator/model/dataverse.xml'), 'utf8'));
const seed = JSON.parse(fs.readFileSync(path.join(__dirname, '../../emulator/model/dataverse-seed.json'), 'utf8'));

export function testService(now: () => Date): DataverseService {
  return {
    schema: new DataverseSchema(model, seed),
    store: new TableStore(),
    serviceRoot: ROOT,
    organizationId: '11111111-1111-1111-1111-111111111111',
    organizationName: 'test',
    businessUnitId: '22222222-2222-2222-2222-222222222222',
    now,
    afterWrite: async () => undefined,
  };
}
