/**
 * The script.csx part of the triggers' subscribe operations (row changes and performed actions, both POSTing a
 * callback registration). Power Automate unsubscribes a webhook trigger with DELETE on the Location
 * header of the subscribe response, but Dataverse answers POST callbackregistrations with 204 and OData-EntityId
 * (the row's Web API URL), never Location. The part forwards the request unchanged and sets Location to the
 * connector's own URL of the new row (the request's original URL plus the key segment of OData-EntityId), which is
 * the route of the internal unsubscribe operation, so the DELETE goes through the connector with the connection's
 * token and the dynamichosturl policy. Nothing else is touched: status, body and other headers pass through.
 *
 * `subscriptionLocation` is the same rule in TypeScript, for tests that drive the connector without C#.
 */
import type { ScriptPart } from '../script/types';

/** The header Dataverse returns on create, and the header Power Automate reads. */
export const ENTITY_ID_HEADER = 'OData-EntityId';
export const LOCATION_HEADER = 'Location';
export const LOCATION_METHOD = 'SetSubscriptionLocation';

const CSHARP = `private async Task<HttpResponseMessage> ${LOCATION_METHOD}()
{
    var response = await Context.SendAsync(Context.Request, CancellationToken).ConfigureAwait(false);
    System.Collections.Generic.IEnumerable<string> values;
    if (!response.IsSuccessStatusCode || !response.Headers.TryGetValues("${ENTITY_ID_HEADER}", out values)) return response;
    string entityId = null;
    foreach (var value in values) { entityId = value; break; }
    // https://org.crm.dynamics.com/api/data/v9.2/callbackregistrations(<id>): only the key segment is kept; the
    // action trigger's path ends with '/', trimmed so that both name the same unsubscribe route.
    var open = entityId == null ? -1 : entityId.LastIndexOf('(');
    if (open < 0 || !entityId.EndsWith(")")) return response;
    var location = new System.UriBuilder(Context.OriginalRequestUri) { Query = string.Empty, Fragment = string.Empty };
    location.Path = location.Path.TrimEnd('/') + entityId.Substring(open);
    response.Headers.${LOCATION_HEADER} = location.Uri;
    return response;
}`;

export function locationScriptPart(subscribeOperationIds: string[]): ScriptPart {
  return {
    operationIds: [...subscribeOperationIds],
    method: LOCATION_METHOD,
    csharp: CSHARP,
    why:
      `Dataverse answers a new callback registration with ${ENTITY_ID_HEADER} instead of the ${LOCATION_HEADER} header Power Automate needs to ` +
      `unsubscribe, so for ${subscribeOperationIds.join(', ')} the script sets ${LOCATION_HEADER} to the connector URL of the new registration.`,
  };
}

/** What the script does to a subscribe response, given its OData-EntityId and the connector URL it was sent to. */
export function subscriptionLocation(entityId: string | undefined, originalRequestUri: string): string | undefined {
  if (!entityId) return undefined;
  const open = entityId.lastIndexOf('(');
  if (open < 0 || !entityId.endsWith(')')) return undefined;
  const url = new URL(originalRequestUri);
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '') + entityId.slice(open);
  return url.toString();
}
