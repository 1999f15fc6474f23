import type { Provider, RecordKind } from "./domain/common.ts";

/**
 * The typed errors sources throw. Mutations return them as members of their result unions;
 * queries turn them into `errors[].extensions.code` (see `toGraphQLError` in src/schema/errors.ts).
 */

export interface FieldError {
  /** Path into the GraphQL mutation argument, without the argument itself (e.g. ["domain"] of "input"). */
  path: string[];
  message: string;
}

/** The input broke a rule of the provider (or of the store that mirrors it). Nothing was written. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(
    readonly fieldErrors: FieldError[],
    message = fieldErrors.map((e) => `${e.path.join(".") || "input"}: ${e.message}`).join("; "),
    /** The mutation argument the paths start from: "input", or "id" for a write addressed by id. */
    readonly argument = "input",
  ) {
    super(message || "Invalid input");
  }
}

/** The record does not exist (or is not visible to the configured credentials). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(
    readonly kind: RecordKind,
    /** The provider's id; for a contact person or note, `contactId/id`. */
    readonly remoteId: string,
  ) {
    super(`${kind} ${remoteId} not found`);
  }
}

/** A request the gateway refuses before any upstream call: a bad id, an over-limit page, an unsupported filter. */
export class BadUserInputError extends Error {
  override name = "BadUserInputError";
}

/**
 * The change feed cannot answer: `EXPIRED` when changes after the client's position were pruned
 * (it must read the records afresh, then follow the feed from its newest position), `UNAVAILABLE`
 * when no provider is served by the store that keeps the log.
 */
export class ChangeFeedError extends Error {
  override name = "ChangeFeedError";
  constructor(
    readonly code: "EXPIRED" | "UNAVAILABLE",
    message: string,
  ) {
    super(message);
  }
}

export const UPSTREAM_ERROR_CODES = [
  "RATE_LIMITED",
  "UNAVAILABLE",
  "TIMEOUT",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "BAD_RESPONSE",
] as const;
export type UpstreamErrorCode = (typeof UPSTREAM_ERROR_CODES)[number];

/** The upstream failed, refused, or answered something the gateway cannot trust. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    readonly provider: Provider,
    readonly code: UpstreamErrorCode,
    message: string,
    readonly retryAfterSeconds: number | null = null,
    /**
     * For a write: true when the provider accepted it and only reading the result back failed (do
     * not send it again); false when it was refused or never sent (nothing was written); null when
     * nobody can tell: the connection failed or timed out after the request was sent, or the
     * provider failed (5xx) while handling it.
     */
    readonly writeLanded: boolean | null = false,
  ) {
    super(message);
  }

  /** This error, for a follow-up read after a write that landed. */
  afterLandedWrite(what: string): UpstreamError {
    return new UpstreamError(
      this.provider,
      this.code,
      `${what} landed, but reading the result back failed: ${this.message}`,
      this.retryAfterSeconds,
      true,
    );
  }
}
