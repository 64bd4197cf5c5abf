/**
 * composeScript: the script parts of one connector into the one script.csx Power Automate runs. The class is
 * `Script : ScriptBase`; ExecuteAsync dispatches on Context.OperationId to the part that handles it and passes
 * every other request to the service unchanged (Power Automate sends only the operations listed in
 * `scriptOperations` to the script, but a script that forwards what it does not know stays correct if the list
 * and the script ever disagree).
 *
 * No `using` directives: Power Automate compiles the script with its own set of namespaces in scope (the part
 * authors write against those: System, System.Linq, System.Net, System.Net.Http, System.Text, System.Threading,
 * System.Threading.Tasks, Newtonsoft.Json, Newtonsoft.Json.Linq, ...), and a directive for any other namespace is
 * refused at import.
 */
import { LIMITS } from '../types';
import type { ScriptPart } from './types';

/** Power Automate refuses custom code of 1 MB or more. */
export const MAX_SCRIPT_BYTES = LIMITS.maxScriptBytes;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPERATION_ID = /^[A-Za-z][A-Za-z0-9]*$/;
/** Members ScriptBase already has, and the dispatcher itself: a part's method must not hide them. */
const RESERVED_METHODS = new Set(['ExecuteAsync', 'CreateJsonContent', 'Context', 'CancellationToken', 'Script', 'ScriptBase']);

export class ScriptCompositionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptCompositionError';
  }
}

/** Every operationId the parts handle, in part order: apiProperties.json `scriptOperations`. */
export function scriptOperationIds(parts: readonly ScriptPart[]): string[] {
  return parts.flatMap((p) => p.operationIds);
}

/** Checks the parts fit together; throws a ScriptCompositionError naming the part and the problem. */
export function checkScriptParts(parts: readonly ScriptPart[]): void {
  if (parts.length === 0) throw new ScriptCompositionError('A script needs at least one part; leave script.csx out when no operation needs custom code.');
  const owners = new Map<string, string>();
  const methods = new Set<string>();
  for (const part of parts) {
    const name = String(part.method);
    if (!IDENTIFIER.test(name)) throw new ScriptCompositionError(`The script part method '${name}' is not a C# identifier.`);
    if (RESERVED_METHODS.has(name)) throw new ScriptCompositionError(`The script part method '${name}' would hide a member of Script or ScriptBase; choose another name.`);
    if (methods.has(name)) throw new ScriptCompositionError(`Two script parts declare the method '${name}'.`);
    methods.add(name);
    if (!Array.isArray(part.operationIds) || part.operationIds.length === 0) {
      throw new ScriptCompositionError(`The script part '${name}' handles no operation.`);
    }
    for (const id of part.operationIds) {
      if (!OPERATION_ID.test(String(id))) throw new ScriptCompositionError(`The script part '${name}' names the operationId '${String(id)}', which is not PascalCase letters and digits.`);
      const owner = owners.get(id);
      if (owner) throw new ScriptCompositionError(`The operation '${id}' is handled by two script parts: '${owner}' and '${name}'.`);
      owners.set(id, name);
    }
    const declaration = new RegExp(`\\bTask<HttpResponseMessage>\\s+${name}\\s*\\(\\s*\\)`);
    if (typeof part.csharp !== 'string' || !declaration.test(part.csharp)) {
      throw new ScriptCompositionError(`The C# of the script part '${name}' must declare 'Task<HttpResponseMessage> ${name}()'.`);
    }
    if (/^\s*using\s+[A-Za-z_][\w.]*\s*;/m.test(part.csharp)) {
      throw new ScriptCompositionError(`The C# of the script part '${name}' has a using directive; name types by their full name instead.`);
    }
    if (typeof part.why !== 'string' || !part.why.trim()) throw new ScriptCompositionError(`The script part '${name}' says nothing about why it is needed.`);
  }
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split('\n')
    .map((line) => (line.trim() ? pad + line : ''))
    .join('\n');
}

export function composeScript(parts: readonly ScriptPart[]): string {
  checkScriptParts(parts);
  const cases = parts
    .map((part) => {
      const labels = part.operationIds.map((id) => `            case "${id}":`).join('\n');
      return `${labels}\n                return await this.${part.method}().ConfigureAwait(false);`;
    })
    .join('\n');
  const lines = [
    '// Custom code of this connector, generated with it: regenerate the connector rather than editing this file.',
    '// Power Automate sends the operations listed in scriptOperations of apiProperties.json here.',
    'public class Script : ScriptBase',
    '{',
    '    public override async Task<HttpResponseMessage> ExecuteAsync()',
    '    {',
    '        switch (this.Context.OperationId)',
    '        {',
    cases,
    '        }',
    '        return await this.Context.SendAsync(this.Context.Request, this.CancellationToken).ConfigureAwait(false);',
    '    }',
    ...parts.flatMap((part) => ['', indent(part.csharp, 4)]),
    '}',
    '',
  ];
  const script = lines.join('\n');
  const bytes = Buffer.byteLength(script, 'utf8');
  if (bytes >= MAX_SCRIPT_BYTES) {
    throw new ScriptCompositionError(`script.csx would be ${bytes} bytes; Power Automate accepts custom code below ${MAX_SCRIPT_BYTES} bytes (1 MB).`);
  }
  return script;
}
