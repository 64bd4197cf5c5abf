/**
 * RUNBOOK.md of a generated connector: what it calls, which permissions and security roles it needs (least
 * privilege per table and operation kind), the limits it runs into, how to import it, how to roll it back, and what
 * the generator warned about. Pure text from the documents; nothing here touches disk.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { CLIENT_ID_PLACEHOLDER, REDIRECT_URL, URL_TEMPLATES } from './api-properties';
import { measureDocument, formatBytes } from './limits';
import { triggerRunbookLines } from './triggers/runbook';
import { businessEventRunbookLines } from './fno/runbook';
import type { ScriptPart } from './script/types';
import { CONNECTOR_FILES, SCRIPT_FILE } from './settings';
import { LIMITS, type ApiProperties, type GenerateOptions, type GeneratorWarning } from './types';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

export type OperationKind = 'read' | 'create' | 'update' | 'upsert' | 'delete' | 'relate' | 'action' | 'changeset' | 'metadata' | 'trigger';

export interface OperationInfo {
  operationId: string;
  method: string;
  /** basePath + path, as in the swagger. */
  path: string;
  summary: string;
  kind: OperationKind;
  /** The entity set in the path, or undefined when the table is chosen at run time (a path parameter). */
  table?: string;
  pageable: boolean;
  /** An action or function not bound to a row (POST /{actionName}/, GET /WhoAmI()). */
  unbound: boolean;
}

const METADATA_SEGMENTS = /^(EntityDefinitions|RelationshipDefinitions|GlobalOptionSetDefinitions|\$metadata)\b/;

function parameterOf(doc: OpenAPIV2.Document, p: OpenAPIV2.Parameters[number]): OpenAPIV2.Parameter | undefined {
  const ref = (p as OpenAPIV2.ReferenceObject).$ref;
  if (!ref) return p as OpenAPIV2.Parameter;
  const name = ref.replace(/^#\/parameters\//, '');
  return doc.parameters?.[name] as OpenAPIV2.Parameter | undefined;
}

/** Every operation of the document, classified by what it does in Dataverse/F&O terms. */
export function listOperations(doc: OpenAPIV2.Document): OperationInfo[] {
  const out: OperationInfo[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const pathItem = item as OpenAPIV2.PathItemObject;
    for (const method of METHODS) {
      const op = pathItem[method] as OpenAPIV2.OperationObject | undefined;
      if (!op) continue;
      const parameters = [...(pathItem.parameters ?? []), ...(op.parameters ?? [])].map((p) => parameterOf(doc, p)).filter((p): p is OpenAPIV2.Parameter => !!p);
      const segments = path.split('/').filter(Boolean);
      const first = segments[0] ?? '';
      const firstName = first.replace(/\(.*$/, '');
      const table = firstName && !firstName.startsWith('{') && !METADATA_SEGMENTS.test(firstName) ? firstName : undefined;
      const last = segments[segments.length - 1] ?? '';
      let kind: OperationKind;
      if (METADATA_SEGMENTS.test(first)) kind = 'metadata';
      else if ((op as Record<string, unknown>)['x-ms-trigger']) kind = 'trigger';
      else if (path.includes('$ref')) kind = 'relate';
      else if (first === '$batch') kind = 'changeset';
      // A function call reads nothing of a table: `/WhoAmI()` (no such entity set) or `…/Namespace.Function(…)`.
      else if (method === 'get' && /^[^({]+\.[^.(]+\(/.test(last)) kind = 'action';
      else if (method === 'get' && segments.length === 1 && last.endsWith(')') && !doc.paths?.[`/${firstName}`]) kind = 'action';
      else if (method === 'get') kind = 'read';
      else if (method === 'delete') kind = 'delete';
      else if (method === 'patch') kind = parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match') ? 'update' : 'upsert';
      else if (method === 'put') kind = 'update';
      else if (method === 'post') {
        // A POST to a collection that can also be listed creates a row; any other POST runs an action.
        const collection = segments.length === 1 && !last.endsWith(')') && !!pathItem.get;
        kind = collection ? 'create' : 'action';
      } else kind = 'read';
      out.push({
        operationId: op.operationId ?? `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path: `${doc.basePath ?? ''}${path}`,
        summary: op.summary ?? '',
        kind,
        table: (kind === 'action' && segments.length === 1) || kind === 'changeset' ? undefined : table,
        pageable: !!(op as Record<string, unknown>)['x-ms-pageable'],
        unbound: kind === 'action' && segments.length === 1,
      });
    }
  }
  return out;
}

const DATAVERSE_PRIVILEGES: Record<OperationKind, string> = {
  read: 'Read',
  create: 'Create (plus Append / Append To when the body binds lookups with @odata.bind)',
  update: 'Write (plus Append / Append To when the body binds lookups)',
  upsert: 'Create and Write (an upsert creates the row when the key is not found)',
  delete: 'Delete',
  relate: 'Append on the row and Append To on the related row (both tables), plus Write for N:1 lookups',
  action: 'Read and Write on the row, plus what the action itself needs',
  metadata: 'none beyond a security role (every user may read table and column definitions)',
  trigger: 'Create, Read, Write and Delete on callbackregistrations (section 7), plus Read on the watched table',
  changeset: 'what each write of the change set needs: Create, Write or Delete (plus Append / Append To when it binds lookups)',
};
const DATAVERSE_UNBOUND = 'what each action or function itself needs (WhoAmI none; RevokeAccess Share on the target table)';
const FNO_UNBOUND = 'the privilege of each OData action';

const FNO_PRIVILEGES: Record<OperationKind, string> = {
  read: 'View (Read) access to the data entity',
  create: 'Create access to the data entity',
  update: 'Update (Edit) access to the data entity',
  upsert: 'Create and Update access to the data entity',
  delete: 'Delete access to the data entity',
  relate: 'Update access to both data entities',
  action: 'the privilege of the OData action (its menu item / entity privilege)',
  metadata: 'none beyond a role (metadata is readable by any signed-in user)',
  trigger: 'the privileges of the subscription the trigger creates',
  changeset: 'Create, Update or Delete access to each data entity the change set writes',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export interface RunbookInput {
  doc: OpenAPIV2.Document;
  options: GenerateOptions;
  apiProperties: ApiProperties;
  warnings: GeneratorWarning[];
  /** Folder name of the package, for the commands. */
  folder: string;
  /** The parts of script.csx, when operations need custom code. */
  scriptParts?: ScriptPart[];
}

export function runbookFor({ doc, options, apiProperties, warnings, folder, scriptParts = [] }: RunbookInput): string {
  const dataverse = options.service === 'dataverse';
  const operations = listOperations(doc);
  const measure = measureDocument(doc);
  const template = URL_TEMPLATES[options.service];
  const product = dataverse ? 'Microsoft Dataverse (Dynamics 365 Customer Engagement)' : 'Dynamics 365 Finance and Operations';
  const lines: string[] = [];
  const add = (...l: string[]): void => {
    lines.push(...l);
  };

  add(`# RUNBOOK: ${doc.info.title}`, '');
  add(`Custom connector for ${product}, generated from the environment's OData \`$metadata\` (style \`${options.style}\`${options.tables?.length ? `, tables: ${options.tables.join(', ')}` : ''}).`);
  add(`Publisher: ${apiProperties.properties.publisher ?? 'not set'}. Files: \`${Object.values(CONNECTOR_FILES).join('`, `')}\`.`, '');

  add('## 1. What it calls', '');
  add(`Every call goes to the environment of the connection: the \`dynamichosturl\` policy replaces \`https://${doc.host}${doc.basePath ?? ''}\` with \`${template}\`, where \`token:resourceUri\` is the environment URL the maker enters (without a trailing slash).`);
  add(`Protocol: OData v4 over HTTPS, JSON bodies, headers \`OData-Version: 4.0\` / \`OData-MaxVersion: 4.0\`. Pageable operations follow \`@odata.nextLink\` (the \`updatenextlink\` policy routes the next pages through the connector).`, '');
  add(`${operations.length} operations:`, '');
  add('| operationId | Method | Path | Kind | Summary |', '|---|---|---|---|---|');
  for (const o of operations) add(`| \`${o.operationId}\` | ${o.method} | \`${cell(o.path)}\` | ${o.kind}${o.pageable ? ' (pageable)' : ''} | ${cell(o.summary)} |`);
  add('');
  if (scriptParts.length) {
    add(`### Custom code (\`${SCRIPT_FILE}\`)`, '');
    add(`The operations below run through \`${SCRIPT_FILE}\` (listed in \`scriptOperations\` of \`${CONNECTOR_FILES.apiProperties}\`); every other operation goes to the environment directly. The script must be imported with the connector, and it runs within Power Automate's limits for custom code (5 seconds per call, 1 MB of code).`, '');
    for (const part of scriptParts) add(`- ${part.operationIds.map((id) => `\`${id}\``).join(', ')}: ${part.why}`);
    add('');
  }

  add('## 2. Permissions', '');
  if (dataverse) {
    add('### App registration (Microsoft Entra ID)', '');
    add(`- Register an app (single- or multi-tenant). Redirect URI (Web): \`${REDIRECT_URL}\`.`);
    add('- API permission for user sign-in: **Dynamics CRM → `user_impersonation`** (delegated, "Access Dynamics 365 as organization users"). Grant admin consent where users may not consent themselves.');
    add(`- Replace \`${CLIENT_ID_PLACEHOLDER}\` in \`${CONNECTOR_FILES.apiProperties}\` with the app's client id, and pass its secret with \`paconn create --secret\` (never commit the secret).`);
    add('- The token is requested for the environment URL (`token:resourceUri`); `https://disco.crm.dynamics.com` is the multi-tenant resource used for consent.', '');
    add('### Signed-in users (OAuth connection)', '');
    add('Calls run as the signed-in user, with that user\'s security roles: the connector cannot do more than the user can in the app.', '');
    add('### Service principal connection', '');
    add('- Create an **application user** in the environment (Power Platform admin center → Environment → Settings → Users + permissions → Application users) for the app\'s client id, in the right business unit.');
    add('- Give it a **custom security role** with only the privileges below (least privilege); never System Administrator. Application users consume no licence; every call runs as that user and is audited as it.');
    add('- Use a client secret with an expiry and rotate it (or a certificate outside Power Automate); the connection stores the secret.', '');
  } else {
    add('### App registration (Microsoft Entra ID)', '');
    add(`- Register an app; redirect URI (Web): \`${REDIRECT_URL}\`. API permission: **Microsoft Dynamics ERP** → delegated \`Odata.FullAccess\` (and \`AX.FullAccess\` if the tenant requires it). Grant admin consent.`);
    add(`- Replace \`${CLIENT_ID_PLACEHOLDER}\` in \`${CONNECTOR_FILES.apiProperties}\` with the app's client id.`);
    add('- The token is requested for the environment URL entered in `token:resourceUri` (no trailing slash).', '');
    add('### Service principal connection', '');
    add('- In F&O: System administration → Setup → **Microsoft Entra applications**: add the client id and map it to an F&O **user** whose security roles give only the privileges below. Without this mapping tokens are valid but every call is rejected.');
    add('- Signed-in users (OAuth connection) act with their own roles and legal-entity access.', '');
  }
  add('### Least privilege per table', '');
  add(dataverse ? 'Privilege depth: User level where the flows only touch their own rows, Business Unit or Organization only when needed.' : 'Grant the data-entity privileges through a dedicated role; restrict legal entities where possible.');
  add('');
  add('| Table | Privileges | Needed by |', '|---|---|---|');
  const privileges = dataverse ? DATAVERSE_PRIVILEGES : FNO_PRIVILEGES;
  const byRow = new Map<string, { table: string; kind: OperationKind; ops: string[]; unbound: boolean }>();
  for (const o of operations) {
    const table = o.kind === 'metadata' ? '(metadata)' : o.unbound ? '(unbound actions and functions)' : o.table ?? '(each table the flows choose at run time)';
    const key = `${table}\u0000${o.kind}`;
    const row = byRow.get(key) ?? { table, kind: o.kind, ops: [], unbound: o.unbound };
    row.ops.push(o.operationId);
    byRow.set(key, row);
  }
  for (const row of [...byRow.values()].sort((a, b) => a.table.localeCompare(b.table) || a.kind.localeCompare(b.kind))) {
    const needed = row.unbound ? (dataverse ? DATAVERSE_UNBOUND : FNO_UNBOUND) : privileges[row.kind];
    add(`| ${cell(row.table)} | ${cell(needed)} | ${row.ops.map((o) => `\`${o}\``).join(', ')} |`);
  }
  add('');

  add('## 3. Limits', '');
  if (dataverse) {
    add('Dataverse service protection, per user (an application user counts as one) per web server, over a 5-minute sliding window:', '');
    add('- **6,000 requests**;', '- **20 minutes (1,200 s) combined execution time**;', '- **52 concurrent requests**.', '');
    add('- Above them Dataverse answers **429** with `Retry-After` (seconds); Power Automate retries with its retry policy. A shared service principal shares one budget across all its flows: spread heavy flows over several application users or schedule them apart.');
    add('- Paging: Dataverse returns at most 5,000 rows per page (`Prefer: odata.maxpagesize` lowers it); turn on the flow action\'s pagination to follow `@odata.nextLink`.');
  } else {
    add('- The first-party Fin & Ops connector is throttled at **200 calls per connection per 60 seconds**; plan custom-connector flows for the same order of magnitude.');
    add('- F&O service protection, per user per web server over 5 minutes: **6,000 requests**, **1,200 s combined execution time**, **52 concurrent requests**; plus priority-based throttling (429 + `Retry-After`), set per Entra application in Throttling priority mapping.');
    add('- Bulk loads belong in the Data management framework, not in flows.');
  }
  add(`- Power Automate itself: flow action limits of the plan, and for the connector definition ${LIMITS.maxSchemas} schemas and about 1 MB of swagger. This one: ${measure.schemas} schemas, ${formatBytes(measure.bytes)}.`, '');

  add('## 4. Import', '');
  add('Before importing: set the client id (section 2) and, for `paconn`, `environment` in `settings.json`.', '');
  add('```sh');
  add(`cd ${folder}`);
  add('# paconn (pip install paconn): creates the connector and writes its id back to settings.json', 'paconn login', 'paconn create --settings settings.json --secret "<client secret>"');
  add('', '# or the Power Platform CLI (solution-aware connector row):');
  const scriptOption = scriptParts.length ? ` --script-file ${SCRIPT_FILE}` : '';
  add(`pac connector create --api-definition-file ${CONNECTOR_FILES.apiDefinition} --api-properties-file ${CONNECTOR_FILES.apiProperties} --icon-file ${CONNECTOR_FILES.icon}${scriptOption} --environment <environment id> [--solution-unique-name <solution>]`);
  add('```', '');
  add('Or in the maker portal: Custom connectors → New custom connector → Import an OpenAPI file (then set the security tab and upload the icon; the policies of apiProperties.json must be added by hand in the Definition tab, so prefer the CLIs).');
  if (scriptParts.length) add(`In the portal the custom code goes in the Code tab: paste \`${SCRIPT_FILE}\`, turn code on and select the operations of \`scriptOperations\`.`);
  add('After import: create a connection (OAuth or Service principal) with the environment URL and run `test` on a read operation before using the connector in flows.', '');

  add('## 5. Rollback', '');
  add('- Keep this folder under version control; every regeneration is a new commit. To roll back, check out the previous folder and update the connector from it:');
  add('  `paconn update --settings settings.json --secret "<client secret>"` (paconn fails on update when apiProperties.json contains `stackOwner`: remove that line in the working copy first) or `pac connector update --connector-id <id> --api-definition-file … --api-properties-file … --icon-file …`.');
  add('- Flows reference operations by `operationId` and parameters by name: an update that renames or removes one breaks the flows using it. Roll back to the previous definition rather than editing flows.');
  add('- To remove the connector: delete it in Custom connectors (or `pac connector` in its solution). Flows keep their references and fail until a connector with the same operations is imported again; connections of the deleted connector are removed with it.');
  add('- Rows written by flows are not rolled back by any of this; use the environment\'s auditing or backups for data.', '');

  add('## 6. Generation warnings', '');
  if (warnings.length === 0) add('None.');
  for (const w of warnings) add(`- \`${w.code}\`${w.where ? ` (${cell(w.where)})` : ''}: ${w.message}`);
  add('');
  add(...(dataverse ? triggerRunbookLines(doc, 7) : businessEventRunbookLines(doc, 7)));
  return lines.join('\n');
}
