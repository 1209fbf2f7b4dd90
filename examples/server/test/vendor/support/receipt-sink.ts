import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, verifyReceiptSignature } from '../../../src/receipts/signature.js';
import type { VendorCallbackReceipt } from '../../../src/vendor/vendor-simulator.js';

/** Options of {@link startReceiptSink}. */
export interface ReceiptSinkOptions {
  readonly secret: string;
  /** Answer the first `failFirst` posts with `failStatus` (before reading their receipts). */
  readonly failFirst?: number;
  readonly failStatus?: number;
  /** Called with each accepted body's receipts before answering 202. */
  readonly onReceipts?: (receipts: unknown) => Promise<void>;
}

/** A webhook on loopback that checks signatures and records what it accepted. */
export interface ReceiptSink {
  readonly url: string;
  /** Receipts from posts answered 2xx, in arrival order. */
  readonly receipts: VendorCallbackReceipt[];
  /** Every post seen, accepted or not: its raw body, signature check and answer. */
  readonly posts: { readonly body: string; readonly signature: string | null; readonly status: number }[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts a receipt webhook on 127.0.0.1 and a free port. */
export async function startReceiptSink(options: ReceiptSinkOptions): Promise<ReceiptSink> {
  const receipts: VendorCallbackReceipt[] = [];
  const posts: { body: string; signature: string | null; status: number }[] = [];
  let failuresLeft = options.failFirst ?? 0;
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const header = request.headers[SIGNATURE_HEADER];
      const signature = verifyReceiptSignature(
        options.secret,
        typeof header === 'string' ? header : undefined,
        body,
      );
      let status: number;
      if (signature !== null || request.headers['content-type'] !== 'application/json') status = 401;
      else if (failuresLeft > 0) {
        failuresLeft--;
        status = options.failStatus ?? 500;
      } else {
        const parsed = JSON.parse(body) as { receipts: VendorCallbackReceipt[] };
        await options.onReceipts?.(parsed);
        receipts.push(...parsed.receipts);
        status = 202;
      }
      posts.push({ body, signature, status });
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/receipts`,
    receipts,
    posts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
