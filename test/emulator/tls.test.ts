import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
  writeCaFile,
  type CertificateAuthority,
  type IssuedCertificate,
} from '../../emulator/tls';
import { integer, namedBits, objectIdentifier, octetString, sequence } from '../../emulator/tls/der';

async function withServer<T>(cert: IssuedCertificate, options: https.ServerOptions, run: (port: number) => Promise<T>): Promise<T> {
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem, ...options }, (req, res) => {
    const socket = req.socket as import('node:tls').TLSSocket;
    res.end(JSON.stringify({ ok: true, clientAuthorized: socket.authorized, clientCN: socket.getPeerCertificate()?.subject?.CN ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await run((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function get(url: string, options: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent: false, ...options }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

describe('DER encoder', () => {
  it('encodes integers, OIDs, named bits and long lengths as X.690 requires', () => {
    expect(integer(0).toString('hex')).toBe('020100');
    expect(integer(127).toString('hex')).toBe('02017f');
    expect(integer(128).toString('hex')).toBe('02020080');
    expect(integer(Buffer.from([0, 0, 0x80, 1])).toString('hex')).toBe('0203008001');
    expect(objectIdentifier('1.2.840.113549.1.1.11').toString('hex')).toBe('06092a864886f70d01010b');
    expect(objectIdentifier('2.5.29.19').toString('hex')).toBe('0603551d13');
    // keyCertSign + cRLSign + digitalSignature: 1000 0110, one unused trailing bit.
    expect(namedBits([0, 5, 6]).toString('hex')).toBe('03020186');
    expect(namedBits([0]).toString('hex')).toBe('03020780');
    const long = octetString(Buffer.alloc(300));
    expect(long.subarray(0, 4).toString('hex')).toBe('0482012c');
    expect(sequence().toString('hex')).toBe('3000');
  });
});

describe('emulator TLS certificates', () => {
  let ca: CertificateAuthority;
  let server: IssuedCertificate;

  beforeAll(() => {
    ca = createCertificateAuthority();
    server = issueServerCertificate(ca);
  });

  it('creates a self-signed CA certificate with CA:true', () => {
    const x509 = new crypto.X509Certificate(ca.caCertPem);
    expect(x509.ca).toBe(true);
    expect(x509.subject).toBe(x509.issuer);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.publicKey.equals(crypto.createPublicKey(crypto.createPrivateKey(ca.caKeyPem)))).toBe(true);
  });

  it('issues a server certificate for 127.0.0.1 and localhost, signed by the CA', () => {
    const caX509 = new crypto.X509Certificate(ca.caCertPem);
    const x509 = new crypto.X509Certificate(server.certPem);
    expect(x509.ca).toBe(false);
    expect(x509.verify(caX509.publicKey)).toBe(true);
    expect(x509.checkIssued(caX509)).toBe(true);
    expect(x509.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // extended key usage: serverAuth
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now());
    expect(x509.checkPrivateKey(crypto.createPrivateKey(server.keyPem))).toBe(true);
  });

  it('is accepted by https.get over 127.0.0.1 and localhost when the CA is trusted, and refused otherwise', async () => {
    await withServer(server, {}, async (port) => {
      const viaIp = await get(`https://127.0.0.1:${port}/`, { ca: ca.caCertPem });
      expect(viaIp).toEqual({ status: 200, body: expect.stringContaining('"ok":true') });
      // Same socket, but the name checked against the certificate is 'localhost' (no DNS needed).
      const viaName = await get(`https://127.0.0.1:${port}/`, { ca: ca.caCertPem, servername: 'localhost' });
      expect(viaName.status).toBe(200);
      await expect(get(`https://127.0.0.1:${port}/`, { ca: ca.caCertPem, servername: 'example.com' })).rejects.toThrow(/altnames/i);

      await expect(get(`https://127.0.0.1:${port}/`, {})).rejects.toThrow(/certificate/i);
      const otherCa = createCertificateAuthority();
      await expect(get(`https://127.0.0.1:${port}/`, { ca: otherCa.caCertPem })).rejects.toThrow(/certificate/i);
    });
  });

  it('works with RSA keys for the CA and the server too', async () => {
    const rsaCa = createCertificateAuthority({ keyAlgorithm: 'rsa' });
    const rsaServer = issueServerCertificate(rsaCa, { keyAlgorithm: 'rsa' });
    expect(new crypto.X509Certificate(rsaServer.certPem).verify(new crypto.X509Certificate(rsaCa.caCertPem).publicKey)).toBe(true);
    await withServer(rsaServer, {}, async (port) => {
      expect((await get(`https://127.0.0.1:${port}/`, { ca: rsaCa.caCertPem })).status).toBe(200);
    });
  });

  it('issues RSA 2048 client certificates with thumbprints and x5c, usable for mutual TLS', async () => {
    const client = issueClientCertificate(ca, 'contoso-integration');
    const x509 = new crypto.X509Certificate(client.certPem);
    expect(x509.verify(new crypto.X509Certificate(ca.caCertPem).publicKey)).toBe(true);
    expect(x509.subject).toContain('CN=contoso-integration');
    expect(x509.publicKey.asymmetricKeyType).toBe('rsa');
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(client.keyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(client.thumbprintSha1).toBe(x509.fingerprint.replace(/:/g, ''));
    expect(client.thumbprintSha256).toBe(x509.fingerprint256.replace(/:/g, ''));
    expect(Buffer.from(client.x5c, 'base64').equals(x509.raw)).toBe(true);

    await withServer(server, { requestCert: true, rejectUnauthorized: true, ca: ca.caCertPem }, async (port) => {
      const response = await get(`https://127.0.0.1:${port}/`, { ca: ca.caCertPem, cert: client.certPem, key: client.keyPem });
      expect(JSON.parse(response.body)).toEqual({ ok: true, clientAuthorized: true, clientCN: 'contoso-integration' });
    });
  });

  it('writes the CA certificate (never its key) to a file, optionally with the existing extra CA bundle', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-ca-'));
    try {
      const file = writeCaFile(dir, ca);
      const content = fs.readFileSync(file, 'utf8');
      expect(content).toBe(ca.caCertPem);
      expect(content).not.toContain('PRIVATE KEY');

      const bundle = path.join(dir, 'system-bundle.pem');
      const other = createCertificateAuthority().caCertPem;
      fs.writeFileSync(bundle, other);
      const combined = fs.readFileSync(writeCaFile(dir, ca, { fileName: 'combined.pem', appendBundleFile: bundle }), 'utf8');
      expect(combined).toContain(ca.caCertPem.trim());
      expect(combined).toContain(other.trim());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
