import type { GraphQLError } from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { truncate } from "./redaction.ts";

/**
 * The most characters of one error message a response carries. The gateway's own messages quote
 * at most a slice of the input (src/security/redaction.ts); graphql-js quotes whole values
 * (`Int cannot represent non-integer value: "<200 KB>"`, a syntax error's string token), and this
 * bounds those too.
 */
export const MAX_ERROR_MESSAGE = 1_000;

/**
 * The last look at every response's errors, whichever stage made them (request parsing,
 * validation, execution): each message bounded, and no `extensions.originalError`, which yoga
 * fills with an internal error's name and message (a JSON parser's, quoting the body).
 */
export function useErrorHygiene(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(cleanResult));
      else if (!(Symbol.asyncIterator in result)) setResult(cleanResult(result));
    },
  };
}

function cleanResult<R extends { errors?: readonly GraphQLError[] }>(result: R): R {
  if (!result.errors?.some(needsCleaning)) return result;
  return { ...result, errors: result.errors.map((error) => (needsCleaning(error) ? cleaned(error) : error)) };
}

const needsCleaning = (error: GraphQLError) =>
  error.message.length > MAX_ERROR_MESSAGE || error.extensions?.originalError !== undefined;

function cleaned(error: GraphQLError): GraphQLError {
  const { originalError: _internal, ...extensions } = error.extensions ?? {};
  // Made by yoga's build of graphql, so that yoga still recognises it (see isGraphQLError in gateway.ts).
  return createGraphQLError(truncate(error.message, MAX_ERROR_MESSAGE), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    // Kept on the object (never serialised): yoga reads it to tell an unexpected error's status.
    originalError: error.originalError,
    extensions,
  });
}
