/**
 * Small stand-ins for the n8n execution contexts a node method receives: enough of IExecuteFunctions,
 * ILoadOptionsFunctions and ICredentialTestFunctions to run the Dataverse node's code as n8n would.
 * Resource locators are resolved like n8n does with `extractValue`: url-mode values through the node's regex.
 */
import { Readable } from 'node:stream';
import { NodeOperationError } from 'n8n-workflow';
import type {
  IBinaryData,
  ICredentialDataDecryptedObject,
  ICredentialTestFunctions,
  IDataObject,
  IExecuteFunctions,
  ILoadOptionsFunctions,
  INode,
  INodeExecutionData,
  INodeProperties,
  INodeType,
  IPollFunctions,
} from 'n8n-workflow';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { emulatorCredentialData } from '../../scripts/n8n/emulator-credential';

export type Params = Record<string, unknown>;

export const TEST_NODE: INode = {
  id: 'node-1',
  name: 'Dataverse',
  type: 'n8n-nodes-dynamics365.dataverse',
  typeVersion: 1,
  position: [0, 0],
  parameters: {},
};

export function appCredentials(emulator: RunningEmulator, overrides: IDataObject = {}): ICredentialDataDecryptedObject {
  return emulatorCredentialData(emulator, overrides) as ICredentialDataDecryptedObject;
}

function getPath(params: Params, path: string): unknown {
  let value: unknown = params;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function extract(node: INodeType, name: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || !(value as { __rl?: boolean }).__rl) return value;
  const rl = value as { mode: string; value: unknown };
  const property = node.description.properties.find((p: INodeProperties) => p.name === name.split('.')[0] && p.type === 'resourceLocator');
  const mode = property?.modes?.find((m) => m.name === rl.mode);
  if (mode?.extractValue?.type === 'regex' && typeof rl.value === 'string') {
    const match = new RegExp(mode.extractValue.regex).exec(rl.value);
    if (!match) throw new Error(`ERROR: ${property?.displayName} URL '${rl.value}' does not match the expected format`);
    return match[1];
  }
  return rl.value;
}

function parameter(node: INodeType, params: Params, name: string, fallback: unknown, options?: { extractValue?: boolean }): any {
  let value = getPath(params, name);
  if (value === undefined) {
    if (fallback === undefined) throw new Error(`Could not get parameter '${name}'`);
    return fallback;
  }
  if (options?.extractValue) value = extract(node, name, value);
  return value;
}

export function rl(value: string, mode: 'list' | 'url' | 'id' = 'id') {
  return { __rl: true, mode, value };
}

export interface ExecuteOptions {
  /** Parameters of the node, the same for every item, or per item. */
  params: Params | ((itemIndex: number) => Params);
  items?: IDataObject[];
  /** Whole input items (json and binary); used instead of `items` when given. */
  inputs?: INodeExecutionData[];
  credentials: Record<string, ICredentialDataDecryptedObject>;
  continueOnFail?: boolean;
}

const MIME_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.bin': 'application/octet-stream',
};

/** Binary data as n8n keeps it in its default (in-memory) mode: base64 plus what it knows of the file. */
export function binaryData(data: Buffer, fileName?: string, mimeType?: string): IBinaryData {
  const extension = fileName ? /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase() : undefined;
  const binary: IBinaryData = {
    data: data.toString('base64'),
    mimeType: mimeType ?? (extension && MIME_TYPES[`.${extension}`]) ?? 'application/octet-stream',
    fileSize: `${data.length} B`,
    bytes: data.length,
  };
  if (fileName) binary.fileName = fileName;
  if (extension) binary.fileExtension = extension;
  return binary;
}

/** The binary helpers of IExecuteFunctions the node uses, with n8n's error for a missing binary field. */
function binaryHelpers(items: INodeExecutionData[]) {
  const assertBinaryData = (itemIndex: number, propertyName: string | IBinaryData): IBinaryData => {
    if (typeof propertyName !== 'string') return propertyName;
    const binary = items[itemIndex]?.binary?.[propertyName];
    if (!binary) {
      throw new NodeOperationError(TEST_NODE, `This operation expects the node's input data to contain a binary file '${propertyName}', but none was found [item ${itemIndex}]`, {
        itemIndex,
        description: 'Make sure that the previous node outputs a binary file',
      });
    }
    return binary;
  };
  const toBuffer = async (body: Buffer | Readable): Promise<Buffer> => {
    if (Buffer.isBuffer(body)) return body;
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(parts);
  };
  return {
    assertBinaryData,
    getBinaryDataBuffer: async (itemIndex: number, propertyName: string | IBinaryData) =>
      Buffer.from(assertBinaryData(itemIndex, propertyName).data, 'base64'),
    binaryToBuffer: toBuffer,
    prepareBinaryData: async (body: Buffer | Readable, filePath?: string, mimeType?: string) =>
      binaryData(await toBuffer(body), filePath?.split(/[\\/]/).pop(), mimeType),
  };
}

export function executeContext(node: INodeType, options: ExecuteOptions): IExecuteFunctions {
  const items: INodeExecutionData[] = options.inputs ?? (options.items ?? [{}]).map((json) => ({ json }));
  const paramsFor = (i: number) => (typeof options.params === 'function' ? options.params(i) : options.params);
  const ctx = {
    getInputData: () => items,
    // Static parameters are what the node holds; per-item ones stand for expressions, which the node cannot see.
    getNode: () => ({ ...TEST_NODE, parameters: typeof options.params === 'function' ? {} : (options.params as INode['parameters']) }),
    continueOnFail: () => options.continueOnFail === true,
    getNodeParameter: (name: string, itemIndex: number, fallback?: unknown, opts?: { extractValue?: boolean }) =>
      parameter(node, paramsFor(itemIndex), name, fallback, opts),
    getCredentials: async (type: string) => {
      const credentials = options.credentials[type];
      if (!credentials) throw new Error(`Node does not have any credentials of type '${type}' set`);
      return credentials;
    },
    helpers: {
      ...binaryHelpers(items),
      returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
      constructExecutionMetaData: (data: INodeExecutionData[], meta: { itemData: { item: number } }) =>
        data.map((d) => ({ ...d, pairedItem: meta.itemData })),
    },
  };
  return ctx as unknown as IExecuteFunctions;
}

export async function runNode(node: INodeType, options: ExecuteOptions): Promise<INodeExecutionData[]> {
  const result = await node.execute!.call(executeContext(node, options));
  return (result as INodeExecutionData[][])[0];
}

export function loadOptionsContext(node: INodeType, params: Params, credentials: Record<string, ICredentialDataDecryptedObject>): ILoadOptionsFunctions {
  const ctx = {
    getNode: () => TEST_NODE,
    getCurrentNodeParameter: (name: string, opts?: { extractValue?: boolean }) => {
      const value = getPath(params, name.replace(/^&/, ''));
      return opts?.extractValue ? extract(node, name, value) : value;
    },
    getNodeParameter: (name: string, fallback?: unknown, opts?: { extractValue?: boolean }) => parameter(node, params, name, fallback, opts),
    getCredentials: async (type: string) => {
      const credentials = credentials_(type);
      return credentials;
    },
  };
  const credentials_ = (type: string) => {
    const c = credentials[type];
    if (!c) throw new Error(`Node does not have any credentials of type '${type}' set`);
    return c;
  };
  return ctx as unknown as ILoadOptionsFunctions;
}

export function credentialTestContext(): ICredentialTestFunctions {
  const noop = () => undefined;
  return { logger: { debug: noop, info: noop, warn: noop, error: noop }, helpers: {} } as unknown as ICredentialTestFunctions;
}

/** An emulator for a test file plus the node's app-registration credentials pointing at it. */
export function useNodeEmulator(): { emulator: RunningEmulator; credentials: Record<string, ICredentialDataDecryptedObject> } {
  const env = {} as { emulator: RunningEmulator; credentials: Record<string, ICredentialDataDecryptedObject> };
  beforeAll(async () => {
    env.emulator = await startEmulator({ limits: 'off' });
    env.credentials = { dynamics365AppRegistrationApi: appCredentials(env.emulator) };
  });
  afterAll(async () => {
    await env.emulator?.stop();
  });
  return env;
}

/**
 * IPollFunctions for a polling trigger: parameters without item index, the node's static data (the object n8n keeps
 * per workflow; pass the same one again to stand for a restart) and the mode ('trigger' when active, 'manual' for
 * the editor's "Fetch Test Event").
 */
export function pollContext(
  node: INodeType,
  params: Params,
  credentials: Record<string, ICredentialDataDecryptedObject>,
  staticData: IDataObject = {},
  mode: 'manual' | 'trigger' = 'trigger',
): IPollFunctions {
  const ctx = {
    getNode: () => ({ ...TEST_NODE, name: node.description.displayName, type: `n8n-nodes-dynamics365.${node.description.name}`, parameters: params as INode['parameters'] }),
    getMode: () => mode,
    getActivationMode: () => (mode === 'manual' ? 'manual' : 'activate'),
    getWorkflowStaticData: (type: string) => {
      if (type !== 'node') throw new Error(`Only the node's static data is kept here, not '${type}'`);
      return staticData;
    },
    getPollBudgetMs: () => 60_000,
    getNodeParameter: (name: string, fallback?: unknown, opts?: { extractValue?: boolean }) => parameter(node, params, name, fallback, opts),
    getCredentials: async (type: string) => {
      const c = credentials[type];
      if (!c) throw new Error(`Node does not have any credentials of type '${type}' set`);
      return c;
    },
    helpers: {
      returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
    },
  };
  return ctx as unknown as IPollFunctions;
}
