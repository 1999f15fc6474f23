import type { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";

/** The code of every refusal of an operation's shape: depth, aliases, tokens, directives, cost. */
export const QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX";

export type QueryLimitName = "depth" | "aliases" | "tokens" | "directives" | "cost";

/**
 * A refusal before execution, answered as yoga answers a validation error: HTTP 400 to a client
 * that accepts application/graphql-response+json, 200 to one that accepts only application/json
 * (as GraphQL over HTTP asks). Made by yoga's build of graphql, so that yoga recognises it
 * whichever build this module got (see isGraphQLError in gateway.ts).
 */
export function queryTooComplex(limit: QueryLimitName, message: string, maximum: number): GraphQLError {
  return createGraphQLError(message, {
    extensions: { code: QUERY_TOO_COMPLEX, limit, maximum, http: { spec: true, status: 400 } },
  });
}
