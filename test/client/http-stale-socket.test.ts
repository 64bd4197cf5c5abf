/**
 * A keep-alive socket the server closed while this process was busy: the request written to it never reaches the
 * server, so the transport sends it again on a fresh socket, once, and the server sees it exactly once.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeTransport } from '../../client/http/transport';

test('a POST refused by a stale pooled socket is sent again on a new socket and reaches the server once', async () => {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(`${req.method} ${body}`);
      // Closes the connection once idle, like a load balancer's idle timeout: no Keep-Alive hint warns the client.
      res.end('ok', () => setTimeout(() => req.socket.destroy(), 100));
    });
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const transport = createNodeTransport();
  try {
    expect((await transport({ method: 'GET', url, headers: {} })).status).toBe(200);
    // Busy, as while building thousands of requests: the server's close of the idle socket is not seen meanwhile.
    const until = Date.now() + 400;
    while (Date.now() < until) {
      /* spin */
    }
    const answer = await transport({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, body: 'create me' });
    expect(answer.status).toBe(200);
    expect(received).toEqual(['GET ', 'POST create me']);
  } finally {
    transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
