/**
 * PUT and GET on SAS URLs of the emulated `dmf` container, answering like Azure Blob storage (201 on upload,
 * `x-ms-blob-type: BlockBlob` required, XML error bodies with Azure's codes). No bearer token: the signature in
 * the query is the credential, as with a real SAS URL, and it never appears in an error.
 */
import { randomUUID } from 'node:crypto';
import type { FnoHandler } from '../context';
import type { EmulatorResponse } from '../../http/types';
import { BLOB_PATH_PREFIX, BlobStore } from './blob-store';

export function blobEndpoint(blobs: BlobStore): FnoHandler {
  return async (req) => {
    if (!req.url.pathname.startsWith(BLOB_PATH_PREFIX)) return undefined;
    let name: string;
    try {
      name = decodeURIComponent(req.url.pathname.slice(BLOB_PATH_PREFIX.length));
    } catch {
      return azureError(400, 'InvalidUri', 'The blob name is not correctly encoded.');
    }
    if (req.method !== 'PUT' && req.method !== 'GET' && req.method !== 'HEAD') {
      return azureError(405, 'UnsupportedHttpVerb', `The ${req.method} verb is not supported on a blob; use PUT or GET.`);
    }
    const permission = req.method === 'PUT' ? 'w' : 'r';
    const denied = blobs.checkSas(name, permission, req.url.searchParams);
    if (denied) return azureError(403, 'AuthenticationFailed', `Server failed to authenticate the request. ${denied}`);
    if (req.method === 'PUT') {
      const type = req.headers['x-ms-blob-type'];
      if (type === undefined) return azureError(400, 'MissingRequiredHeader', 'An HTTP header that is mandatory for this request is not specified: x-ms-blob-type.');
      if (type !== 'BlockBlob') return azureError(400, 'InvalidHeaderValue', `The value of x-ms-blob-type must be BlockBlob, not '${String(type).slice(0, 40)}'.`);
      let blob;
      try {
        blob = blobs.put(name, req.body, String(req.headers['content-type'] ?? 'application/octet-stream'));
      } catch (e) {
        return azureError(409, 'ContainerQuotaExceeded', (e as Error).message);
      }
      return { status: 201, headers: { ...azureHeaders(), etag: blob.etag, 'last-modified': new Date(blob.createdAt).toUTCString() }, body: '' };
    }
    const blob = blobs.get(name);
    if (!blob) return azureError(404, 'BlobNotFound', 'The specified blob does not exist.');
    return {
      status: 200,
      headers: { ...azureHeaders(), 'content-type': blob.contentType, etag: blob.etag, 'last-modified': new Date(blob.createdAt).toUTCString(), 'x-ms-blob-type': 'BlockBlob' },
      body: req.method === 'HEAD' ? Buffer.alloc(0) : blob.data,
    };
  };
}

function azureHeaders(): Record<string, string> {
  return { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2014-02-14' };
}

function azureError(status: number, code: string, message: string): EmulatorResponse {
  const body = `\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message.replace(/[<>&]/g, ' ')}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`;
  return { status, headers: { ...azureHeaders(), 'content-type': 'application/xml', 'x-ms-error-code': code }, body };
}
