/**
 * A piece of the connector's custom code (script.csx). Power Automate runs one script per connector for the
 * operations listed in apiProperties.json `scriptOperations`; the parts are composed into that one script, which
 * dispatches on Context.OperationId and passes every other request through unchanged.
 */
export interface ScriptPart {
  /** The operations this part handles; an operationId belongs to at most one part. */
  operationIds: string[];
  /** Name of the C# method of the Script class that handles them. */
  method: string;
  /** The whole method: `private async Task<HttpResponseMessage> <method>() { ... }`. */
  csharp: string;
  /** One sentence for the runbook: what the script does for these operations and why Dataverse needs it. */
  why: string;
}
