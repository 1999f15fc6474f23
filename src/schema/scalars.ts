import { GraphQLError, Kind } from "graphql";
import { MAX_QUOTED_INPUT, truncate } from "../security/redaction.ts";
import { builder } from "./builder.ts";

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))?)?$/;

/** A real calendar date and clock time: Date.parse would roll 2024-02-30 over to 1 March. */
function isValidInstant(match: RegExpExecArray): boolean {
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year as number, (month as number) - 1, day);
  return (
    date.getUTCMonth() === (month as number) - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

/** Input timestamps are normalised to UTC ISO strings, so every source compares instants the same way. */
function parseDateTime(value: unknown): string {
  const match = typeof value === "string" ? ISO_8601.exec(value) : null;
  if (!match || !isValidInstant(match) || Number.isNaN(Date.parse(value as string))) {
    const got = truncate(String(JSON.stringify(value)), MAX_QUOTED_INPUT);
    throw new GraphQLError(`DateTime must be an ISO 8601 date or timestamp (got ${got})`, {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  // A time without an offset is UTC, not the server's local time (which Date would assume).
  const hasTimeWithoutOffset = match[4] !== undefined && !/(Z|[+-]\d{2}:?\d{2})$/.test(value as string);
  return new Date(hasTimeWithoutOffset ? `${value}Z` : (value as string)).toISOString();
}

builder.scalarType("DateTime", {
  description:
    "An ISO 8601 timestamp. Output as the provider sent it; input normalised to UTC (a time without an offset is read as UTC).",
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
