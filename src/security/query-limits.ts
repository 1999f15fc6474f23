import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { GraphQLError, ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { RequestLimits } from "./limits.ts";
import { useQueryCost } from "./query-cost.ts";
import { type QueryLimitName, queryTooComplex } from "./query-too-complex.ts";

/**
 * GraphQL Armor's refusals, with our code. Armor prefixes its messages "Syntax Error: ", which
 * they are not (the document parsed), and a client shows the message as it is.
 */
function armorRejection(limit: QueryLimitName, maximum: number) {
  const refusal = (error: GraphQLError) =>
    queryTooComplex(limit, error.message.replace(/^Syntax Error: /, ""), maximum);
  return {
    // A validation rule reports its error alongside the others; the parser (tokens) can only stop.
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        if (!context) throw refusal(error);
        context.reportError(refusal(error));
      },
    ],
    propagateOnRejection: false,
  };
}

/**
 * Everything an operation's shape is checked against before it runs: tokens while parsing (which
 * also bounds the parser's recursion), depth, aliases and directives while validating, and the
 * cost once the variables are known (validation results are cached per document, so a check that
 * reads variables cannot be a validation rule).
 */
export function useQueryLimits(limits: RequestLimits): Plugin[] {
  return [
    maxTokensPlugin({ n: limits.maxTokens, ...armorRejection("tokens", limits.maxTokens) }),
    // Fragments add no depth of their own: the depth is how deep the response nests.
    maxDepthPlugin({
      n: limits.maxDepth,
      flattenFragments: true,
      ...armorRejection("depth", limits.maxDepth),
    }),
    maxAliasesPlugin({ n: limits.maxAliases, ...armorRejection("aliases", limits.maxAliases) }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...armorRejection("directives", limits.maxDirectives) }),
    useQueryCost(limits.maxCost),
  ];
}
