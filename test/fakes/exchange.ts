import type { IncomingHttpHeaders } from "node:http";
import type { Provider } from "../../src/domain/common.ts";
import { DOCUMENTED_RATE_LIMITS } from "../../src/providers/rate-limits.ts";

/**
 * One request as a fake upstream received it, the same whether the fake is a loopback server or the
 * MockAgent harness, so handlers and assertions read both alike.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  body: unknown;
}

/** A request a fake recorded itself, stamped with when it arrived (a test building one by hand has no such time). */
export interface ReceivedRequest extends RecordedRequest {
  /** `performance.now()` on arrival, in ms: for rate meters such as `maxInWindow`. */
  receivedAt: number;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
}

/** Synchronous, because undici's MockAgent asks for its reply synchronously. */
export type FakeHandler = (request: RecordedRequest) => FakeResponse;

/** `target` is the request line's path and query; `headers` have lower-case names. */
export function recordRequest(
  method: string,
  target: string,
  headers: IncomingHttpHeaders,
  text: string,
  receivedAt = performance.now(),
): ReceivedRequest {
  const url = new URL(target, "http://fake.test");
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: text === "" ? undefined : parseJson(text),
    receivedAt,
  };
}

/** The handler's answer; one that throws answers 500 with the error, so a broken fake shows in the test. */
export function respond(handler: FakeHandler, request: RecordedRequest): FakeResponse {
  try {
    return handler(request);
  } catch (error) {
    return { status: 500, body: { error: String(error) } };
  }
}

/** What goes on the wire for `response`: its headers with a content type for its body, and the body's text. */
export function encodeResponse(response: FakeResponse): {
  headers: Record<string, string>;
  text: string | undefined;
} {
  if (response.body === undefined) return { headers: { ...response.headers }, text: undefined };
  const isText = typeof response.body === "string";
  return {
    headers: { "content-type": isText ? "text/plain" : "application/json", ...response.headers },
    text: isText ? (response.body as string) : JSON.stringify(response.body),
  };
}

/** The path, then the query string when there is one. */
export const pathAndQuery = ({ path, query }: RecordedRequest) =>
  query.size > 0 ? `${path}?${query}` : path;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The rate limits functional tests give an adapter: the provider's documented windows (a 429
 * without a hint still pauses for the documented window) with limits far above what any of them
 * sends, so only the budget tests meet a budget.
 */
export const unreachedRateLimits = (provider: Provider) =>
  DOCUMENTED_RATE_LIMITS[provider].map(({ seconds }) => ({ limit: 1_000_000, seconds }));
/** The same, as `<PROVIDER>_RATE_LIMITS` for a gateway started from the environment. */
export const unreachedRateLimitsEnv = (provider: Provider) =>
  unreachedRateLimits(provider)
    .map(({ limit, seconds }) => `${limit}/${seconds}`)
    .join(",");
