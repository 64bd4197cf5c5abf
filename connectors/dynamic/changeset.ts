/**
 * "Perform a changeset request": several writes that succeed or fail together.
 *
 * Decision: Dataverse's `$batch` takes only `multipart/mixed` (the OData 4.01 JSON batch format is not documented
 * for Dataverse, and the emulator, like Dataverse, refuses it), and a Power Automate action can only send JSON from
 * the designer. So the operation takes a JSON list of writes (method, table, row ID, body) and the connector's
 * custom code turns it into one change set of a multipart `$batch` (CRLF line endings, a Content-ID per write so
 * bodies may refer to earlier rows as `$1`), sends it with the connection's token, and turns the multipart answer
 * back into JSON: one entry per write with its status, row ID and body. When a write fails Dataverse rolls the
 * whole change set back; the action then fails with that write's status and error.
 */
import type { ScriptPart } from '../script/types';
import { addOperation, DynamicContext, visible } from './common';

export const CHANGESET_OPERATION = 'PerformChangeset';
export const CHANGESET_METHOD = 'PerformChangesetAsMultipart';
/** Dataverse's limit of requests in one batch (and so in one change set). */
export const MAX_CHANGESET_OPERATIONS = 1000;

const write = {
  type: 'object',
  description: 'One write of the change set.',
  required: ['method', 'entityset'],
  properties: {
    method: {
      type: 'string',
      enum: ['POST', 'PATCH', 'PUT', 'DELETE'],
      'x-ms-summary': 'Method',
      description: 'POST adds a row, PATCH updates (or upserts) it, DELETE deletes it, PUT sets one column.',
    },
    entityset: {
      type: 'string',
      'x-ms-summary': 'Table name',
      description: 'The table as its entity set name (for example accounts), or $1 for the row an earlier write of this change set created.',
    },
    id: {
      type: 'string',
      'x-ms-summary': 'Row ID',
      description: "The row's unique identifier, or an alternate key such as accountnumber='A-100'; empty for POST.",
    },
    ifMatch: {
      type: 'string',
      'x-ms-summary': 'If match',
      description: 'Optional If-Match header: * makes a PATCH fail instead of creating a missing row; an ETag guards against lost updates.',
    },
    body: {
      type: 'object',
      'x-ms-summary': 'Row item',
      description: 'The columns by logical name; lookups as "<navigation>@odata.bind": "/<entity set>(<id>)" or "$1".',
    },
  },
};

const result = {
  type: 'object',
  description: 'The answers to the writes, in order.',
  properties: {
    responses: {
      type: 'array',
      'x-ms-summary': 'Responses',
      description: 'One entry per write.',
      items: {
        type: 'object',
        description: 'The answer to one write.',
        properties: {
          contentId: { type: 'string', 'x-ms-summary': 'Content ID', description: 'Position of the write in the change set, from 1.' },
          status: { type: 'integer', format: 'int32', 'x-ms-summary': 'Status', description: 'HTTP status of the write.' },
          id: { type: 'string', 'x-ms-summary': 'Row ID', description: 'The ID of the row the write created or changed, when Dataverse names it.' },
          entityId: { type: 'string', 'x-ms-summary': 'Row URL', description: 'The URL of the row (OData-EntityId).' },
          body: { type: 'object', 'x-ms-summary': 'Body', description: 'The body of the answer, if any.' },
        },
      },
    },
  },
};

export function addChangesetOperation(ctx: DynamicContext): string {
  return addOperation(ctx, {
    path: '/$batch',
    method: 'post',
    id: CHANGESET_OPERATION,
    title: 'Perform a changeset request',
    description: 'Runs several writes as one change set: if one of them fails, all the others are rolled back',
    visibility: 'important',
    parameters: [
      visible('changeset', 'body', 'Changeset', `The writes to run together, at most ${MAX_CHANGESET_OPERATIONS}`, {
        required: true,
        schema: {
          type: 'object',
          required: ['requests'],
          properties: {
            requests: { type: 'array', 'x-ms-summary': 'Writes', description: 'The writes, run in this order.', items: write },
          },
        },
      }),
    ],
    responses: { 200: { description: 'Every write succeeded.', schema: result as never } },
  });
}

const CSHARP = String.raw`private async Task<HttpResponseMessage> ${CHANGESET_METHOD}()
{
    JObject input;
    try
    {
        input = JObject.Parse(await Context.Request.Content.ReadAsStringAsync().ConfigureAwait(false));
    }
    catch (Newtonsoft.Json.JsonException e)
    {
        return ChangesetError("The changeset body is not a JSON object: " + e.Message);
    }
    var requests = input["requests"] as JArray;
    if (requests == null || requests.Count == 0) return ChangesetError("The changeset needs a 'requests' array with at least one write.");
    if (requests.Count > ${MAX_CHANGESET_OPERATIONS}) return ChangesetError("A changeset holds at most ${MAX_CHANGESET_OPERATIONS} writes; this one has " + requests.Count + ".");

    // Request lines are absolute paths under the Web API root the $batch request was sent to.
    var batchPath = Context.Request.RequestUri.AbsolutePath;
    var root = batchPath.Substring(0, batchPath.LastIndexOf('/') + 1);
    var batch = "batch_" + Guid.NewGuid().ToString("N");
    var changeset = "changeset_" + Guid.NewGuid().ToString("N");
    var text = new StringBuilder();
    text.Append("--").Append(batch).Append("\r\n");
    text.Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n");
    for (var i = 0; i < requests.Count; i++)
    {
        var write = requests[i] as JObject;
        var n = i + 1;
        if (write == null) return ChangesetError("Write " + n + " is not an object.");
        var method = ((string)write["method"] ?? "").Trim().ToUpperInvariant();
        if (method != "POST" && method != "PATCH" && method != "PUT" && method != "DELETE")
            return ChangesetError("Write " + n + ": the method must be POST, PATCH, PUT or DELETE, not '" + method + "'.");
        var table = ((string)write["entityset"] ?? "").Trim();
        if (table.Length == 0 || table.IndexOfAny(new[] { ' ', '/', '?', '#', '\r', '\n' }) >= 0)
            return ChangesetError("Write " + n + ": 'entityset' must be an entity set name such as accounts, or $1.");
        var id = ((string)write["id"] ?? "").Trim();
        if (id.IndexOfAny(new[] { '\r', '\n' }) >= 0) return ChangesetError("Write " + n + ": 'id' must be on one line.");
        if (method != "POST" && id.Length == 0 && !table.StartsWith("$"))
            return ChangesetError("Write " + n + ": " + method + " needs the row ID in 'id'.");
        var url = table.StartsWith("$") ? table : root + table;
        if (id.Length > 0) url += "(" + id.Replace("%", "%25").Replace(" ", "%20").Replace("#", "%23").Replace("?", "%3F") + ")";
        text.Append("--").Append(changeset).Append("\r\n");
        text.Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
        text.Append("Content-ID: ").Append(n).Append("\r\n\r\n");
        text.Append(method).Append(' ').Append(url).Append(" HTTP/1.1\r\n");
        var ifMatch = ((string)write["ifMatch"] ?? "").Trim();
        if (ifMatch.Length > 0) text.Append("If-Match: ").Append(ifMatch.Replace("\r", "").Replace("\n", "")).Append("\r\n");
        var body = write["body"];
        if (body != null && body.Type != JTokenType.Null)
        {
            if (body.Type != JTokenType.Object) return ChangesetError("Write " + n + ": 'body' must be a JSON object.");
            text.Append("Content-Type: application/json\r\n\r\n").Append(body.ToString(Newtonsoft.Json.Formatting.None)).Append("\r\n");
        }
        else text.Append("\r\n\r\n");
    }
    text.Append("--").Append(changeset).Append("--\r\n");
    text.Append("--").Append(batch).Append("--\r\n");

    Context.Request.Content = new StringContent(text.ToString(), Encoding.UTF8);
    Context.Request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/mixed; boundary=" + batch);
    var response = await Context.SendAsync(Context.Request, CancellationToken).ConfigureAwait(false);
    var contentType = response.Content == null ? null : response.Content.Headers.ContentType;
    // Anything but a multipart answer (a 401, a 429 before the batch ran) goes back to the flow unchanged.
    if (contentType == null || !contentType.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)) return response;
    var answer = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    var results = new JArray();
    ChangesetReadParts(answer, ChangesetBoundary(contentType.ToString()), results);
    JObject failed = null;
    foreach (JObject item in results) if ((int)item["status"] >= 400) { failed = item; break; }
    var output = new JObject();
    output["responses"] = results;
    var status = HttpStatusCode.OK;
    if (failed != null)
    {
        status = (HttpStatusCode)(int)failed["status"];
        var error = failed["body"] as JObject;
        output["error"] = error != null && error["error"] != null ? error["error"] : new JObject { { "message", "Write " + failed["contentId"] + " failed with status " + (int)status + "; no write of the change set was kept." } };
    }
    else if (!response.IsSuccessStatusCode) status = response.StatusCode;
    var converted = new HttpResponseMessage(status);
    converted.Content = CreateJsonContent(output.ToString(Newtonsoft.Json.Formatting.None));
    return converted;
}

private static HttpResponseMessage ChangesetError(string message)
{
    var body = new JObject { { "error", new JObject { { "code", "InvalidChangeset" }, { "message", message } } } };
    var response = new HttpResponseMessage(HttpStatusCode.BadRequest);
    response.Content = CreateJsonContent(body.ToString(Newtonsoft.Json.Formatting.None));
    return response;
}

private static string ChangesetBoundary(string contentType)
{
    foreach (var parameter in contentType.Split(';'))
    {
        var p = parameter.Trim();
        if (p.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase)) return p.Substring(9).Trim('"');
    }
    return null;
}

private static string ChangesetHeader(string block, string name)
{
    foreach (var line in block.Split(new[] { "\r\n" }, StringSplitOptions.None))
    {
        var colon = line.IndexOf(':');
        if (colon > 0 && string.Equals(line.Substring(0, colon).Trim(), name, StringComparison.OrdinalIgnoreCase)) return line.Substring(colon + 1).Trim();
    }
    return null;
}

/** Each application/http part of a multipart answer (nested change sets included) as {contentId, status, id, entityId, body}. */
private static void ChangesetReadParts(string text, string boundary, JArray results)
{
    if (boundary == null) return;
    var pieces = text.Split(new[] { "--" + boundary }, StringSplitOptions.None);
    for (var i = 1; i < pieces.Length; i++)
    {
        var piece = pieces[i];
        if (piece.StartsWith("--")) break;
        var split = piece.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0) continue;
        var mime = piece.Substring(0, split);
        var rest = piece.Substring(split + 4);
        var partType = ChangesetHeader(mime, "Content-Type") ?? "";
        if (partType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            ChangesetReadParts(rest, ChangesetBoundary(partType), results);
            continue;
        }
        var headEnd = rest.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = headEnd < 0 ? rest : rest.Substring(0, headEnd);
        var content = headEnd < 0 ? "" : rest.Substring(headEnd + 4).Trim();
        var statusLine = head.Split(new[] { "\r\n" }, StringSplitOptions.None)[0].Split(' ');
        int status;
        if (statusLine.Length < 2 || !int.TryParse(statusLine[1], out status)) continue;
        var item = new JObject();
        item["contentId"] = ChangesetHeader(mime, "Content-ID") ?? ChangesetHeader(head, "Content-ID");
        item["status"] = status;
        var entityId = ChangesetHeader(head, "OData-EntityId");
        if (entityId != null)
        {
            item["entityId"] = entityId;
            var open = entityId.LastIndexOf('(');
            if (open >= 0 && entityId.EndsWith(")")) item["id"] = entityId.Substring(open + 1, entityId.Length - open - 2);
        }
        if (content.Length > 0)
        {
            try { item["body"] = JToken.Parse(content); }
            catch (Newtonsoft.Json.JsonException) { item["body"] = content; }
        }
        results.Add(item);
    }
}`;

/** The custom code of the changeset operation (see the decision above). */
export function changesetScriptPart(operationId: string = CHANGESET_OPERATION): ScriptPart {
  return {
    operationIds: [operationId],
    method: CHANGESET_METHOD,
    csharp: CSHARP,
    why:
      `Dataverse runs change sets only from multipart/mixed $batch requests, which a flow cannot send, so for ${operationId} the script turns the ` +
      'JSON list of writes into one change set and the multipart answer back into JSON.',
  };
}
