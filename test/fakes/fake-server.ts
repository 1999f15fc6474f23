import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  encodeResponse,
  type FakeHandler,
  type FakeResponse,
  type RecordedRequest,
  recordRequest,
  respond,
} from "./exchange.ts";

/**
 * What `failNext` gives a request instead of the fake's own answer. For now a canned response; the
 * other ways an upstream fails (stalled bodies, resets, slow headers, oversized bodies) join this
 * union, and `startFakeServer` is the one place that carries them out.
 */
export type Fault = FakeResponse;

/** The shape every fake upstream has, whatever else it offers. */
export interface FakeServer {
  /** http://127.0.0.1:port, to use as the provider's base URL. */
  origin: string;
  /** Every request received since start (or the last `clearRequests` or `reset`), faulted ones included. */
  requests: RecordedRequest[];
  /** Forgets the requests only, for a test that counts what a step costs after setting up through the API. */
  clearRequests(): void;
  /** The next `count` requests get `fault` instead of the fake's answer. */
  failNext(fault: Fault, count?: number): void;
  /** Delay before every response, to test timeouts and concurrency. */
  setLatency(ms: number): void;
  /** No requests, faults or latency, and the fake's own state back as it started: for a server shared by a file's tests. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Restores what the fake itself keeps (its records and settings) on `reset`. */
  reset?: () => void;
}

/** A real HTTP server on 127.0.0.1 with a random port, for end-to-end tests of an adapter. */
export async function startFakeServer(
  handler: FakeHandler,
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  let latencyMs = 0;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = recordRequest(
      req.method ?? "GET",
      req.url ?? "/",
      req.headers,
      Buffer.concat(chunks).toString("utf8"),
    );
    requests.push(request);
    // Taken on arrival: the next `count` requests to arrive are the faulted ones, however long each takes.
    const fault = faults.shift();
    if (latencyMs > 0) await sleep(latencyMs);
    const response = fault ?? respond(handler, request);
    const { headers, text } = encodeResponse(response);
    res.writeHead(response.status, headers);
    res.end(text);
  });
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const clearRequests = () => {
    requests.length = 0;
  };
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    clearRequests,
    failNext: (fault, count = 1) => {
      faults.push(...Array.from({ length: count }, () => fault));
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    reset: () => {
      clearRequests();
      faults.length = 0;
      latencyMs = 0;
      options.reset?.();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
