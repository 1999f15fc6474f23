import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** One request as a fake upstream received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  body: unknown;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
}

export type FakeHandler = (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeServer {
  /** http://127.0.0.1:port, to use as the provider's base URL. */
  origin: string;
  /** Every request received since start (or the last `clearRequests`). */
  requests: RecordedRequest[];
  clearRequests(): void;
  /** Delay before every response, to test timeouts and concurrency. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 with a random port, for end-to-end tests of an adapter. */
export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let latencyMs = 0;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text === "" ? undefined : parseJson(text),
    };
    requests.push(recorded);
    if (latencyMs > 0) await sleep(latencyMs);
    let response: FakeResponse;
    try {
      response = await handler(recorded);
    } catch (error) {
      response = { status: 500, body: { error: String(error) } };
    }
    const isText = typeof response.body === "string";
    res.writeHead(response.status, {
      ...(response.body === undefined ? {} : { "content-type": isText ? "text/plain" : "application/json" }),
      ...response.headers,
    });
    res.end(response.body === undefined ? undefined : isText ? response.body : JSON.stringify(response.body));
  });
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
