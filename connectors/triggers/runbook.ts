/**
 * The RUNBOOK section about triggers: what the row and action triggers register, why the connector ships
 * script.csx, what the flow owner needs, and what differs from Microsoft's triggers.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { ACTION_CALLBACK_VERSION, ACTION_TRIGGER_PATH, ACTION_TRIGGER_SUMMARY, actionTriggerOperations, UNBOUND_TABLE } from './action-trigger';
import { ENTITY_ID_HEADER, LOCATION_HEADER } from './location-script';
import { CALLBACK_PATH, ROW_TRIGGER_SUMMARY, rowTriggerOperations, UNSUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH } from './row-trigger';

/** Lines of "## <number>. Triggers", or none when the document has no trigger (F&O, or the section is not needed). */
export function triggerRunbookLines(doc: OpenAPIV2.Document, number: number): string[] {
  const rowIds = rowTriggerOperations(doc);
  if (!rowIds.length) return [];
  const actionIds = actionTriggerOperations(doc);
  const ids = [...rowIds, ...actionIds];
  const base = doc.basePath ?? '';
  const actionLines = actionIds.length
    ? [
        `- **${ACTION_TRIGGER_SUMMARY}** (\`${actionIds.join('`, `')}\`): a webhook trigger. Turning the flow on creates a callback registration of version ${ACTION_CALLBACK_VERSION} ` +
          `(\`POST ${base}${ACTION_TRIGGER_PATH}\`; the trailing slash only keeps it apart from the row trigger's operation, Dataverse ignores it) with the action's name ` +
          `(\`sdkmessagename\`) and the table it is bound to (\`entityname\`, \`${UNBOUND_TABLE}\` for an unbound action); Dataverse then posts each successful call of the action: ` +
          '`MessageName`, `PrimaryEntityName`, `PrimaryEntityId` (empty when unbound), `InputParameters` and `OutputParameters` by name, `UserId`, `OrganizationId`, ' +
          '`CorrelationId`, `RequestId`, `OperationCreatedOn`. Turning the flow off removes the registration through the same unsubscribe operation as the row trigger.',
        '- Unlike Microsoft\'s action trigger, this one has no **Catalog** and **Category** headers: they choose among the environment\'s business-event catalogs, ' +
          'which a custom connector cannot list; the action is chosen by name from the actions the metadata declares (or typed in).',
      ]
    : [];
  return [
    `## ${number}. Triggers`,
    '',
    `- **${ROW_TRIGGER_SUMMARY}** (\`${rowIds.join('`, `')}\`): a webhook trigger. Turning the flow on creates a Dataverse callback registration ` +
      `(\`POST ${base}${CALLBACK_PATH}\` with the table, change type, scope, columns, filter and the flow's notification URL); Dataverse then posts ` +
      'every matching change to the flow: the row\'s columns by logical name (lookups as `_<column>_value`) and `SdkMessage` (Create, Update or Delete); a deleted row carries only its ID.',
    ...actionLines,
    `- Turning the flow off or deleting it calls \`DELETE\` on the subscription's \`${LOCATION_HEADER}\`, the internal \`${UNSUBSCRIBE_OPERATION}\` (\`DELETE ${base}${UNSUBSCRIBE_PATH}\`).`,
    `- **Why the connector ships script.csx**: Power Automate unsubscribes through the \`${LOCATION_HEADER}\` header of the subscribe response, but Dataverse answers the registration with \`204\` and \`${ENTITY_ID_HEADER}\` only. ` +
      `For \`${ids.join('`, `')}\` the script forwards the request unchanged and sets \`${LOCATION_HEADER}\` to the connector URL of the new registration (the request URL plus the key segment of \`${ENTITY_ID_HEADER}\`); ` +
      'without the script imported the flow can be turned on, but turning it off leaves the registration behind (delete it in Callback Registrations).',
    '- Permissions: the flow owner (or the service principal\'s application user) needs Create, Read, Write and Delete on **Callback Registration**, plus Read on the watched table.',
    '- Limits: no trigger on 1:N or N:N relationship changes; "Select columns" applies to Modified only. Microsoft does not publish the format of these notifications; the connector declares the row\'s columns as the Web API returns them plus `SdkMessage`' +
      (actionIds.length ? ', and the action event above for actions' : '') + ', so check the first runs of a flow against a real environment.',
    ...(actionIds.length
      ? []
      : ['- Not generated: **When an action is performed**, as the metadata declares no action this connector could offer.']),
    '',
  ];
}
