/**
 * The headers every Web API call needs (reference §1.2). Only missing ones are added: $batch sends multipart,
 * file downloads accept octet-stream, and those callers set their own.
 */
import type { Policy } from './types';

export function odataHeadersPolicy(): Policy {
  return {
    name: 'odata-headers',
    send(request, next) {
      const headers = { ...request.headers };
      headers['accept'] ??= 'application/json';
      headers['odata-maxversion'] ??= '4.0';
      headers['odata-version'] ??= '4.0';
      // A Buffer body is a file chunk or multipart: its content type is the caller's to state.
      if (typeof request.body === 'string' && !headers['content-type']) headers['content-type'] = 'application/json';
      return next({ ...request, headers });
    },
  };
}
