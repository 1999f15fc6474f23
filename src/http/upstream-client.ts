import { type Dispatcher, Pool, errors as undiciErrors } from "undici";
import type { z } from "zod";
import type { Provider } from "../domain/common.ts";
import { UpstreamError } from "../errors.ts";
import { retryAfterSeconds } from "./retry-after.ts";

/**
 * The upstream HTTP machinery the three REST adapters share: one keep-alive pool per origin,
 * explicit timeouts, JSON in and out, and the mapping of transport failures and of the statuses
 * that mean the same thing everywhere (401, 403, 429, 5xx) to `UpstreamError`. Statuses whose
 * meaning is provider-specific (400, 404, 422, …) are returned for the adapter to map.
 */

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
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

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the text when the body is not JSON, or null when empty. */
  body: unknown;
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
    const error = statusError(provider, req, response.statusCode, headers);
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

const TIMEOUT_ERRORS = [
  undiciErrors.ConnectTimeoutError,
  undiciErrors.HeadersTimeoutError,
  undiciErrors.BodyTimeoutError,
] as const;

/** Failures before anything was sent: the request cannot have been written. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * What a failed write did upstream, as `UpstreamError.writeLanded` tells it (reads write nothing):
 * never sent or refused → false; accepted (2xx) before the answer was cut off → true; otherwise
 * (cut off before any status, or a 5xx) → null, unknown.
 */
function writeOutcome(req: UpstreamRequest, status: number | null, cause?: unknown): boolean | null {
  if (req.method === "GET") return false;
  if (status === null) {
    const notSent =
      cause instanceof undiciErrors.ConnectTimeoutError ||
      NOT_SENT_CODES.has((cause as NodeJS.ErrnoException | undefined)?.code ?? "");
    return notSent ? false : null;
  }
  return landedByStatus(status);
}

/** A write answered with `status`: accepted (2xx) landed, 5xx is unknown, anything else was refused. */
function landedByStatus(status: number): boolean | null {
  if (status >= 200 && status < 300) return true;
  return status >= 500 ? null : false;
}

/** A transport failure: before any answer (`status` null), or while reading the answer's body. */
function transportError(
  provider: Provider,
  req: UpstreamRequest,
  cause: unknown,
  status: number | null,
): UpstreamError {
  const what = `${req.method} ${req.path}${status === null ? "" : ` (status ${status} arrived, its body did not)`}`;
  const landed = writeOutcome(req, status, cause);
  const timedOut =
    TIMEOUT_ERRORS.some((type) => cause instanceof type) ||
    (cause instanceof DOMException && (cause.name === "TimeoutError" || cause.name === "AbortError"));
  if (timedOut) {
    return new UpstreamError(provider, "TIMEOUT", `${provider} did not answer ${what} in time`, null, landed);
  }
  const reason =
    cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
  return new UpstreamError(
    provider,
    "UNAVAILABLE",
    `${provider} could not be reached for ${what} (${reason})`,
    null,
    landed,
  );
}

function statusError(
  provider: Provider,
  req: UpstreamRequest,
  status: number,
  headers: UpstreamResponse["headers"],
): UpstreamError | null {
  const what = `${req.method} ${req.path}`;
  if (status === 429) {
    return new UpstreamError(
      provider,
      "RATE_LIMITED",
      `${provider} rate limit reached (${what})`,
      retryAfterSeconds(headers),
    );
  }
  if (status === 401)
    return new UpstreamError(provider, "UNAUTHORIZED", `${provider} rejected the credentials (${what})`);
  if (status === 403) return new UpstreamError(provider, "FORBIDDEN", `${provider} refused ${what}`);
  if (status >= 500) {
    return new UpstreamError(
      provider,
      "UNAVAILABLE",
      `${provider} failed with ${status} (${what})`,
      retryAfterSeconds(headers),
      writeOutcome(req, status),
    );
  }
  return null;
}

/** Validates an upstream payload at the boundary; a payload of the wrong shape is BAD_RESPONSE. */
export function parseUpstream<S extends z.ZodType>(
  provider: Provider,
  schema: S,
  body: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "unexpected shape";
  throw new UpstreamError(provider, "BAD_RESPONSE", `${provider} sent an unexpected ${what} (${where})`);
}

/**
 * A status the adapter did not expect for this call. For a write, an unexpected 2xx still means
 * the provider accepted it (`writeLanded` true), and a 5xx leaves it unknown.
 */
export function unexpectedStatus(
  provider: Provider,
  response: UpstreamResponse,
  what: string,
  call: "read" | "write" = "read",
): UpstreamError {
  return new UpstreamError(
    provider,
    "BAD_RESPONSE",
    `${provider} answered ${what} with status ${response.status}`,
    null,
    call === "write" ? landedByStatus(response.status) : false,
  );
}

/** What the gateway hands every REST adapter besides its credentials. */
export type UpstreamSettings = Pick<UpstreamClientOptions, "timeoutMs" | "dispatcher" | "onRequest">;
