/**
 * The RUNBOOK section about triggers: what the row trigger registers, why the connector ships script.csx, what the
 * flow owner needs, and what is not generated.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { ENTITY_ID_HEADER, LOCATION_HEADER } from './location-script';
import { CALLBACK_PATH, ROW_TRIGGER_SUMMARY, rowTriggerOperations, UNSUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH } from './row-trigger';

/** Lines of "## <number>. Triggers", or none when the document has no trigger (F&O, or the section is not needed). */
export function triggerRunbookLines(doc: OpenAPIV2.Document, number: number): string[] {
  const ids = rowTriggerOperations(doc);
  if (!ids.length) return [];
  const base = doc.basePath ?? '';
  return [
    `## ${number}. Triggers`,
    '',
    `- **${ROW_TRIGGER_SUMMARY}** (\`${ids.join('`, `')}\`): a webhook trigger. Turning the flow on creates a Dataverse callback registration ` +
      `(\`POST ${base}${CALLBACK_PATH}\` with the table, change type, scope, columns, filter and the flow's notification URL); Dataverse then posts ` +
      'every matching change to the flow: the row\'s columns by logical name (lookups as `_<column>_value`) and `SdkMessage` (Create, Update or Delete); a deleted row carries only its ID.',
    `- Turning the flow off or deleting it calls \`DELETE\` on the subscription's \`${LOCATION_HEADER}\`, the internal \`${UNSUBSCRIBE_OPERATION}\` (\`DELETE ${base}${UNSUBSCRIBE_PATH}\`).`,
    `- **Why the connector ships script.csx**: Power Automate unsubscribes through the \`${LOCATION_HEADER}\` header of the subscribe response, but Dataverse answers the registration with \`204\` and \`${ENTITY_ID_HEADER}\` only. ` +
      `For \`${ids.join('`, `')}\` the script forwards the request unchanged and sets \`${LOCATION_HEADER}\` to the connector URL of the new registration (the request URL plus the key segment of \`${ENTITY_ID_HEADER}\`); ` +
      'without the script imported the flow can be turned on, but turning it off leaves the registration behind (delete it in Callback Registrations).',
    '- Permissions: the flow owner (or the service principal\'s application user) needs Create, Read, Write and Delete on **Callback Registration**, plus Read on the watched table.',
    '- Limits: no trigger on 1:N or N:N relationship changes; "Select columns" applies to Modified only. Microsoft does not publish the format of these notifications; the connector declares the row\'s columns as the Web API returns them plus `SdkMessage`, so check the first runs of a flow against a real environment.',
    '- Not generated: **When an action is performed** (callback registrations for custom API and action messages, Microsoft\'s catalog events). Use Microsoft\'s Dataverse connector for it.',
    '',
  ];
}
