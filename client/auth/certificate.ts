/**
 * A PEM certificate and private key turned into what MSAL needs for private_key_jwt: a PKCS#8 key, the thumbprints
 * Entra matches registered certificates by, and the chain for x5c (subject name + issuer authentication). Mistakes
 * that Entra would report vaguely (key of another certificate, expired certificate) are reported here by name.
 */
import * as crypto from 'node:crypto';
import { D365Error } from '../http/errors';

export interface CertificateInput {
  /** PEM private key (PKCS#8 or PKCS#1/SEC1; encrypted when passphrase is given). May also hold the certificate. */
  privateKeyPem: string;
  /** PEM certificate, optionally followed by its chain; default: the certificate blocks of privateKeyPem. */
  certificatePem?: string;
  passphrase?: string;
}

export interface LoadedCertificate {
  /** Unencrypted PKCS#8 PEM. */
  privateKeyPem: string;
  /** The certificate chain as PEM, leaf first. */
  chainPem: string;
  /** Hex, upper case, no separators. */
  thumbprintSha256: string;
  thumbprintSha1: string;
  notAfter: Date;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificateError(message: string, cause?: unknown): D365Error {
  // The cause of a key parse error is OpenSSL's text, which never includes key material.
  return new D365Error(message, { code: 'InvalidCertificate', cause });
}

export function loadCertificate(input: CertificateInput, now: number = Date.now()): LoadedCertificate {
  const blocks: string[] = (input.certificatePem ?? input.privateKeyPem).match(CERTIFICATE_BLOCK) ?? [];
  const first = blocks[0];
  if (first === undefined) throw certificateError('No PEM certificate (-----BEGIN CERTIFICATE-----) was given with the private key.');
  let leaf: crypto.X509Certificate;
  try {
    leaf = new crypto.X509Certificate(first);
  } catch (e) {
    throw certificateError('The certificate is not a valid PEM X.509 certificate.', e);
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(input.passphrase === undefined ? input.privateKeyPem : { key: input.privateKeyPem, format: 'pem', passphrase: input.passphrase });
  } catch (e) {
    const hint = input.passphrase ? 'the passphrase is wrong or the key is damaged' : 'it is damaged or encrypted (give its passphrase)';
    throw certificateError(`The private key could not be read: ${hint}.`, e);
  }
  if (!leaf.checkPrivateKey(key)) {
    throw certificateError(`The private key does not belong to the certificate '${leaf.subject.replace(/\n/g, ', ')}'.`);
  }
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now) {
    throw certificateError(`The certificate '${leaf.subject.replace(/\n/g, ', ')}' expired on ${notAfter.toISOString()}; upload a new one to the app registration.`);
  }
  const digest = (algorithm: string) => crypto.createHash(algorithm).update(leaf.raw).digest('hex').toUpperCase();
  return {
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    chainPem: blocks.join('\n'),
    thumbprintSha256: digest('sha256'),
    thumbprintSha1: digest('sha1'),
    notAfter,
  };
}
