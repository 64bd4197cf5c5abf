/**
 * The example workflows (workflows/*.json, read from the package's sources): placeholders filled in, created once
 * through n8n's public API and published. Placeholders are whole tokens inside string values:
 * `@@DATAVERSE_CREDENTIAL_ID@@`/`_NAME@@`, `@@FNO_CREDENTIAL_ID@@`/`_NAME@@`, `@@FILES_DIR@@` (the folder n8n's file
 * nodes may write to) and `@@NEW_UUID@@` (a fresh UUID each time, for webhook ids).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { N8nApi, WorkflowJson } from '../n8n/harness';
import { projectRoot } from './paths';

export const WORKFLOWS_DIR = path.join(projectRoot(), 'scripts', 'sandbox', 'workflows');

export interface ExampleWorkflow {
  file: string;
  id: string;
  name: string;
  active: boolean;
  /** Why publishing failed, when it did. */
  activationError?: string;
}

export function exampleWorkflowFiles(): string[] {
  return fs.readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith('.json')).sort();
}

function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/@@([A-Z_]+)@@/g, (token, name: string) => {
      if (name === 'NEW_UUID') return randomUUID();
      if (!(name in values)) throw new Error(`unknown placeholder ${token}`);
      return values[name];
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

export function loadExampleWorkflow(file: string, values: Record<string, string>): WorkflowJson {
  const full = path.join(WORKFLOWS_DIR, file);
  let parsed: WorkflowJson;
  try {
    parsed = JSON.parse(fs.readFileSync(full, 'utf8')) as WorkflowJson;
  } catch (e) {
    throw new Error(`${full}: ${(e as Error).message}`);
  }
  return fill(parsed, values) as WorkflowJson;
}

async function exists(api: N8nApi, id: string): Promise<any | undefined> {
  try {
    return await api.publicApi('GET', `/workflows/${id}`);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

/** Publishes; a 409 means an unpublish still runs in the background, so it is asked again for up to a minute. */
async function publish(api: N8nApi, id: string): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await api.publicApi('POST', `/workflows/${id}/activate`);
      return undefined;
    } catch (e) {
      if ((e as { status?: number }).status !== 409 || Date.now() > deadline) return (e as Error).message;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Creates the workflows not imported before and publishes them; workflows imported before are left as the user
 * left them, except that `republish` (the credentials were repointed) publishes the active ones again, so their
 * triggers register with the emulator through the new URL.
 */
export async function ensureExampleWorkflows(
  api: N8nApi,
  imported: Record<string, string>,
  values: Record<string, string>,
  republish: boolean,
  saveImported: () => void,
): Promise<ExampleWorkflow[]> {
  const result: ExampleWorkflow[] = [];
  for (const file of exampleWorkflowFiles()) {
    const known = imported[file] ? await exists(api, imported[file]) : undefined;
    if (imported[file] && !known) continue; // deleted by the user: not brought back
    if (known) {
      let activationError: string | undefined;
      if (republish && known.active) {
        await api.publicApi('POST', `/workflows/${known.id}/deactivate`).catch(() => undefined);
        activationError = await publish(api, String(known.id));
      }
      result.push({ file, id: String(known.id), name: known.name, active: !activationError && Boolean(known.active), ...(activationError ? { activationError } : {}) });
      continue;
    }
    const workflow = loadExampleWorkflow(file, values);
    const id = await api.createWorkflow(workflow);
    imported[file] = id;
    saveImported(); // at once: a start interrupted later must not import it a second time
    const activationError = await publish(api, id);
    result.push({ file, id, name: workflow.name ?? file, active: !activationError, ...(activationError ? { activationError } : {}) });
  }
  return result;
}
