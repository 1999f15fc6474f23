import { type Dispatcher, Pool } from "undici";
import type { Provider } from "../domain/common.ts";
import type { UpstreamError } from "../errors.ts";
import { type HttpMethod, statusError, transportError, type UpstreamResponse } from "./responses.ts";

/**
 * The upstream HTTP machinery the three REST adapters share: one keep-alive pool per origin,
 * explicit timeouts, JSON in and out. Transport failures and the statuses that mean the same thing
 * everywhere (401, 403, 429, 5xx) become `UpstreamError`s (see responses.ts); the others are
 * returned for the provider client to read.
 */

export type { HttpMethod, UpstreamResponse } from "./responses.ts";
export type QueryValue = string | number | boolean | null | undefined;

export interface UpstreamRequest {
  method: HttpMethod;
  /** Path below the origin, starting with "/". */
  path: string;
  query?: Record<string, QueryValue>;
  /** Serialised as JSON (or sent as is when a string). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** What tests (request counts) and metrics see of every upstream call. */
export interface UpstreamRequestEvent {
  provider: Provider;
  method: HttpMethod;
  /** Path and query string, never headers (they carry credentials). */
  url: string;
  status: number | null;
  durationMs: number;
  errorCode: UpstreamError["code"] | null;
}
export type UpstreamRequestObserver = (event: UpstreamRequestEvent) => void;

export interface UpstreamClientOptions {
  provider: Provider;
  /** Scheme and host, e.g. https://api.productive.io. */
  origin: string;
  /** Headers sent with every request (credentials included); a function so a refreshed token is picked up. */
  headers: () => Record<string, string>;
  /** Connect, headers and body timeout, each. */
  timeoutMs: number;
  /** The pause a 429 without a Retry-After hint asks for: the provider's documented window. */
  rateLimitWindowSeconds?: number;
  /** Tests pass an undici MockAgent; otherwise the client owns one keep-alive pool for the origin. */
  dispatcher?: Dispatcher;
  onRequest?: UpstreamRequestObserver;
}

export interface UpstreamClient {
  readonly provider: Provider;
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { provider, origin, timeoutMs } = options;
  const ownPool = options.dispatcher
    ? null
    : new Pool(origin, {
        connections: 16,
        keepAliveTimeout: 30_000,
        connect: { timeout: timeoutMs },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
  const dispatcher = options.dispatcher ?? (ownPool as Dispatcher);

  async function request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const path = req.path + queryString(req.query);
    const started = performance.now();
    const report = (status: number | null, errorCode: UpstreamError["code"] | null) =>
      options.onRequest?.({
        provider,
        method: req.method,
        url: path,
        status,
        durationMs: performance.now() - started,
        errorCode,
      });

    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin,
        path,
        method: req.method,
        headers: {
          accept: "application/json",
          ...(req.body !== undefined ? { "content-type": "application/json" } : {}),
          ...options.headers(),
          ...req.headers,
        },
        body:
          req.body === undefined
            ? undefined
            : typeof req.body === "string"
              ? req.body
              : JSON.stringify(req.body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs * 2),
      });
    } catch (cause) {
      const error = transportError(provider, req, cause, null);
      report(null, error.code);
      throw error;
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (cause) {
      const error = transportError(provider, req, cause, response.statusCode);
      report(response.statusCode, error.code);
      throw error;
    }

    const headers = response.headers;
    const body = parseBody(text);
    const error = statusError(provider, req, response.statusCode, headers, options.rateLimitWindowSeconds);
    report(response.statusCode, error?.code ?? null);
    if (error) throw error;
    return { status: response.statusCode, headers, body };
  }

  return {
    provider,
    request,
    async close() {
      await ownPool?.close();
    },
  };
}

function queryString(query: UpstreamRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : "";
}

function parseBody(text: string): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What the gateway hands every REST adapter besides its credentials. */
export type UpstreamSettings = Pick<UpstreamClientOptions, "timeoutMs" | "dispatcher" | "onRequest">;
