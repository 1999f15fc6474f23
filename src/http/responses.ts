import { errors as undiciErrors } from "undici";
import type { z } from "zod";
import { PROVIDER_NAMES, type Provider, type RecordKind } from "../domain/common.ts";
import {
  BadUserInputError,
  type FieldError,
  NotFoundError,
  UpstreamError,
  ValidationError,
} from "../errors.ts";
import { truncate } from "../security/redaction.ts";
import type { UpstreamHeaders } from "./headers.ts";
import { retryAfterSeconds } from "./retry-after.ts";

/**
 * The one place that turns what an upstream did into a result or a typed error: transport
 * failures, the statuses that mean the same thing at every provider (401, 403, 429, 5xx), and, with
 * the provider's own reading of its error bodies, 404, 400/422 and unexpected statuses.
 */

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  /** Parsed JSON, the text when the body is not JSON, or null when empty. */
  body: unknown;
}

/** The most characters of a provider's own words (a field error, a shape mismatch) a client message keeps. */
export const MAX_UPSTREAM_WORDS = 200;

/** What a request was, as far as its errors need to tell. */
export interface SentRequest {
  method: HttpMethod;
  path: string;
  /**
   * How client messages name the call ("contact list read"); never its path, which holds account
   * ids (the log gets the path, see `UpstreamRequestEvent.failure`). "<METHOD> request" when not given.
   */
  what?: string;
}

/** The call as a client message names it. */
export const callName = (req: SentRequest) => `the ${req.what ?? `${req.method} request`}`;

/** The record a write addresses: the provider saying it does not exist becomes this `NotFoundError`. */
export interface Target {
  kind: RecordKind;
  id: string;
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
function writeOutcome(req: SentRequest, status: number | null, cause?: unknown): boolean | null {
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
export function transportError(
  provider: Provider,
  req: SentRequest,
  cause: unknown,
  status: number | null,
): UpstreamError {
  const name = PROVIDER_NAMES[provider];
  const what = `${callName(req)}${status === null ? "" : ` (status ${status} arrived, its body did not)`}`;
  const landed = writeOutcome(req, status, cause);
  const timedOut =
    TIMEOUT_ERRORS.some((type) => cause instanceof type) ||
    (cause instanceof DOMException && (cause.name === "TimeoutError" || cause.name === "AbortError"));
  if (timedOut) {
    return new UpstreamError(provider, "TIMEOUT", `${name} did not answer ${what} in time`, null, landed);
  }
  // The error code only: a transport error's message names hosts and addresses, which the log gets.
  const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? "connection failed";
  return new UpstreamError(
    provider,
    "UNAVAILABLE",
    `${name} could not be reached for ${what} (${reason})`,
    null,
    landed,
  );
}

/** An answer past the size cap: dropped unread, so no upstream can make the gateway buffer it. */
export function oversizedBody(
  provider: Provider,
  req: SentRequest,
  status: number,
  maxBytes: number,
): UpstreamError {
  return new UpstreamError(
    provider,
    "BAD_RESPONSE",
    `${PROVIDER_NAMES[provider]} answered ${callName(req)} with more than ${maxBytes} bytes (UPSTREAM_MAX_BODY_BYTES)`,
    null,
    writeOutcome(req, status),
  );
}

/** The statuses that mean the same at every provider; null for the others, which the provider reads. */
export function statusError(
  provider: Provider,
  req: SentRequest,
  status: number,
  headers: UpstreamHeaders,
  rateLimitWindowSeconds: number | null = null,
): UpstreamError | null {
  const name = PROVIDER_NAMES[provider];
  const what = callName(req);
  if (status === 429) {
    return new UpstreamError(
      provider,
      "RATE_LIMITED",
      `${name} rate limit reached on ${what}`,
      retryAfterSeconds(headers) ?? rateLimitWindowSeconds,
    );
  }
  if (status === 401)
    return new UpstreamError(provider, "UNAUTHORIZED", `${name} rejected the credentials on ${what}`);
  if (status === 403) return new UpstreamError(provider, "FORBIDDEN", `${name} refused ${what} (403)`);
  if (status >= 500) {
    return new UpstreamError(
      provider,
      "UNAVAILABLE",
      `${name} failed with ${status} on ${what}`,
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
  throw new UpstreamError(
    provider,
    "BAD_RESPONSE",
    `${PROVIDER_NAMES[provider]} sent an unexpected ${what} (${truncate(where, MAX_UPSTREAM_WORDS)})`,
  );
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
    `${PROVIDER_NAMES[provider]} answered the ${what} with status ${response.status}`,
    null,
    call === "write" ? landedByStatus(response.status) : false,
  );
}

/** The most field errors of one refusal a client gets. */
const MAX_FIELD_ERRORS = 50;

/**
 * A provider's field errors as the client gets them: about the client's own input, so kept in the
 * provider's words, but bounded. (Credentials are already gone: error bodies are redacted as they
 * arrive, see upstream-client.ts.)
 */
export function boundedFieldErrors(fieldErrors: FieldError[]): FieldError[] {
  return fieldErrors
    .slice(0, MAX_FIELD_ERRORS)
    .map(({ path, message }) => ({ path, message: truncate(message, MAX_UPSTREAM_WORDS) }));
}

/** How a provider words a refused write: its error body, and the input fields the body names. */
export interface RefusalBody<Body> {
  schema: z.ZodType<Body>;
  fieldErrors(body: Body): FieldError[];
}

/**
 * A refused write, for a provider that answers the usual way: 404 is the addressed record missing,
 * 400 and 422 with a readable error body are invalid input; null for anything else.
 */
export function refusedWrite<Body>(
  refusal: RefusalBody<Body>,
): (response: UpstreamResponse, target: Target | null) => Error | null {
  return (response, target) => {
    if (response.status === 404 && target) return new NotFoundError(target.kind, target.id);
    if (response.status === 422 || response.status === 400) {
      const body = refusal.schema.safeParse(response.body);
      if (body.success) return new ValidationError(boundedFieldErrors(refusal.fieldErrors(body.data)));
    }
    return null;
  };
}

/**
 * Reads what a write that landed produced: its answer, or the record read back after it. A failure
 * here must not look like a failed write, which a client would send again: it becomes an
 * `UpstreamError` that says the write landed (`writeLanded`).
 */
export async function readAfterWrite<T>(
  provider: Provider,
  what: string,
  read: () => T | Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof UpstreamError) throw error.afterLandedWrite(what);
    // The record vanishing, or a read the provider refused, right after the write: still an upstream failure.
    if (error instanceof NotFoundError || error instanceof BadUserInputError) {
      throw new UpstreamError(provider, "BAD_RESPONSE", error.message).afterLandedWrite(what);
    }
    throw error;
  }
}
