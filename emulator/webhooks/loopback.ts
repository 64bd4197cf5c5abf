/**
 * The emulator is a local tool: it never calls out of the machine. A callback URL must name a loopback address
 * (127.0.0.0/8, ::1) or `localhost`, which is connected to as 127.0.0.1 so that no resolver can redirect it.
 */
import { DataverseError } from '../dataverse/errors';

export interface LoopbackTarget {
  url: URL;
  /** The address actually connected to. */
  connectHost: string;
}

export function loopbackTarget(raw: string, allowHttp: boolean): LoopbackTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`The webhook url '${raw}' is not an absolute URL.`);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw invalid(`The webhook url must use https${allowHttp ? ' or http' : ''}; '${url.protocol}' is not supported.`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return { url, connectHost: '127.0.0.1' };
  if (/^127(\.\d{1,3}){3}$/.test(host) && host.split('.').every((p) => Number(p) <= 255)) return { url, connectHost: host };
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return { url, connectHost: '::1' };
  throw invalid(
    `The emulator delivers webhooks to loopback addresses only (127.0.0.1, ::1, localhost); '${url.hostname}' is not one. ` +
      'Run the receiver on this machine.',
  );
}

function invalid(message: string): DataverseError {
  return new DataverseError(400, '0x80040203', message);
}
