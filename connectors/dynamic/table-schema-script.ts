/**
 * The script.csx part behind GetTableSchema (table-schema.ts): Dataverse describes a table's columns as attribute
 * metadata, while x-ms-dynamic-schema / x-ms-dynamic-properties need a JSON Schema at their value-path, so the
 * script turns one into the other:
 *
 * 1. `EntityDefinitions(EntitySetName='accounts')` becomes `EntityDefinitions?$filter=EntitySetName eq 'accounts'`
 *    (Dataverse keys table definitions by LogicalName or MetadataId only, while the row operations name tables by
 *    entity set); the swagger's own $select and $expand (attributes, many-to-one relationships) are kept.
 * 2. Choice options, text lengths and date formats live on derived attribute types, which an un-cast Attributes
 *    expansion cannot select: one request per cast (Picklist, State, Status with OptionSet; String and Memo with
 *    MaxLength; DateTime with Format), in parallel.
 * 3. The answer is `{ "schema": <JSON Schema>, "table": {...} }` for the `purpose` the caller asks for:
 *    - create / update / upsert: the columns valid for that write (IsValidForCreate / IsValidForUpdate), lookups as
 *      `<navigation>@odata.bind` (one per target table of a customer or owner column), choices as integer enums with
 *      x-ms-enum-values; `required` for create only: ApplicationRequired or SystemRequired columns the caller must
 *      give (not the primary key, owner, state or status, which Dataverse fills in, and not lookups, which have one
 *      property per target);
 *    - read: every readable column as Dataverse returns it (`_<lookup>_value`, formatted values of choices, money,
 *      dates and lookups), read-only where neither create nor update may set it.
 * Writes leave out companion columns (AttributeOf set) and virtual columns (files, images have their own
 * operations); a read schema has them, as Dataverse returns them in rows.
 */
import type { ScriptPart } from '../script/types';

export const TABLE_SCHEMA_METHOD = 'TableSchemaAsync';
export const SCHEMA_PURPOSES = ['create', 'update', 'upsert', 'read'] as const;
export type SchemaPurpose = (typeof SCHEMA_PURPOSES)[number];

const CSHARP = String.raw`private async Task<HttpResponseMessage> ${TABLE_SCHEMA_METHOD}()
{
    var request = this.Context.Request;
    Func<HttpStatusCode, string, HttpResponseMessage> fail = (status, message) => new HttpResponseMessage(status)
    {
        Content = CreateJsonContent(new JObject { ["error"] = new JObject { ["code"] = "0x80040203", ["message"] = message } }.ToString()),
    };
    Func<string, HttpRequestMessage> get = url =>
    {
        var message = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var header in request.Headers) message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return message;
    };

    // .../EntityDefinitions(EntitySetName='accounts'): the key becomes a $filter.
    var uri = request.RequestUri;
    var path = uri.AbsolutePath;
    const string marker = "/EntityDefinitions(EntitySetName=";
    var at = path.LastIndexOf(marker, StringComparison.Ordinal);
    if (at < 0 || !path.EndsWith(")", StringComparison.Ordinal)) return fail(HttpStatusCode.BadRequest, "The request does not name a table by its entity set name.");
    var quoted = Uri.UnescapeDataString(path.Substring(at + marker.Length, path.Length - at - marker.Length - 1));
    var entitySet = quoted.Length >= 2 && quoted.StartsWith("'", StringComparison.Ordinal) && quoted.EndsWith("'", StringComparison.Ordinal) ? quoted.Substring(1, quoted.Length - 2).Replace("''", "'") : quoted;
    if (!Regex.IsMatch(entitySet, "^[A-Za-z_][A-Za-z0-9_]{0,127}$")) return fail(HttpStatusCode.BadRequest, "'" + entitySet + "' is not an entity set name (for example accounts).");

    var purpose = "create";
    var query = new List<string>();
    foreach (var pair in uri.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
    {
        var name = Uri.UnescapeDataString(pair.Split('=')[0]);
        if (name == "purpose") purpose = Uri.UnescapeDataString(pair.Substring(pair.IndexOf('=') + 1));
        else if (name != "$filter") query.Add(pair);
    }
    if (purpose != "create" && purpose != "update" && purpose != "upsert" && purpose != "read") return fail(HttpStatusCode.BadRequest, "The purpose '" + purpose + "' is not one of create, update, upsert, read.");
    query.Add("$filter=" + Uri.EscapeDataString("EntitySetName eq '" + entitySet + "'"));
    var root = uri.GetLeftPart(UriPartial.Authority) + path.Substring(0, at);

    var tableResponse = await this.Context.SendAsync(get(root + "/EntityDefinitions?" + string.Join("&", query)), this.CancellationToken).ConfigureAwait(false);
    if (!tableResponse.IsSuccessStatusCode) return tableResponse;
    var tables = JObject.Parse(await tableResponse.Content.ReadAsStringAsync().ConfigureAwait(false))["value"] as JArray;
    if (tables == null || tables.Count == 0) return fail(HttpStatusCode.NotFound, "No table has the entity set name '" + entitySet + "'.");
    var table = (JObject)tables[0];
    var logicalName = (string)table["LogicalName"];

    // Options and lengths are properties of the derived attribute types: one cast request each, in parallel.
    var definition = root + "/EntityDefinitions(LogicalName='" + logicalName + "')/Attributes/Microsoft.Dynamics.CRM.";
    var casts = new[]
    {
        "PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)",
        "StateAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)",
        "StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)",
        "StringAttributeMetadata?$select=LogicalName,MaxLength",
        "MemoAttributeMetadata?$select=LogicalName,MaxLength",
        "DateTimeAttributeMetadata?$select=LogicalName,Format",
    };
    var castResponses = await Task.WhenAll(casts.Select(c => this.Context.SendAsync(get(definition + c), this.CancellationToken))).ConfigureAwait(false);
    var options = new Dictionary<string, JArray>();
    var lengths = new Dictionary<string, int>();
    var dateOnly = new HashSet<string>();
    foreach (var castResponse in castResponses)
    {
        if (!castResponse.IsSuccessStatusCode) return castResponse;
        foreach (var attribute in (JArray)JObject.Parse(await castResponse.Content.ReadAsStringAsync().ConfigureAwait(false))["value"])
        {
            var name = (string)attribute["LogicalName"];
            var set = attribute["OptionSet"] as JObject;
            if (set != null && set["Options"] is JArray) options[name] = (JArray)set["Options"];
            if (attribute["MaxLength"] != null && attribute["MaxLength"].Type == JTokenType.Integer) lengths[name] = (int)attribute["MaxLength"];
            if ((string)attribute["Format"] == "DateOnly") dateOnly.Add(name);
        }
    }

    Func<JToken, string> label = token => token == null ? null : (string)token.SelectToken("UserLocalizedLabel.Label");
    var navigations = new Dictionary<string, List<JObject>>();
    foreach (JObject relationship in (table["ManyToOneRelationships"] as JArray) ?? new JArray())
    {
        var attribute = (string)relationship["ReferencingAttribute"];
        if (string.IsNullOrEmpty(attribute) || string.IsNullOrEmpty((string)relationship["ReferencingEntityNavigationPropertyName"])) continue;
        if (!navigations.ContainsKey(attribute)) navigations[attribute] = new List<JObject>();
        navigations[attribute].Add(relationship);
    }

    var properties = new JObject();
    var required = new JArray();
    var read = purpose == "read";
    if (read) properties["@odata.etag"] = new JObject { ["type"] = "string", ["x-ms-summary"] = "ETag", ["description"] = "Version of the row, for optimistic concurrency." };
    foreach (JObject attribute in (table["Attributes"] as JArray) ?? new JArray())
    {
        var name = (string)attribute["LogicalName"];
        var type = (string)attribute["AttributeType"];
        var companion = attribute["AttributeOf"] != null && attribute["AttributeOf"].Type == JTokenType.String;
        if (string.IsNullOrEmpty(name) || !read && (companion || type == "Virtual")) continue;
        var forCreate = attribute.Value<bool?>("IsValidForCreate") == true;
        var forUpdate = attribute.Value<bool?>("IsValidForUpdate") == true;
        var usable = purpose == "create" ? forCreate : purpose == "update" ? forUpdate : purpose == "upsert" ? forCreate || forUpdate : attribute.Value<bool?>("IsValidForRead") != false;
        if (!usable) continue;
        var title = label(attribute["DisplayName"]) ?? name;
        var text = label(attribute["Description"]);
        var about = string.IsNullOrEmpty(text) ? "The " + title + " column (" + name + ")." : text;
        var lookup = type == "Lookup" || type == "Customer" || type == "Owner";
        if (lookup)
        {
            if (read)
            {
                properties["_" + name + "_value"] = new JObject { ["type"] = "string", ["format"] = "uuid", ["x-ms-summary"] = title, ["description"] = "ID of the row " + name + " refers to.", ["readOnly"] = !forCreate && !forUpdate };
                properties["_" + name + "_value@OData.Community.Display.V1.FormattedValue"] = new JObject { ["type"] = "string", ["x-ms-summary"] = title + " (name)", ["description"] = "Primary name of the row " + name + " refers to." };
                continue;
            }
            List<JObject> targets;
            if (!navigations.TryGetValue(name, out targets)) continue;
            foreach (var target in targets)
            {
                var entity = (string)target["ReferencedEntity"];
                properties[(string)target["ReferencingEntityNavigationPropertyName"] + "@odata.bind"] = new JObject
                {
                    ["type"] = "string",
                    ["x-ms-summary"] = targets.Count > 1 ? title + " (" + entity + ")" : title,
                    ["description"] = "The " + entity + " row to link, as /<entity set of " + entity + ">(<row id>).",
                };
            }
            continue;
        }
        var schema = new JObject();
        switch (type)
        {
            case "String": case "Memo": case "EntityName":
                schema["type"] = "string";
                if (lengths.ContainsKey(name)) schema["maxLength"] = lengths[name];
                break;
            case "Integer": schema["type"] = "integer"; schema["format"] = "int32"; break;
            case "BigInt": schema["type"] = "integer"; schema["format"] = "int64"; break;
            case "Decimal": case "Money": schema["type"] = "number"; schema["format"] = "decimal"; break;
            case "Double": schema["type"] = "number"; schema["format"] = "double"; break;
            case "Boolean": schema["type"] = "boolean"; break;
            case "DateTime":
                schema["type"] = "string";
                schema["format"] = dateOnly.Contains(name) ? "date" : "date-time";
                break;
            case "Uniqueidentifier": schema["type"] = "string"; schema["format"] = "uuid"; break;
            case "Picklist": case "State": case "Status":
                schema["type"] = "integer";
                schema["format"] = "int32";
                JArray choices;
                if (options.TryGetValue(name, out choices) && choices.Count > 0)
                {
                    schema["enum"] = new JArray(choices.Select(o => o["Value"]));
                    schema["x-ms-enum-values"] = new JArray(choices.Select(o => new JObject { ["value"] = o["Value"], ["displayName"] = label(o["Label"]) ?? (string)o["Value"] }));
                }
                break;
            case "Virtual":
                // Read only: a file column holds the file's ID, an image column the image as base64.
                schema["type"] = "string";
                break;
            default:
                if (!read) continue;
                break;
        }
        schema["x-ms-summary"] = title;
        schema["description"] = about;
        if (read)
        {
            if (!forCreate && !forUpdate) schema["readOnly"] = true;
            properties[name] = schema;
            if (type == "Picklist" || type == "State" || type == "Status" || type == "Money" || type == "DateTime")
            {
                properties[name + "@OData.Community.Display.V1.FormattedValue"] = new JObject { ["type"] = "string", ["x-ms-summary"] = title + " (formatted)", ["description"] = "The " + title + " value as shown to users." };
            }
            continue;
        }
        properties[name] = schema;
        var level = (string)attribute.SelectToken("RequiredLevel.Value");
        if (purpose == "create" && (level == "ApplicationRequired" || level == "SystemRequired") && attribute.Value<bool?>("IsPrimaryId") != true && type != "State" && type != "Status")
        {
            required.Add(name);
        }
    }

    var result = new JObject { ["type"] = "object", ["properties"] = properties };
    if (required.Count > 0) result["required"] = required;
    var answer = new JObject
    {
        ["schema"] = result,
        ["table"] = new JObject
        {
            ["LogicalName"] = logicalName,
            ["EntitySetName"] = table["EntitySetName"],
            ["PrimaryIdAttribute"] = table["PrimaryIdAttribute"],
            ["PrimaryNameAttribute"] = table["PrimaryNameAttribute"],
        },
    };
    return new HttpResponseMessage(HttpStatusCode.OK) { Content = CreateJsonContent(answer.ToString(Newtonsoft.Json.Formatting.None)) };
}`;

export function tableSchemaScriptPart(operationId: string): ScriptPart {
  return {
    operationIds: [operationId],
    method: TABLE_SCHEMA_METHOD,
    csharp: CSHARP,
    why:
      `Dataverse describes a table's columns as attribute metadata, keyed by the table's logical name, while the designer needs a JSON Schema for the table the flow names by entity set; ` +
      `for ${operationId} the script finds the table by entity set name, reads its columns, choices and lookups, and answers with the JSON Schema of the row for create, update, upsert or read.`,
  };
}
