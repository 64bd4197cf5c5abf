/**
 * The "dynamic" Dataverse connector style: generic operations that work for every table of every environment,
 * like Microsoft's own Dataverse connector, instead of one set of operations per table. Pure: model in, Swagger out.
 *
 * Operations (paths relative to basePath /api/data/v9.2; every operation also sends the internal OData-Version and
 * OData-MaxVersion headers through #/parameters/ODataVersion and #/parameters/ODataMaxVersion):
 * - ListRows              GET    /{entityset}?$select&$filter&$orderby&$expand&fetchXml&$top&$count&$skiptoken
 *                                 (Prefer: odata.include-annotations="*"; x-ms-pageable on @odata.nextLink)
 * - GetRow                GET    /{entityset}({id})?$select&$expand
 * - AddRow                POST   /{entityset}                      body `item` (object); Prefer: return=representation
 * - UpdateRow             PATCH  /{entityset}({id})                body `item`; If-Match: * (internal)
 * - UpsertRow             PATCH  /{entityset}({keyColumn}={keyValue})  body `item`; no If-Match
 *                                 (keyColumn = primary ID or alternate key column; keyValue an OData literal)
 * - DeleteRow             DELETE /{entityset}({id})
 * - RelateRows            POST   /{entityset}({id})/{navigation}/$ref   body `item` {"@odata.id": "<row URL>"}
 * - UnrelateRows          DELETE /{entityset}({id})/{navigation}/$ref?$id=<row URL>
 * - PerformBoundAction    POST   /{entityset}({id})/Microsoft.Dynamics.CRM.{actionName}  body `parameters` (object)
 * - PerformUnboundAction  POST   /{actionName}/                    body `parameters` (object); trailing '/' keeps the
 *                                 template apart from POST /{entityset}
 * - GetActionParameters (internal) GET /{actionName}/$parameters?binding=…  through script.csx: the JSON Schema of
 *                                 the action parameters, from the metadata, for both bodies (action-parameters.ts)
 * - UploadFileOrImage     PUT    /{entityset}({id})/{column}?x-ms-file-name=…  body `content` (application/octet-stream)
 * - DownloadFileOrImage   GET    /{entityset}({id})/{column}/$value?size=full
 * - GetTables (internal)  GET    /EntityDefinitions?$select=LogicalName,EntitySetName,DisplayCollectionName
 *                                 (dropdown for every `entityset` parameter via x-ms-dynamic-values / -list)
 * - GetTableSchema (internal) GET /EntityDefinitions(EntitySetName='{entityset}')?purpose=…  through script.csx:
 *                                 the JSON Schema of the table's rows for bodies and responses (table-schema.ts)
 * - SubscribeRowChanges   POST   /callbackregistrations  webhook trigger (x-ms-trigger single) with script.csx for Location;
 *   UnsubscribeRowChanges DELETE /callbackregistrations({callbackregistrationid}) (internal)  (connectors/triggers)
 *
 * Not generated: a change set ($batch). Dataverse (and the emulator) accept only multipart/mixed there, which
 * Swagger 2.0 cannot describe as structured input, and a JSON-in change set would need a script.csx to translate.
 * Why columns and relationships are free text: metadata-lookups.ts; how action names and parameters are offered:
 * actions.ts.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel } from '../../client/metadata/model';
import { baseDocument, ODATA_HEADER_PARAMETERS } from '../document';
import { GeneratorError } from '../errors';
import { OperationIds } from '../names';
import type { GenerateOptions, GeneratorWarning } from '../types';
import { addActionOperations } from './actions';
import { addChangesetOperation, changesetScriptPart } from './changeset';
import { DynamicContext, sharedParameters } from './common';
import { addFileOperations } from './files';
import { addMetadataLookups } from './metadata-lookups';
import { addDynamicTriggers } from '../triggers';
import { addRelationshipOperations } from './relationships';
import { addRowOperations } from './rows';
import { definitions } from './schemas';
import { addTableSchemaOperation } from './table-schema';
import { addScriptParts } from '../script';

export function buildDynamicDocument(model: CsdlModel, options: GenerateOptions, warnings: GeneratorWarning[]): OpenAPIV2.Document {
  if (options.service !== 'dataverse') {
    throw new GeneratorError(`The dynamic style is for Dataverse only; use the typed style for ${options.service}.`, 'InvalidOption');
  }
  if (options.tables && options.tables.length && !(options.tables.length === 1 && options.tables[0] === '*')) {
    warnings.push({ code: 'Other', message: 'The dynamic style works for every table; the table list is ignored.', where: 'tables' });
  }
  const doc = baseDocument({ options, covers: 'rows of any table', warnings });
  doc.parameters = { ...ODATA_HEADER_PARAMETERS, ...sharedParameters() } as unknown as OpenAPIV2.ParametersDefinitionsObject;
  doc.definitions = definitions();
  const ctx: DynamicContext = {
    doc,
    ids: new OperationIds(warnings),
    warnings,
    namespace: model.namespace || 'Microsoft.Dynamics.CRM',
  };
  addRowOperations(ctx);
  addRelationshipOperations(ctx);
  addActionOperations(ctx, model);
  addFileOperations(ctx);
  // A changeset needs a multipart $batch, which only the connector's custom code can send (see changeset.ts).
  addScriptParts(doc, [changesetScriptPart(addChangesetOperation(ctx))]);
  addMetadataLookups(ctx);
  // Column schemas at design time, answered by the connector's custom code (see table-schema.ts).
  addTableSchemaOperation(ctx);
  // Webhook triggers on callback registrations: row changes and performed actions (connectors/triggers).
  addDynamicTriggers(doc, warnings, model);
  options.onProgress?.(1, 1);
  return doc;
}
