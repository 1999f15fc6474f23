import { GraphQLError } from "graphql";
import {
  BadUserInputError,
  ChangeFeedError,
  NotFoundError,
  UPSTREAM_ERROR_CODES,
  UpstreamError,
  ValidationError,
} from "../errors.ts";
import { builder } from "./builder.ts";
import { encodeGlobalId } from "./global-id.ts";
import { ProviderEnum } from "./provider.ts";

/**
 * The typed errors as GraphQL types (members of the mutation result unions), and the one mapping
 * of errors to `errors[].extensions.code` for queries.
 */

export const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  fields: (t) => ({ message: t.exposeString("message") }),
});

const FieldErrorType = builder.objectRef<{ path: string[]; message: string }>("FieldError").implement({
  fields: (t) => ({
    path: t.exposeStringList("path", {
      description: 'Path into the mutation arguments, e.g. ["input","domain"].',
    }),
    message: t.exposeString("message"),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  description: "The input broke a rule of the provider; nothing was written.",
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    fieldErrors: t.field({
      type: [FieldErrorType],
      resolve: (error) =>
        error.fieldErrors.map((e) => ({ path: [error.argument, ...e.path], message: e.message })),
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    id: t.id({ resolve: (error) => encodeGlobalId(error.kind, error.remoteId) }),
  }),
});

const UpstreamErrorCodeEnum = builder.enumType("UpstreamErrorCode", {
  values: UPSTREAM_ERROR_CODES,
});

builder.objectType(UpstreamError, {
  name: "UpstreamError",
  description: "The provider failed or refused. For a write, `writeLanded` says whether it landed.",
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof UpstreamError,
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, resolve: (error) => error.provider }),
    code: t.field({ type: UpstreamErrorCodeEnum, resolve: (error) => error.code }),
    retryAfterSeconds: t.int({ nullable: true, resolve: (error) => error.retryAfterSeconds }),
    writeLanded: t.boolean({
      nullable: true,
      description:
        "For a write. true: the provider accepted it and only reading the result back failed; do not send it again. false: refused or never sent; nothing was written. null: unknown (the connection failed after the request was sent, or the provider failed while handling it); check before sending it again.",
      resolve: (error) => error.writeLanded,
    }),
  }),
});

/**
 * Why the root connections are nullable although each always answers when its provider does: a
 * non-null root field that fails nulls the whole response, and one provider failing must leave
 * the other providers' data in it.
 */
export const ROOT_CONNECTION_NULLABILITY =
  "Null (with the error in `errors`) only when the provider fails, so the rest of the response stands.";

/**
 * Why a field that makes an upstream call of its own (not its parent's record: a company's entries,
 * a contact's charges) is nullable: that call can fail while the parent was read fine, and a
 * non-null field that fails nulls its parent, and so on up to the whole page (DESIGN: "Every field
 * that needs an upstream call of its own is nullable").
 */
export const OWN_CALL_NULLABILITY =
  "Null (with the error in `errors`) when the upstream call behind this field fails; the rest of the response stands.";

/**
 * The errors a mutation that names a record can return besides UpstreamError (every mutation's,
 * see builder.ts): its input refused, or the record missing.
 */
export const WRITE_ERRORS = [ValidationError, NotFoundError];

const UPSTREAM_CODES: Record<UpstreamError["code"], string> = {
  RATE_LIMITED: "RATE_LIMITED",
  UNAVAILABLE: "UPSTREAM_UNAVAILABLE",
  TIMEOUT: "UPSTREAM_TIMEOUT",
  UNAUTHORIZED: "UPSTREAM_UNAUTHORIZED",
  FORBIDDEN: "UPSTREAM_FORBIDDEN",
  BAD_RESPONSE: "UPSTREAM_BAD_RESPONSE",
};

/** The client-facing form of a typed error; null for an unexpected error (which gets masked). */
export function toGraphQLError(
  error: unknown,
  base: { path?: readonly (string | number)[] } = {},
): GraphQLError | null {
  const withCode = (message: string, extensions: Record<string, unknown>) =>
    new GraphQLError(message, { path: base.path, extensions });
  if (error instanceof NotFoundError) {
    return withCode(error.message, { code: "NOT_FOUND", id: encodeGlobalId(error.kind, error.remoteId) });
  }
  if (error instanceof BadUserInputError) return withCode(error.message, { code: "BAD_USER_INPUT" });
  if (error instanceof ChangeFeedError) return withCode(error.message, { code: `CHANGES_${error.code}` });
  if (error instanceof ValidationError) {
    return withCode(error.message, { code: "BAD_USER_INPUT", fieldErrors: error.fieldErrors });
  }
  if (error instanceof UpstreamError) {
    return withCode(error.message, {
      code: UPSTREAM_CODES[error.code],
      provider: error.provider,
      ...(error.retryAfterSeconds === null ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
      ...(error.writeLanded === false ? {} : { writeLanded: error.writeLanded }),
    });
  }
  return null;
}
