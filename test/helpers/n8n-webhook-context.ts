/**
 * Stand-ins for the contexts n8n gives a webhook trigger: IHookFunctions (checkExists / create / delete on
 * activation and deactivation) and IWebhookFunctions (one incoming request), sharing the node's static data the
 * way n8n keeps it per workflow. A small loopback HTTP server plays n8n's webhook endpoint: every request it gets
 * (from the emulator's deliveries or from a test) runs the node's webhook() and is answered with what it returned.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, IDataObject, IHookFunctions, INode, INodeType, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { rl, type Params } from './n8n-context';

export { rl };

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** One trigger node of one workflow: its parameters, credentials, static data and log. */
export interface TriggerHarness {
  node: INode;
  workflowId: string;
  params: Params;
  credentials: Record<string, ICredentialDataDecryptedObject>;
  staticData: IDataObject;
  webhookUrl: string;
  logs: LogLine[];
}

function getPath(params: Params, path: string): unknown {
  let value: unknown = params;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function parameter(params: Params, name: string, fallback: unknown, options?: { extractValue?: boolean }): any {
  let value = getPath(params, name);
  if (value === undefined) {
    if (fallback === undefined) throw new Error(`Could not get parameter '${name}'`);
    return fallback;
  }
  if (options?.extractValue && value && typeof value === 'object' && (value as { __rl?: boolean }).__rl) value = (value as { value: unknown }).value;
  return value;
}

function logger(logs: LogLine[]) {
  const at = (level: LogLine['level']) => (message: string) => void logs.push({ level, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function common(h: TriggerHarness) {
  return {
    getNode: () => ({ ...h.node, parameters: h.params as INode['parameters'] }),
    getWorkflow: () => ({ id: h.workflowId, name: `workflow ${h.workflowId}`, active: true }),
    getWorkflowStaticData: (type: string) => {
      if (type !== 'node') throw new Error(`Only the node's static data is kept here, not '${type}'`);
      return h.staticData;
    },
    getNodeParameter: (name: string, fallback?: unknown, opts?: { extractValue?: boolean }) => parameter(h.params, name, fallback, opts),
    getCredentials: async (type: string) => {
      const c = h.credentials[type];
      if (!c) throw new Error(`Node does not have any credentials of type '${type}' set`);
      return c;
    },
    logger: logger(h.logs),
  };
}

/** IHookFunctions for activation ('create' etc.) of the harness's node. */
export function hookContext(h: TriggerHarness): IHookFunctions {
  const ctx = {
    ...common(h),
    getMode: () => 'trigger',
    getActivationMode: () => 'activate',
    getNodeWebhookUrl: (name: string) => (name === 'default' ? h.webhookUrl : undefined),
    getWebhookName: () => 'default',
  };
  return ctx as unknown as IHookFunctions;
}

export interface IncomingRequest {
  url: string;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
}

export interface WebhookOutcome {
  status: number;
  body: unknown;
  /** What webhook() returned; workflowData is what n8n would start an execution with. */
  result: IWebhookResponseData;
}

/** IWebhookFunctions for one request, with an express-like response that records what the node answered. */
export function webhookContext(h: TriggerHarness, request: IncomingRequest): { ctx: IWebhookFunctions; response: { status?: number; body?: unknown } } {
  const response: { status?: number; body?: unknown } = {};
  const res = {
    headersSent: false,
    status(code: number) {
      response.status = code;
      return res;
    },
    json(body: unknown) {
      response.body = body;
      res.headersSent = true;
      return res;
    },
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    parsed = {};
  }
  const ctx = {
    ...common(h),
    getMode: () => 'webhook',
    getRequestObject: () => ({ url: request.url, originalUrl: request.url, headers: request.headers, rawBody: request.rawBody, ip: '127.0.0.1' }),
    getResponseObject: () => res,
    getBodyData: () => parsed,
    getHeaderData: () => request.headers,
    getQueryData: () => Object.fromEntries(new URL(request.url, 'http://x').searchParams),
    getNodeWebhookUrl: (name: string) => (name === 'default' ? h.webhookUrl : undefined),
    getWebhookName: () => 'default',
  };
  return { ctx: ctx as unknown as IWebhookFunctions, response };
}

/** Runs webhook() for one request as n8n would: the node's own answer, or 200 with webhookResponse. */
export async function runWebhook(node: INodeType, h: TriggerHarness, request: IncomingRequest): Promise<WebhookOutcome> {
  const { ctx, response } = webhookContext(h, request);
  const result = await node.webhook!.call(ctx);
  if (result.noWebhookResponse) return { status: response.status ?? 0, body: response.body, result };
  return { status: 200, body: result.webhookResponse, result };
}

/** A loopback server standing for n8n's webhook endpoint of one trigger node; every outcome is kept in order. */
export class WebhookEndpoint {
  readonly outcomes: (WebhookOutcome & { request: IncomingRequest })[] = [];
  private server?: http.Server;
  url = '';

  constructor(
    private readonly node: INodeType,
    private readonly harness: () => TriggerHarness,
  ) {}

  async start(path = '/webhook/trigger-under-test/webhook'): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = { url: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks) };
        runWebhook(this.node, this.harness(), request).then(
          (outcome) => {
            this.outcomes.push({ ...outcome, request });
            res.writeHead(outcome.status, { 'content-type': 'application/json' });
            res.end(outcome.body === undefined ? '' : JSON.stringify(outcome.body));
          },
          (error: Error) => {
            // A throw would fail n8n's webhook call: record it so that a test sees it.
            this.outcomes.push({ status: 500, body: { thrown: error.message }, result: {}, request });
            res.writeHead(500);
            res.end();
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this.url;
  }

  stop(): Promise<unknown> {
    return new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
