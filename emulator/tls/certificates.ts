/**
 * A throwaway certificate authority for the emulator, made with node:crypto only, so that clients can talk to
 * the emulator over real, verified TLS (trusting one CA file) instead of switching verification off.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import {
  bitString,
  boolean,
  children,
  decodeObjectIdentifier,
  explicit,
  implicitPrimitive,
  integer,
  namedBits,
  nullValue,
  objectIdentifier,
  octetString,
  readElement,
  sequence,
  set,
  time,
  utf8String,
} from './der';

export type KeyAlgorithm = 'rsa' | 'ec';

export interface CertificateAuthority {
  caCertPem: string;
  /** PKCS#8 PEM. Stays in memory; writeCaFile never writes it. */
  caKeyPem: string;
}

export interface IssuedCertificate {
  certPem: string;
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"), the form MSAL and https.createServer accept. */
  keyPem: string;
}

export interface ClientCertificate extends IssuedCertificate {
  /** Hex (upper case) SHA-1 of the DER certificate, as the Azure portal shows it. */
  thumbprintSha1: string;
  /** Hex (upper case) SHA-256 of the DER certificate. */
  thumbprintSha256: string;
  /** Base64 DER, the value of a JOSE x5c entry. */
  x5c: string;
}

export interface CertificateOptions {
  /** Defaults: 'ec' (P-256) for the CA and server certificates, 'rsa' (2048) for client certificates. */
  keyAlgorithm?: KeyAlgorithm;
  /** Validity window; by default from one hour ago (small clock skews) for `validDays` (365) days. */
  notBefore?: Date;
  notAfter?: Date;
  validDays?: number;
}

export interface ServerCertificateOptions extends CertificateOptions {
  /** IP addresses and DNS names for subjectAltName; default 127.0.0.1 and localhost. */
  hosts?: string[];
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  rsaSha256: '1.2.840.113549.1.1.11',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };
const ORGANIZATION = 'n8n-nodes-dynamics365 emulator';

interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

interface CertificateSpec {
  subject: Buffer;
  issuer: Buffer;
  publicKey: crypto.KeyObject;
  signingKey: crypto.KeyObject;
  extensions: Extension[];
  options: CertificateOptions;
}

function generateKey(algorithm: KeyAlgorithm): crypto.KeyPairKeyObjectResult {
  return algorithm === 'rsa'
    ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function distinguishedName(commonName: string): Buffer {
  const attribute = (oid: string, value: string) => set(sequence(objectIdentifier(oid), utf8String(value)));
  return sequence(attribute(OID.organization, ORGANIZATION), attribute(OID.commonName, commonName));
}

function extension(oid: string, critical: boolean, value: Buffer): Extension {
  return { oid, critical, value };
}

function encodeExtension({ oid, critical, value }: Extension): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

/** RFC 5280 allows any method for key identifiers; SHA-1 of the SPKI is stable and cheap. */
function keyIdentifier(publicKey: crypto.KeyObject): Buffer {
  return crypto.createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

function signatureAlgorithm(key: crypto.KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa') return sequence(objectIdentifier(OID.rsaSha256), nullValue());
  if (key.asymmetricKeyType === 'ec') return sequence(objectIdentifier(OID.ecdsaSha256));
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType}`);
}

function serialNumber(): Buffer {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01; // positive and exactly 16 bytes long
  return bytes;
}

function validity(options: CertificateOptions): [Date, Date] {
  const notBefore = options.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + (options.validDays ?? 365) * 86400_000);
  return [notBefore, notAfter];
}

function buildCertificate(spec: CertificateSpec): string {
  const [notBefore, notAfter] = validity(spec.options);
  const algorithm = signatureAlgorithm(spec.signingKey);
  const tbs = sequence(
    explicit(0, integer(2)), // v3, needed for extensions
    integer(serialNumber()),
    algorithm,
    spec.issuer,
    sequence(time(notBefore), time(notAfter)),
    spec.subject,
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...spec.extensions.map(encodeExtension))),
  );
  const signature = crypto.sign('sha256', tbs, spec.signingKey); // ECDSA comes out DER-encoded, as X.509 wants
  const der = sequence(tbs, algorithm, bitString(signature));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

function exportKey(key: crypto.KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Issuer fields come from the CA certificate itself, so any CA PEM (also a reloaded one) can issue. */
function readIssuer(caCertPem: string): { subject: Buffer; keyId?: Buffer } {
  const der = new crypto.X509Certificate(caCertPem).raw;
  const tbsFields = children(children(readElement(der))[0]);
  const offset = tbsFields[0].tag === 0xa0 ? 1 : 0;
  const subject = tbsFields[offset + 4].raw;
  const extensionsField = tbsFields.find((field) => field.tag === 0xa3);
  if (!extensionsField) return { subject };
  for (const ext of children(children(extensionsField)[0])) {
    const parts = children(ext);
    if (decodeObjectIdentifier(parts[0]) !== OID.subjectKeyIdentifier) continue;
    const inner = readElement(parts[parts.length - 1].content); // extnValue wraps an OCTET STRING
    return { subject, keyId: inner.content };
  }
  return { subject };
}

function subjectAltNames(hosts: string[]): Buffer {
  const names = hosts.map((host) => {
    const family = isIP(host);
    if (family === 4) return implicitPrimitive(7, Buffer.from(host.split('.').map(Number)));
    if (family === 6) return implicitPrimitive(7, ipv6Bytes(host));
    return implicitPrimitive(2, Buffer.from(host, 'ascii'));
  });
  return sequence(...names);
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = address.includes('::') && tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(address.includes('::') ? missing : 0).fill('0'), ...tailParts];
  const out = Buffer.alloc(16);
  groups.forEach((group, index) => out.writeUInt16BE(parseInt(group, 16), index * 2));
  return out;
}

function issuerExtensions(keyId: Buffer | undefined): Extension[] {
  return keyId ? [extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyId)))] : [];
}

export function createCertificateAuthority(
  options: CertificateOptions & { commonName?: string } = {},
): CertificateAuthority {
  const { publicKey, privateKey } = generateKey(options.keyAlgorithm ?? 'ec');
  // A random suffix keeps CAs from different runs distinct in trust stores and error messages.
  const name = distinguishedName(options.commonName ?? `Dynamics 365 Emulator CA ${crypto.randomBytes(4).toString('hex')}`);
  const caCertPem = buildCertificate({
    subject: name,
    issuer: name,
    publicKey,
    signingKey: privateKey,
    options: { validDays: 3650, ...options },
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true), integer(0))),
      extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
    ],
  });
  return { caCertPem, caKeyPem: exportKey(privateKey) };
}

function issueLeaf(
  ca: CertificateAuthority,
  commonName: string,
  algorithm: KeyAlgorithm,
  options: CertificateOptions,
  extraExtensions: (publicKey: crypto.KeyObject) => Extension[],
): { certPem: string; keyPem: string } {
  const issuer = readIssuer(ca.caCertPem);
  const { publicKey, privateKey } = generateKey(algorithm);
  const certPem = buildCertificate({
    subject: distinguishedName(commonName),
    issuer: issuer.subject,
    publicKey,
    signingKey: crypto.createPrivateKey(ca.caKeyPem),
    options,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      ...extraExtensions(publicKey),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
      ...issuerExtensions(issuer.keyId),
    ],
  });
  return { certPem, keyPem: exportKey(privateKey) };
}

export function issueServerCertificate(ca: CertificateAuthority, options: ServerCertificateOptions = {}): IssuedCertificate {
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost'];
  const algorithm = options.keyAlgorithm ?? 'ec';
  // RSA key exchange (TLS 1.2 without ECDHE) needs keyEncipherment; an EC key only ever signs.
  const usage = algorithm === 'rsa' ? [KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment] : [KEY_USAGE.digitalSignature];
  return issueLeaf(ca, hosts[0] ?? 'localhost', algorithm, options, () => [
    extension(OID.keyUsage, true, namedBits(usage)),
    extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
    extension(OID.subjectAltName, false, subjectAltNames(hosts)),
  ]);
}

/** RSA by default: Entra client assertions are RS256/PS256, which need an RSA key. */
export function issueClientCertificate(
  ca: CertificateAuthority,
  subjectCN: string,
  options: CertificateOptions = {},
): ClientCertificate {
  const issued = issueLeaf(ca, subjectCN, options.keyAlgorithm ?? 'rsa', options, () => [
    extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature])),
    extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.clientAuth))),
  ]);
  return { ...issued, ...describeCertificate(issued.certPem) };
}

/** Self-signed signing certificate (the Entra emulator publishes its token-signing key this way, with x5c). */
export function createSelfSignedCertificate(commonName: string, options: CertificateOptions = {}): IssuedCertificate {
  const { publicKey, privateKey } = generateKey(options.keyAlgorithm ?? 'rsa');
  const name = distinguishedName(commonName);
  const certPem = buildCertificate({
    subject: name,
    issuer: name,
    publicKey,
    signingKey: privateKey,
    options,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature])),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
    ],
  });
  return { certPem, keyPem: exportKey(privateKey) };
}

export function describeCertificate(certPem: string): Pick<ClientCertificate, 'thumbprintSha1' | 'thumbprintSha256' | 'x5c'> {
  const der = new crypto.X509Certificate(certPem).raw;
  const hex = (algorithm: string) => crypto.createHash(algorithm).update(der).digest('hex').toUpperCase();
  return { thumbprintSha1: hex('sha1'), thumbprintSha256: hex('sha256'), x5c: der.toString('base64') };
}

export interface WriteCaFileOptions {
  fileName?: string;
  /**
   * A PEM bundle to append, typically the file NODE_EXTRA_CA_CERTS already names: the result can then replace that
   * variable for a child process without breaking its access to registries behind a corporate CA.
   */
  appendBundleFile?: string;
}

/** Writes only the CA certificate (never its key), plus the optional bundle; returns the file path. */
export function writeCaFile(dir: string, ca: CertificateAuthority, options: WriteCaFileOptions = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, options.fileName ?? 'emulator-ca.pem');
  let content = ca.caCertPem;
  const bundleFile = options.appendBundleFile;
  if (bundleFile && path.resolve(bundleFile) !== path.resolve(file) && fs.existsSync(bundleFile)) {
    const bundle = fs.readFileSync(bundleFile, 'utf8');
    content = `${content.trimEnd()}\n${bundle.endsWith('\n') ? bundle : `${bundle}\n`}`;
  }
  fs.writeFileSync(file, content, { mode: 0o644 });
  return file;
}
