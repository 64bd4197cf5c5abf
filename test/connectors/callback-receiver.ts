/** A loopback receiver standing in for the flow's callback (notification) URL of a webhook trigger. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useEmulatorWith } from './emulator-fixture';

export class Receiver {
  readonly received: Array<{ headers: http.IncomingHttpHeaders; body: any }> = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(202).end();
    });
  });
  url = '';
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/flow/callback?sig=abc`;
    return this;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** For the tests of a describe: an emulator (no service protection limits) and a receiver for its notifications. */
export function useEmulatorAndReceiver() {
  return useEmulatorWith(
    { limits: 'off' },
    async () => ({ receiver: await new Receiver().start() }),
    (f) => f.receiver.stop(),
  );
}
