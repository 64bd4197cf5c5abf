/**
 * Custom code rules (reference §1.1, §1.5): script.csx is there when settings.json or apiProperties.json refer to
 * it, every operation of `scriptOperations` exists in the swagger, the code is below 1 MB and has the shape Power
 * Automate compiles (a `Script` class deriving from ScriptBase with ExecuteAsync).
 */
import { LIMITS } from '../types';
import { operations } from './certification-rules';
import { type IssueList, isObject } from './report';

const MAX_SCRIPT_BYTES = LIMITS.maxScriptBytes;
export const SCRIPT_FILE_NAME = 'script.csx';

export interface ScriptInput {
  swagger: Record<string, unknown>;
  apiProperties?: unknown;
  settings?: unknown;
  /** The script file's bytes; null when the folder has none; undefined when only the documents are checked. */
  script?: Buffer | null;
}

export function checkScript({ swagger, apiProperties, settings, script }: ScriptInput, issues: IssueList): void {
  const props = isObject(apiProperties) && isObject(apiProperties.properties) ? apiProperties.properties : undefined;
  const listed = props?.scriptOperations;
  const named = isObject(settings) && typeof settings.script === 'string' ? settings.script : undefined;

  if (named !== undefined && script === null) {
    issues.error('script-missing', `settings.json names the custom code file '${named}', which is not in the connector folder.`, '/script', 'settings.json');
  }
  if (Array.isArray(listed) && listed.length > 0 && script === null) {
    issues.error('script-missing', `apiProperties.json lists scriptOperations but the connector folder has no ${SCRIPT_FILE_NAME}.`, '/properties/scriptOperations', 'apiProperties.json');
  }
  if (Array.isArray(listed)) {
    const ids = new Set(operations(swagger).map((o) => o.op.operationId));
    listed.forEach((id, i) => {
      if (typeof id !== 'string' || !ids.has(id)) {
        issues.error('script-operation-reference', `scriptOperations names the operation '${String(id)}', which could not be found in this swagger document.`, `/properties/scriptOperations/${i}`, 'apiProperties.json');
      }
    });
  }
  if (!script) return;
  if (named === undefined && isObject(settings)) {
    issues.warn('script-not-referenced', `The folder has ${SCRIPT_FILE_NAME} but settings.json has no 'script' entry, so paconn will not upload it.`, '', 'settings.json');
  }
  if (!Array.isArray(listed)) {
    issues.warn('script-operations-missing', `The folder has ${SCRIPT_FILE_NAME} but apiProperties.json has no scriptOperations; name the operations it handles.`, '/properties', 'apiProperties.json');
  }
  if (script.length >= MAX_SCRIPT_BYTES) {
    issues.error('script-size', `${SCRIPT_FILE_NAME} is ${script.length} bytes; custom code must be smaller than ${MAX_SCRIPT_BYTES} bytes (1 MB).`, '', SCRIPT_FILE_NAME);
  }
  const text = script.toString('utf8');
  if (!/\bclass\s+Script\s*:\s*ScriptBase\b/.test(text)) {
    issues.error('script-class', `${SCRIPT_FILE_NAME} must declare 'public class Script : ScriptBase'.`, '', SCRIPT_FILE_NAME);
  }
  if (!/\boverride\s+(async\s+)?Task<HttpResponseMessage>\s+ExecuteAsync\s*\(\s*\)/.test(text)) {
    issues.error('script-execute', `${SCRIPT_FILE_NAME} must override 'Task<HttpResponseMessage> ExecuteAsync()'.`, '', SCRIPT_FILE_NAME);
  }
}
