import { GraphQLError, Kind } from "graphql";
import { builder } from "./builder.ts";

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Input timestamps are normalised to UTC ISO strings, so every source compares instants the same way. */
function parseDateTime(value: unknown): string {
  if (typeof value !== "string" || !ISO_8601.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`DateTime must be an ISO 8601 string (got ${JSON.stringify(value)})`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return new Date(value).toISOString();
}

builder.scalarType("DateTime", {
  description: "An ISO 8601 timestamp. Output as the provider sent it; input normalised to UTC.",
  serialize: (value) => value,
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType("JSON", {
  description: "Any JSON value.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast) => {
    throw new GraphQLError(`JSON arguments must be passed as variables (got a ${ast.kind} literal)`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  },
});
