import { setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import {
  encodeResponse,
  type FakeHandler,
  type FakeResponse,
  type ReceivedRequest,
  recordRequest,
  respond,
} from "./exchange.ts";

/**
 * What `failNext` gives a request instead of the fake's own answer: a canned response (see `status`
 * and `tooManyRequests`), or one of the ways a connection to an upstream goes wrong. Each line says
 * what the client sees.
 */
export type Fault =
  /** Exactly this status, headers and body. */
  | FakeResponse
  /** Nothing for `ms`, then the fake's own answer: its handler runs late, so a write the client gave up on still lands. */
  | { kind: "slowHeaders"; ms: number }
  /** 200 and JSON headers, then the first `afterBytes` (default 32) of a JSON body, then nothing until it gives up. */
  | { kind: "stalledBody"; afterBytes?: number }
  /** The connection reset (TCP RST) with no response at all. */
  | { kind: "reset" }
  /** 200 `application/json`, complete, whose body is JSON cut off mid-document. */
  | { kind: "malformedJson" }
  /** 200 `text/html`: an `<html>…</html>` error page, as a proxy or login wall sends. */
  | { kind: "html200" }
  /** 200 and a valid JSON document of at least `bytes` bytes, streamed in chunks without Content-Length. */
  | { kind: "oversized"; bytes: number };

/** The page count a fake claims while `claimRunawayPages` is on. */
export const RUNAWAY_PAGES = 1_000_000;

/** A fake whose list endpoints can lie about how many pages follow, to test a client's page limit. */
export interface RunawayPaging {
  /**
   * While on, every list page claims a next page (and RUNAWAY_PAGES pages where the provider counts
   * them), and every page repeats the first page's records: seed one for a non-empty page. `reset` turns it off.
   */
  claimRunawayPages(on: boolean): void;
}

/** The shape every fake upstream has, whatever else it offers. */
export interface FakeServer {
  /** http://127.0.0.1:port, to use as the provider's base URL. */
  origin: string;
  /** Every request received since start (or the last `clearRequests` or `reset`), faulted ones included. */
  requests: ReceivedRequest[];
  /** Forgets the requests only, for a test that counts what a step costs after setting up through the API. */
  clearRequests(): void;
  /** The next `count` requests get `fault` instead of the fake's answer. */
  failNext(fault: Fault, count?: number): void;
  /** Delay before every response, to test timeouts and concurrency. */
  setLatency(ms: number): void;
  /**
   * No requests, faults or latency, exchanges a fault or latency still holds open cut off, and the fake's
   * own state back as it started: for a server shared by a file's tests.
   */
  reset(): void;
  /** Cuts off every open exchange, stalled ones included, so it never waits for a client. */
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Restores what the fake itself keeps (its records and settings) on `reset`. */
  reset?: () => void;
}

/** A failure status as a proxy in front of a provider sends it: the reason phrase as plain text, unless `body` says otherwise. */
export function status(code: number, body: unknown = STATUS_CODES[code]): FakeResponse {
  return { status: code, body };
}

/** Every form in which a 429 says when to come back, or does not, for tests that try them all (`it.each`). */
export const RETRY_HINTS = [
  "none",
  "retryAfterSeconds",
  "retryAfterDate",
  "retryAfterEpoch",
  "rateLimitReset",
] as const;
export type RetryHint = (typeof RETRY_HINTS)[number];

/** A 429 saying, in the `hint` form, that the client may retry `seconds` from now (rounded up to a whole second). */
export function tooManyRequests(hint: RetryHint, seconds = 1): FakeResponse {
  // Dates and epochs have whole seconds: rounding up keeps them from naming a moment already past.
  const retryAt = Math.ceil(Date.now() / 1000 + seconds);
  const headers: Record<RetryHint, Record<string, string>> = {
    // The client falls back on the provider's documented window.
    none: {},
    retryAfterSeconds: { "retry-after": String(seconds) },
    retryAfterDate: { "retry-after": new Date(retryAt * 1000).toUTCString() },
    // Not an HTTP form, but a reset time some servers put here.
    retryAfterEpoch: { "retry-after": String(retryAt) },
    // Moneybird's: the spec gives the reset as UTC epoch seconds.
    rateLimitReset: {
      "ratelimit-limit": "100",
      "ratelimit-remaining": "0",
      "ratelimit-reset": String(retryAt),
    },
  };
  return { status: 429, headers: headers[hint], body: "Too Many Requests" };
}

/** A real HTTP server on 127.0.0.1 with a random port, for end-to-end tests of an adapter. */
export async function startFakeServer(
  handler: FakeHandler,
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  const requests: ReceivedRequest[] = [];
  const faults: Fault[] = [];
  let latencyMs = 0;
  // Aborted by `reset` and `close`: ends the exchanges still open, so none outlives the test that began it.
  let openExchanges = exchangesController();

  const answer = async (fault: Fault | undefined, request: ReceivedRequest, res: ServerResponse) => {
    const signal = openExchanges.signal;
    cutOffOn(signal, res);
    if (latencyMs > 0 && !(await waited(latencyMs, signal))) return;
    if (fault === undefined || !("kind" in fault)) return send(res, fault ?? respond(handler, request));
    switch (fault.kind) {
      case "slowHeaders":
        if (await waited(fault.ms, signal)) send(res, respond(handler, request));
        return;
      case "reset":
        res.socket?.resetAndDestroy();
        return;
      case "stalledBody": {
        const prefix = fillerPrefix(fault.afterBytes ?? 32);
        res.writeHead(200, JSON_HEADERS).flushHeaders();
        // The exchange then stays open until the client gives up or `cutOffOn` ends it.
        if (prefix !== "") res.write(prefix);
        return;
      }
      case "malformedJson":
        return send(res, { status: 200, headers: JSON_HEADERS, body: fillerPrefix(100) });
      case "html200":
        return send(res, {
          status: 200,
          headers: { "content-type": "text/html; charset=utf-8" },
          body: "<html><head><title>Service unavailable</title></head><body><h1>Please try again later</h1></body></html>",
        });
      case "oversized":
        res.writeHead(200, JSON_HEADERS);
        // Writes as fast as the client reads; a client that aborts ends the pipeline, and the exchange with it.
        await pipeline(fillerDocument(fault.bytes), res).catch(() => undefined);
    }
  };

  const server = createServer(async (req, res) => {
    const receivedAt = performance.now();
    const text = await readText(req);
    const request = recordRequest(req.method ?? "GET", req.url ?? "/", req.headers, text, receivedAt);
    requests.push(request);
    // Taken on arrival: the next `count` requests to arrive are the faulted ones, however long each takes.
    await answer(faults.shift(), request, res);
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
      openExchanges.abort();
      openExchanges = exchangesController();
      clearRequests();
      faults.length = 0;
      latencyMs = 0;
      options.reset?.();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        openExchanges.abort();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Each open exchange listens on its signal, and a wave of calls is dozens at once: no leak warning for them. */
function exchangesController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(1_000, controller.signal);
  return controller;
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, response: FakeResponse): void {
  const { headers, text } = encodeResponse(response);
  res.writeHead(response.status, headers);
  res.end(text);
}

/** Destroys `res` and its connection when `signal` aborts, unless the exchange is over by then. */
function cutOffOn(signal: AbortSignal, res: ServerResponse): void {
  const cutOff = () => res.destroy();
  signal.addEventListener("abort", cutOff, { once: true });
  res.once("close", () => signal.removeEventListener("abort", cutOff));
}

/** Waits `ms`; false when `signal` aborted first, and the exchange was cut off. */
async function waited(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * A JSON document `{"data":[…]}` of one record or more, at least `bytes` bytes long (at most one
 * record more), made and yielded a chunk at a time so that it never sits in memory whole.
 */
function* fillerDocument(bytes: number): Generator<string> {
  const chunkBytes = 64 * 1024;
  const close = "]}";
  let chunk = '{"data":[';
  let written = 0;
  for (let id = 1; id === 1 || written + chunk.length + close.length < bytes; id += 1) {
    chunk += `${id > 1 ? "," : ""}{"id":"${id}","type":"filler","attributes":{"name":"Filler record ${id}"}}`;
    if (chunk.length >= chunkBytes) {
      written += chunk.length;
      yield chunk;
      chunk = "";
    }
  }
  yield chunk + close;
}

/** The first `bytes` characters of a longer filler document: never valid JSON on its own. */
function fillerPrefix(bytes: number): string {
  return [...fillerDocument(bytes + 1)].join("").slice(0, bytes);
}
