import type { IncomingHttpHeaders } from 'node:http';

/** A fully buffered request as every emulator handler sees it; $batch replays its parts through the same shape. */
export interface EmulatorRequest {
  method: string;
  /** Absolute URL as the client addressed it (https://127.0.0.1:PORT/...). */
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface EmulatorResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: Buffer | string;
}

/** Returns undefined when the request is not for this handler, so handlers can be chained. */
export type EmulatorHandler = (req: EmulatorRequest) => Promise<EmulatorResponse | undefined>;

export function header(req: EmulatorRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
