/**
 * The script.csx part behind GetActionParameters (action-parameters.ts). Dataverse has no endpoint that describes
 * a Web API action's parameters as JSON (only $metadata, which is XML and lists every operation of the service),
 * so the parameters of the actions the connector offers are embedded at generation time, in the compact form of
 * action-parameter-spec.ts, and the script answers the designer itself: Dataverse never receives the request.
 *
 * The answer is `{ "action": <name>, "binding": "bound" | "unbound", "schema": <JSON Schema> }`, the schema being
 * `{"type":"object","properties":{…},"required":[…]}` with one property per parameter: Edm strings, numbers and
 * booleans as their JSON Schema types and formats (Guid uuid, DateTimeOffset date-time, Int32 integer int32,
 * Decimal number decimal, Binary string byte), rows (entity types) as objects that name their table in
 * "@odata.type", complex types as objects, enums as strings of their members, collections as arrays.
 * An unknown name is a 404 that says whether the action exists with the other binding or under another case.
 */
import type { ScriptPart } from '../script/types';
import { csharpString } from './action-parameter-spec';

export const ACTION_PARAMETERS_METHOD = 'ActionParametersAsync';
/** The query parameter that says which list the name is looked up in. */
export const BINDINGS = ['bound', 'unbound'] as const;
export type ActionBinding = (typeof BINDINGS)[number];

export interface ActionParametersScriptInput {
  operationId: string;
  /** The model's namespace: types written without one in the specs belong to it. */
  namespace: string;
  bound: Map<string, string>;
  unbound: Map<string, string>;
}

function dictionary(specs: Map<string, string>): string {
  if (!specs.size) return 'new Dictionary<string, string>(StringComparer.Ordinal)';
  const entries = [...specs].map(([name, spec]) => `        [${csharpString(name)}] = ${csharpString(spec)},`);
  return ['new Dictionary<string, string>(StringComparer.Ordinal)', '    {', ...entries, '    }'].join('\n');
}

const BODY = String.raw`
    Func<HttpStatusCode, string, string, Task<HttpResponseMessage>> fail = (status, code, message) => Task.FromResult(new HttpResponseMessage(status)
    {
        Content = CreateJsonContent(new JObject { ["error"] = new JObject { ["code"] = code, ["message"] = message } }.ToString()),
    });

    // .../{actionName}/$parameters?binding=bound|unbound
    var uri = this.Context.Request.RequestUri;
    var segments = uri.AbsolutePath.TrimEnd('/').Split('/').Select(s => Uri.UnescapeDataString(s)).ToArray();
    if (segments.Length < 2 || segments[segments.Length - 1] != "$parameters") return fail(HttpStatusCode.BadRequest, "0x80040203", "The request does not name an action.");
    var name = segments[segments.Length - 2];
    if (name.StartsWith(Namespace + ".", StringComparison.Ordinal)) name = name.Substring(Namespace.Length + 1);
    if (!Regex.IsMatch(name, "^[\\p{L}_][\\p{L}\\p{N}_]{0,127}$")) return fail(HttpStatusCode.BadRequest, "0x80040203", "'" + name + "' is not an action name (for example WinOpportunity).");
    string binding = null;
    foreach (var pair in uri.Query.TrimStart('?').Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
    {
        var at = pair.IndexOf('=');
        if (at > 0 && Uri.UnescapeDataString(pair.Substring(0, at)) == "binding") binding = Uri.UnescapeDataString(pair.Substring(at + 1));
    }
    if (binding != "bound" && binding != "unbound") return fail(HttpStatusCode.BadRequest, "0x80040203", "The binding '" + binding + "' is not one of bound, unbound.");

    var actions = binding == "bound" ? bound : unbound;
    var others = binding == "bound" ? unbound : bound;
    string spec;
    if (!actions.TryGetValue(name, out spec))
    {
        if (others.ContainsKey(name)) return fail(HttpStatusCode.NotFound, "0x80060888", "'" + name + "' is " + (binding == "bound" ? "an unbound action: perform it with Perform an unbound action." : "bound to a table: perform it on a row with Perform a bound action."));
        var near = actions.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        if (near != null) return fail(HttpStatusCode.NotFound, "0x80060888", "No " + binding + " action is named '" + name + "'; action names are case-sensitive: did you mean '" + near + "'?");
        return fail(HttpStatusCode.NotFound, "0x80060888", "No " + binding + " action named '" + name + "' was in the metadata this connector was generated from; pick one from the list, or regenerate the connector for actions added since.");
    }

    Func<string, string> words = text => Regex.Replace(text, "(?<=[\\p{Ll}\\p{N}])(?=\\p{Lu})", " ");
    Func<string, string> qualified = type => type.Contains(".") ? type : Namespace + "." + type;
    Func<string, string, JObject> describe = (parameter, type) =>
    {
        if (type.Length == 0) return new JObject { ["description"] = "The " + parameter + " parameter: any JSON value." };
        var rest = type.Substring(1);
        switch (type[0])
        {
            case '@':
                return new JObject
                {
                    ["type"] = "object",
                    ["description"] = rest == "crmbaseentity"
                        ? "A row of any table: its columns by logical name, with \"@odata.type\": \"" + Namespace + ".<table logical name>\"."
                        : "A row of the " + rest + " table: its columns by logical name, with \"@odata.type\": \"" + qualified(rest) + "\".",
                };
            case '#':
                return new JObject { ["type"] = "object", ["description"] = "A " + qualified(rest) + " value as a JSON object." };
            case '%':
            case '^':
                var equals = rest.IndexOf('=');
                var members = rest.Substring(equals + 1).Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries);
                var choice = new JObject { ["type"] = "string", ["description"] = "A " + qualified(rest.Substring(0, equals)) + " value: " + (type[0] == '^' ? "one or more of " : "one of ") + string.Join(", ", members) + (type[0] == '^' ? ", separated by commas." : ".") };
                if (type[0] == '%' && members.Length > 0) choice["enum"] = new JArray(members);
                return choice;
        }
        var schema = new JObject();
        switch (type)
        {
            case "String": schema["type"] = "string"; break;
            case "Guid": schema["type"] = "string"; schema["format"] = "uuid"; break;
            case "Boolean": schema["type"] = "boolean"; break;
            case "Byte": case "SByte": case "Int16": case "Int32": schema["type"] = "integer"; schema["format"] = "int32"; break;
            case "Int64": schema["type"] = "integer"; schema["format"] = "int64"; break;
            case "Decimal": schema["type"] = "number"; schema["format"] = "decimal"; break;
            case "Double": schema["type"] = "number"; schema["format"] = "double"; break;
            case "Single": schema["type"] = "number"; schema["format"] = "float"; break;
            case "Date": schema["type"] = "string"; schema["format"] = "date"; break;
            case "DateTimeOffset": schema["type"] = "string"; schema["format"] = "date-time"; break;
            case "TimeOfDay": case "Duration": schema["type"] = "string"; break;
            case "Binary": schema["type"] = "string"; schema["format"] = "byte"; break;
        }
        schema["description"] = "The " + parameter + " parameter (Edm." + type + ").";
        return schema;
    };

    var properties = new JObject();
    var required = new JArray();
    foreach (var entry in spec.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
    {
        var text = entry;
        var isRequired = text[0] == '+';
        if (isRequired) text = text.Substring(1);
        var many = text[0] == '*';
        if (many) text = text.Substring(1);
        var colon = text.IndexOf(':');
        var parameter = text.Substring(0, colon);
        var schema = describe(parameter, text.Substring(colon + 1));
        if (many) schema = new JObject { ["type"] = "array", ["items"] = schema, ["description"] = "The " + parameter + " parameter: a list." };
        schema["x-ms-summary"] = words(parameter);
        properties[parameter] = schema;
        if (isRequired) required.Add(parameter);
    }
    var result = new JObject { ["type"] = "object", ["properties"] = properties };
    if (required.Count > 0) result["required"] = required;
    var answer = new JObject { ["action"] = name, ["binding"] = binding, ["schema"] = result };
    return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = CreateJsonContent(answer.ToString(Newtonsoft.Json.Formatting.None)) });
`;

/** The C# of the part: the method, its two tables of actions and the namespace as locals of the method. */
export function actionParametersCsharp(input: ActionParametersScriptInput): string {
  return [
    `private Task<HttpResponseMessage> ${ACTION_PARAMETERS_METHOD}()`,
    '{',
    `    const string Namespace = ${csharpString(input.namespace)};`,
    '    // Generated from $metadata: action name → parameters as [+required][*collection]Name:Type, separated by ;',
    `    var bound = ${dictionary(input.bound).replace(/\n/g, '\n    ')};`,
    `    var unbound = ${dictionary(input.unbound).replace(/\n/g, '\n    ')};`,
    BODY.replace(/^\n/, '').trimEnd(),
    '}',
  ].join('\n');
}

export function actionParametersScriptPart(input: ActionParametersScriptInput): ScriptPart {
  return {
    operationIds: [input.operationId],
    method: ACTION_PARAMETERS_METHOD,
    csharp: actionParametersCsharp(input),
    why:
      `Dataverse has no endpoint that describes a Web API action's parameters as JSON, while the designer needs a JSON Schema for the action the flow names; ` +
      `for ${input.operationId} the script answers from the parameters of the ${input.bound.size + input.unbound.size} actions embedded at generation time, without calling Dataverse.`,
  };
}
