/**
 * registerWebhook / unregisterWebhook: a webhook is a serviceendpoint (contract 8) plus one
 * sdkmessageprocessingstep per event and its images (reference §12.1). Registration is find-or-create at every
 * level, keyed by what identifies each row (endpoint: name + url; step: endpoint + message + filter; image: step +
 * image type), so calling it again converges: nothing doubled, and a run interrupted after any request is
 * completed by the next. Unregistering deletes images, steps, then the endpoint, and treats "gone" as done.
 */
import type { DataverseClient } from '../client';
import type { Row } from '../crud';
import { invalidArgument } from '../errors';
import { authColumns } from './auth-value';
import {
  checkEvents, checkLogicalName, checkText, checkUrl, columnsText, deleteIfPresent, listRows, MESSAGE_NAMES, oldestFirst, q,
  sdkMessageFilterId, sdkMessageId,
} from './lookup';
import type { ImageColumns, RegisterWebhookOptions, UnregisterResult, UnregisterWebhookTarget, WebhookEvent, WebhookRegistration } from './types';

const WEBHOOK_CONTRACT = 8;
const JSON_FORMAT = 2;
const POST_OPERATION = 40;
const IMAGE_PRE = 0;
const IMAGE_POST = 1;
const OP = 'registerWebhook';

interface WantedImage {
  type: number;
  alias: string;
  attributes: string | null;
}

function imageColumns(value: ImageColumns | undefined, what: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'all') return null;
  const text = columnsText(value, OP, what);
  if (text === null) throw invalidArgument(`${OP}: ${what} must be 'all' or a non-empty list of columns.`);
  return text;
}

function wantedImages(event: WebhookEvent, pre: string | null | undefined, post: string | null | undefined): WantedImage[] {
  const out: WantedImage[] = [];
  // No pre image exists on Create and no post image on Delete.
  if (pre !== undefined && event !== 'create') out.push({ type: IMAGE_PRE, alias: 'PreImage', attributes: pre });
  if (post !== undefined && event !== 'delete') out.push({ type: IMAGE_POST, alias: 'PostImage', attributes: post });
  return out;
}

async function findEndpoints(client: DataverseClient, name: string, url: string): Promise<Row[]> {
  return oldestFirst(await listRows(client, 'serviceendpoints', `contract eq ${WEBHOOK_CONTRACT} and name eq ${q(name)} and url eq ${q(url)}`, ['serviceendpointid', 'createdon']));
}

async function stepsOf(client: DataverseClient, endpointId: string): Promise<Row[]> {
  return oldestFirst(await listRows(client, 'sdkmessageprocessingsteps', `_eventhandler_value eq ${endpointId}`, [
    'sdkmessageprocessingstepid', '_sdkmessageid_value', '_sdkmessagefilterid_value', 'createdon',
  ]));
}

async function imagesOf(client: DataverseClient, stepId: string): Promise<Row[]> {
  return oldestFirst(await listRows(client, 'sdkmessageprocessingstepimages', `_sdkmessageprocessingstepid_value eq ${stepId}`, [
    'sdkmessageprocessingstepimageid', 'imagetype', 'createdon',
  ]));
}

async function removeStep(client: DataverseClient, stepId: string, removed?: UnregisterResult): Promise<void> {
  for (const image of await imagesOf(client, stepId)) {
    const id = String(image.sdkmessageprocessingstepimageid);
    if (await deleteIfPresent(client, 'sdkmessageprocessingstepimages', id)) removed?.imageIds.push(id);
  }
  if (await deleteIfPresent(client, 'sdkmessageprocessingsteps', stepId)) removed?.stepIds.push(stepId);
}

async function removeEndpoint(client: DataverseClient, endpointId: string, removed: UnregisterResult): Promise<void> {
  for (const step of await stepsOf(client, endpointId)) await removeStep(client, String(step.sdkmessageprocessingstepid), removed);
  if (await deleteIfPresent(client, 'serviceendpoints', endpointId)) removed.serviceEndpointIds.push(endpointId);
}

async function syncImages(client: DataverseClient, stepId: string, event: WebhookEvent, wanted: WantedImage[]): Promise<{ pre?: string; post?: string }> {
  const existing = await imagesOf(client, stepId);
  const ids: { pre?: string; post?: string } = {};
  const kept = new Set<string>();
  for (const image of wanted) {
    const body: Row = {
      name: image.alias,
      entityalias: image.alias,
      imagetype: image.type,
      // Create has no Target to image before it exists; its image is keyed by the created Id.
      messagepropertyname: event === 'create' ? 'Id' : 'Target',
      attributes: image.attributes,
    };
    const found = existing.find((row) => Number(row.imagetype) === image.type && !kept.has(String(row.sdkmessageprocessingstepimageid)));
    let id: string;
    if (found) {
      id = String(found.sdkmessageprocessingstepimageid);
      await client.update('sdkmessageprocessingstepimages', id, body);
    } else {
      id = (await client.create('sdkmessageprocessingstepimages', { ...body, 'sdkmessageprocessingstepid@odata.bind': `/sdkmessageprocessingsteps(${stepId})` })).id;
    }
    kept.add(id);
    ids[image.type === IMAGE_PRE ? 'pre' : 'post'] = id;
  }
  for (const row of existing) {
    const id = String(row.sdkmessageprocessingstepimageid);
    if (!kept.has(id)) await deleteIfPresent(client, 'sdkmessageprocessingstepimages', id);
  }
  return ids;
}

export async function registerWebhook(client: DataverseClient, options: RegisterWebhookOptions): Promise<WebhookRegistration> {
  if (typeof options !== 'object' || options === null) throw invalidArgument(`${OP}: options are required.`);
  const name = checkText(options.name, 'name', OP, 200);
  const url = checkUrl(options.url, OP);
  const table = checkLogicalName(options.table, 'table', OP);
  const events = checkEvents(options.events, OP);
  const filtering = columnsText(options.filteringColumns, OP, 'filteringColumns');
  const pre = imageColumns(options.images?.pre, 'images.pre');
  const post = imageColumns(options.images?.post, 'images.post');
  const mode = options.mode ?? 'async';
  if (mode !== 'async' && mode !== 'sync') throw invalidArgument(`${OP}: mode must be 'async' or 'sync'.`);
  const auth = authColumns(options.auth, OP);

  // Everything is resolved before anything is written, so a bad table or message leaves no half registration.
  const ids = new Map<WebhookEvent, { messageId: string; filterId: string }>();
  for (const event of events) {
    const messageId = await sdkMessageId(client, event);
    ids.set(event, { messageId, filterId: await sdkMessageFilterId(client, messageId, table, event) });
  }

  // 1. The endpoint: reuse (and re-key: authvalue cannot be read back) or create; later duplicates are removed.
  const endpointBody: Row = { name, url, contract: WEBHOOK_CONTRACT, messageformat: JSON_FORMAT, ...auth };
  const [endpoint, ...duplicates] = await findEndpoints(client, name, url);
  let serviceEndpointId: string;
  if (endpoint) {
    serviceEndpointId = String(endpoint.serviceendpointid);
    await client.update('serviceendpoints', serviceEndpointId, endpointBody);
  } else {
    serviceEndpointId = (await client.create('serviceendpoints', endpointBody)).id;
  }
  const scratch: UnregisterResult = { serviceEndpointIds: [], stepIds: [], imageIds: [] };
  for (const dup of duplicates) await removeEndpoint(client, String(dup.serviceendpointid), scratch);

  // 2. Steps: one per wanted event, matched by message + filter; any other step of this endpoint is removed.
  const existing = await stepsOf(client, serviceEndpointId);
  const result: WebhookRegistration = { serviceEndpointId, stepIds: {}, imageIds: {} };
  const kept = new Set<string>();
  for (const event of events) {
    const { messageId, filterId } = ids.get(event)!;
    const body: Row = {
      name: `${name}: ${MESSAGE_NAMES[event]} of ${table}`,
      stage: POST_OPERATION,
      mode: mode === 'async' ? 1 : 0,
      rank: 1,
      supporteddeployment: 0,
      asyncautodelete: mode === 'async',
      filteringattributes: event === 'update' ? filtering : null,
    };
    const found = existing.find((s) => s._sdkmessageid_value === messageId && s._sdkmessagefilterid_value === filterId && !kept.has(String(s.sdkmessageprocessingstepid)));
    let stepId: string;
    if (found) {
      stepId = String(found.sdkmessageprocessingstepid);
      await client.update('sdkmessageprocessingsteps', stepId, body);
    } else {
      stepId = (await client.create('sdkmessageprocessingsteps', {
        ...body,
        'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${serviceEndpointId})`,
        'sdkmessageid@odata.bind': `/sdkmessages(${messageId})`,
        'sdkmessagefilterid@odata.bind': `/sdkmessagefilters(${filterId})`,
      })).id;
    }
    kept.add(stepId);
    result.stepIds[event] = stepId;
    const images = await syncImages(client, stepId, event, wantedImages(event, pre, post));
    if (images.pre || images.post) result.imageIds[event] = images;
  }
  for (const step of existing) {
    const id = String(step.sdkmessageprocessingstepid);
    if (!kept.has(id)) await removeStep(client, id);
  }
  return result;
}

export async function unregisterWebhook(client: DataverseClient, target: UnregisterWebhookTarget): Promise<UnregisterResult> {
  const op = 'unregisterWebhook';
  const removed: UnregisterResult = { serviceEndpointIds: [], stepIds: [], imageIds: [] };
  if (typeof target !== 'object' || target === null) throw invalidArgument(`${op}: a name and url, or a serviceEndpointId, is required.`);
  let endpointIds: string[];
  if ('serviceEndpointId' in target) {
    const id = String(target.serviceEndpointId ?? '').toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw invalidArgument(`${op}: serviceEndpointId must be a GUID.`);
    endpointIds = [id];
  } else {
    const name = checkText(target.name, 'name', op, 200);
    const url = checkText(target.url, 'url', op, 2000);
    endpointIds = (await findEndpoints(client, name, url)).map((row) => String(row.serviceendpointid));
  }
  for (const id of endpointIds) await removeEndpoint(client, id, removed);
  return removed;
}


