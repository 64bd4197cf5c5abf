/**
 * The RUNBOOK section of the business event trigger: what turning a flow on writes to F&O, which entity names are
 * unverified, the manual setup where they are missing, and the permissions involved.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { ENDPOINT_NAME_PREFIX } from './business-event-script';
import { BUSINESS_EVENT_TRIGGER_SUMMARY, businessEventTriggerOperations, ENDPOINTS_PATH, ENDPOINT_PATH, UNSUBSCRIBE_BUSINESS_EVENT } from './business-event-trigger';

export function businessEventRunbookLines(doc: OpenAPIV2.Document, number: number): string[] {
  const ids = businessEventTriggerOperations(doc);
  if (!ids.length) return [];
  const base = doc.basePath ?? '';
  return [
    `## ${number}. Triggers`,
    '',
    `- **${BUSINESS_EVENT_TRIGGER_SUMMARY}** (\`${ids.join('`, `')}\`): a webhook trigger. Turning the flow on runs \`${ids[0]}\` through script.csx, which creates an HTTPS business event endpoint ` +
      `named \`${ENDPOINT_NAME_PREFIX}<GUID>\` whose URL is the flow's callback URL (\`POST ${base}${ENDPOINTS_PATH}\`) and activates the chosen event for the chosen legal entity (empty: all) on it ` +
      `(\`POST ${base}/BusinessEventsConfigurations\`). F&O then posts each event to the flow: the envelope (BusinessEventId, BusinessEventLegalEntity, ControlNumber, EventId, EventTime, EventTimeIso8601, ` +
      'InitiatingUserAADObjectId, MajorVersion, MinorVersion, ContextRecordSubject, ParentContextRecordSubjects) and the event\'s own fields at the same level.',
    `- Turning the flow off or deleting it calls \`DELETE\` on the subscription's \`Location\`: the internal \`${UNSUBSCRIBE_BUSINESS_EVENT}\` (\`DELETE ${base}${ENDPOINT_PATH}\`), which deactivates the event for that endpoint and deletes the endpoint.`,
    '- **Unverified names**: Microsoft documents the business event catalog (`BusinessEventsCatalogs`), activation per legal entity and endpoints, but not an OData API to create them. ' +
      '`BusinessEventsEndpoints` (EndpointName, EndpointType, EndpointUrl) and `BusinessEventsConfigurations` (BusinessEventId, LegalEntity, EndpointName) are the names third-party material uses; ' +
      'they are not confirmed against a real environment. The first-party Fin & Ops connector subscribes through a service of its own that is not public. Test the trigger on a sandbox before relying on it.',
    '- **When the subscribe call fails** (404 on those entity sets, or the environment requires the endpoint URL in Azure Key Vault), set the endpoint up by hand and receive events with a flow that starts with "When an HTTP request is received":',
    '  1. Create the flow with that trigger, save it and copy its URL. Put the URL as a secret in an Azure Key Vault the environment can reach.',
    '  2. In F&O: System administration > Setup > Business events > **Endpoints** > New: type **HTTPS**, a name, the Microsoft Entra application id and secret allowed to read the Key Vault, the Key Vault DNS name and the secret name.',
    '  3. Business events > **Business event catalog**: select the event, **Activate**, choose the legal entity (empty for all) and the endpoint. F&O retries a failed delivery 3 times, 1 second apart, then lists it under errors with Resend.',
    '  4. Use the envelope schema of this connector (definition `BusinessEvent`) as the request body schema of the HTTP trigger.',
    '- Delivery is at least once: deduplicate on `EventId` (or BusinessEventId, BusinessEventLegalEntity and ControlNumber) and order by `ControlNumber`, which increases but can have gaps.',
    '- Permissions: the connection\'s user (or the Entra application\'s F&O user) needs the business events security privileges (view the catalog, maintain endpoints and activations: BusinessEventsCatalogView, BusinessEventsCatalogMaintain), plus read access to BusinessEventsCatalogs and LegalEntities for the dropdowns. At most 10 endpoints per event and legal entity by default.',
    '- Not generated: data events (create/update/delete of an entity); they reach flows through the Dataverse trigger when Power Platform integration is enabled.',
    '',
  ];
}
