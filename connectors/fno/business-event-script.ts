/**
 * The script.csx parts of the business event trigger. A Power Automate webhook trigger subscribes with one request
 * and unsubscribes with one DELETE on the Location of its answer, but F&O needs two records to deliver an event
 * over HTTPS: an endpoint (BusinessEventsEndpoints) and the event's activation for a legal entity assigned to it
 * (BusinessEventsConfigurations). The subscribe part creates both (and removes the endpoint again when the
 * activation is refused, so nothing is left half-done), named like the endpoints the first-party connector creates:
 * a fixed prefix and a GUID. It answers with Location = the connector URL of the endpoint, the route of the internal
 * unsubscribe operation, whose part deactivates every activation of that endpoint before deleting it (F&O refuses to
 * delete an endpoint that is still assigned).
 */
import type { ScriptPart } from '../script/types';

export const SUBSCRIBE_METHOD = 'SubscribeToBusinessEvent';
export const UNSUBSCRIBE_METHOD = 'UnsubscribeFromBusinessEvent';
export const ENDPOINT_NAME_PREFIX = 'PowerAutomate-';

/** A JSON request to the environment with the caller's authorization and OData headers. */
const SEND_HELPER = `private async Task<HttpResponseMessage> SendBusinessEventRequest(HttpMethod method, Uri uri, JObject body)
{
    var request = new HttpRequestMessage(method, uri);
    foreach (var header in this.Context.Request.Headers)
    {
        if (string.Equals(header.Key, "Host", StringComparison.OrdinalIgnoreCase)) continue;
        request.Headers.TryAddWithoutValidation(header.Key, header.Value);
    }
    if (body != null) request.Content = CreateJsonContent(body.ToString(Newtonsoft.Json.Formatting.None));
    return await this.Context.SendAsync(request, this.CancellationToken).ConfigureAwait(false);
}`;

const SUBSCRIBE = `private async Task<HttpResponseMessage> ${SUBSCRIBE_METHOD}()
{
    var text = this.Context.Request.Content == null ? "" : await this.Context.Request.Content.ReadAsStringAsync().ConfigureAwait(false);
    JObject subscription;
    try { subscription = JObject.Parse(text); }
    catch (Newtonsoft.Json.JsonReaderException) { subscription = new JObject(); }
    var businessEventId = (string)subscription["BusinessEventId"];
    var legalEntity = (string)subscription["LegalEntity"] ?? "";
    var notificationUrl = (string)subscription["NotificationUrl"];
    if (string.IsNullOrEmpty(businessEventId) || string.IsNullOrEmpty(notificationUrl))
    {
        var error = new JObject { ["error"] = new JObject { ["code"] = "", ["message"] = "The subscription needs BusinessEventId and NotificationUrl." } };
        return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = CreateJsonContent(error.ToString()) };
    }
    var endpointName = "${ENDPOINT_NAME_PREFIX}" + Guid.NewGuid().ToString("N");
    var endpoints = this.Context.Request.RequestUri;
    var endpoint = new JObject { ["EndpointName"] = endpointName, ["EndpointType"] = "Https", ["EndpointUrl"] = notificationUrl };
    var created = await this.SendBusinessEventRequest(HttpMethod.Post, endpoints, endpoint).ConfigureAwait(false);
    if (!created.IsSuccessStatusCode) return created;
    var activation = new JObject { ["BusinessEventId"] = businessEventId, ["LegalEntity"] = legalEntity, ["EndpointName"] = endpointName };
    var activated = await this.SendBusinessEventRequest(HttpMethod.Post, new Uri(endpoints, "BusinessEventsConfigurations"), activation).ConfigureAwait(false);
    if (!activated.IsSuccessStatusCode)
    {
        // An endpoint without an activation receives nothing: remove it rather than leave it behind.
        await this.SendBusinessEventRequest(HttpMethod.Delete, new Uri(endpoints.GetLeftPart(UriPartial.Path) + "('" + endpointName + "')"), null).ConfigureAwait(false);
        return activated;
    }
    var location = new UriBuilder(this.Context.OriginalRequestUri) { Query = string.Empty, Fragment = string.Empty };
    location.Path = location.Path.TrimEnd('/') + "('" + endpointName + "')";
    activated.Headers.Location = location.Uri;
    return activated;
}`;

const UNSUBSCRIBE = `private async Task<HttpResponseMessage> ${UNSUBSCRIBE_METHOD}()
{
    var endpoint = this.Context.Request.RequestUri;
    var match = System.Text.RegularExpressions.Regex.Match(Uri.UnescapeDataString(endpoint.AbsolutePath), @"\\('((?:[^']|'')*)'\\)$");
    if (!match.Success) return await this.Context.SendAsync(this.Context.Request, this.CancellationToken).ConfigureAwait(false);
    var endpointName = match.Groups[1].Value.Replace("''", "'");
    var configurations = new Uri(endpoint, "BusinessEventsConfigurations");
    // Only this endpoint's activations are needed; the rows are checked again below in case the filter is ignored.
    var filter = "?$filter=" + Uri.EscapeDataString("EndpointName eq '" + endpointName.Replace("'", "''") + "'");
    var listed = await this.SendBusinessEventRequest(HttpMethod.Get, new Uri(configurations.GetLeftPart(UriPartial.Path) + filter), null).ConfigureAwait(false);
    if (!listed.IsSuccessStatusCode) return listed;
    var rows = JObject.Parse(await listed.Content.ReadAsStringAsync().ConfigureAwait(false))["value"] as JArray ?? new JArray();
    foreach (var row in rows)
    {
        if (!string.Equals((string)row["EndpointName"], endpointName, StringComparison.OrdinalIgnoreCase)) continue;
        Func<string, string> literal = (name) => "'" + Uri.EscapeDataString(((string)row[name] ?? "").Replace("'", "''")) + "'";
        var key = "(BusinessEventId=" + literal("BusinessEventId") + ",LegalEntity=" + literal("LegalEntity") + ",EndpointName=" + literal("EndpointName") + ")";
        var removed = await this.SendBusinessEventRequest(HttpMethod.Delete, new Uri(configurations.GetLeftPart(UriPartial.Path) + key), null).ConfigureAwait(false);
        if (!removed.IsSuccessStatusCode && removed.StatusCode != HttpStatusCode.NotFound) return removed;
    }
    return await this.Context.SendAsync(this.Context.Request, this.CancellationToken).ConfigureAwait(false);
}`;

export function businessEventScriptParts(subscribeOperationId: string, unsubscribeOperationId: string): ScriptPart[] {
  return [
    {
      operationIds: [subscribeOperationId],
      method: SUBSCRIBE_METHOD,
      csharp: `${SUBSCRIBE}\n\n${SEND_HELPER}`,
      why:
        `F&O delivers a business event only to an endpoint that is assigned to the event's activation, two records where Power Automate makes one call, so for ${subscribeOperationId} ` +
        'the script creates the endpoint (named PowerAutomate-<GUID>) with the flow URL, then the activation, and sets Location to the connector URL of the endpoint.',
    },
    {
      operationIds: [unsubscribeOperationId],
      method: UNSUBSCRIBE_METHOD,
      csharp: UNSUBSCRIBE,
      why: `F&O refuses to delete an endpoint that is still assigned to an event, so for ${unsubscribeOperationId} the script first deactivates every activation of the endpoint.`,
    },
  ];
}
