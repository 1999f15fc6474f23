import type { GraphQLSchema } from "graphql";

/**
 * The coverage table of a provider's doc page (issue 13): between `<!-- coverage:start -->` and
 * `<!-- coverage:end -->`, rows `| upstream | kind | GraphQL |` that name what each documented
 * attribute, filter or parameter is in the schema. `coverageProblems` holds a table to the schema
 * built from src and to the names the upstream documents, so that a removed field or a documented
 * name without a row fails CI.
 */

export const COVERAGE_KINDS = ["read", "write", "filter", "param", "owner", "raw"] as const;
export type CoverageKind = (typeof COVERAGE_KINDS)[number];

export interface CoverageRow {
  /** The upstream name as the row spells it, e.g. `company_name` or `filter: contact_type`. */
  upstream: string;
  kind: CoverageKind;
  /** Schema coordinates (`Type.field`, `Type.field(arg:)`); none for kind raw. */
  coordinates: string[];
  /** Why a raw row has no field; null otherwise. */
  reason: string | null;
  line: number;
}

const START = "<!-- coverage:start -->";
const END = "<!-- coverage:end -->";
const CODE = /`([^`]+)`/g;

export const hasCoverageTable = (markdown: string) => markdown.includes(START) && markdown.includes(END);

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((cell) => cell.trim());

/** The table's rows; a malformed row throws, naming its line. */
export function readCoverageTable(markdown: string): CoverageRow[] {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) throw new Error(`no ${START} … ${END} block`);
  const firstLine = markdown.slice(0, start).split("\n").length;
  const lines = markdown.slice(start + START.length, end).split("\n");
  const rows: CoverageRow[] = [];
  lines.forEach((text, index) => {
    const line = firstLine + index;
    if (!text.trim().startsWith("|")) return;
    const [upstreamCell = "", kindCell = "", graphqlCell = "", ...extra] = cells(text);
    if (/^-+$/.test(upstreamCell.replace(/:/g, "")) || upstreamCell.toLowerCase() === "upstream") return;
    if (extra.length > 0) throw new Error(`line ${line}: more than three cells`);
    const upstream = /^`([^`]+)`$/.exec(upstreamCell)?.[1];
    if (!upstream)
      throw new Error(`line ${line}: the upstream cell is not one name in backticks: ${upstreamCell}`);
    const kind = COVERAGE_KINDS.find((candidate) => candidate === kindCell);
    if (!kind) throw new Error(`line ${line}: kind ${kindCell} is not one of ${COVERAGE_KINDS.join(", ")}`);
    if (kind === "raw") {
      const reason = /^—\s*(.*)$/.exec(graphqlCell)?.[1]?.trim();
      if (!reason) throw new Error(`line ${line}: a raw row's GraphQL cell is — and why`);
      rows.push({ upstream, kind, coordinates: [], reason, line });
      return;
    }
    const coordinates = [...graphqlCell.matchAll(CODE)].map((match) => match[1] as string);
    if (coordinates.length === 0) throw new Error(`line ${line}: no schema coordinate for ${upstream}`);
    rows.push({ upstream, kind, coordinates, reason: null, line });
  });
  return rows;
}

const COORDINATE = /^([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*)(?:\(([A-Za-z_]\w*):\))?)?$/;

/** Why the coordinate names nothing in the schema; null when it names a type, field, argument or enum value. */
export function coordinateProblem(schema: GraphQLSchema, coordinate: string): string | null {
  const [, typeName = "", fieldName, argumentName] = COORDINATE.exec(coordinate) ?? [];
  if (!typeName) return `${coordinate} is not a schema coordinate`;
  const type = schema.getType(typeName);
  if (!type) return `${coordinate}: no type ${typeName}`;
  if (!fieldName) return null;
  // Duck-typed, as test/schema/contract.test.ts does: vitest may load graphql twice (ESM and CJS).
  if ("getValue" in type) {
    return type.getValue(fieldName) ? null : `${coordinate}: ${typeName} has no value ${fieldName}`;
  }
  if (!("getFields" in type)) return `${coordinate}: ${typeName} has no fields`;
  const field = (type.getFields() as Record<string, { args?: readonly { name: string }[] }>)[fieldName];
  if (!field) return `${coordinate}: ${typeName} has no field ${fieldName}`;
  if (!argumentName) return null;
  return (field.args ?? []).some((arg) => arg.name === argumentName)
    ? null
    : `${coordinate}: ${typeName}.${fieldName} has no argument ${argumentName}`;
}

/** A name the upstream documents; with `kind`, a row of that kind is wanted (a writable attribute's `write`). */
export type DocumentedName = string | { upstream: string; kind: CoverageKind };

export interface CoverageOptions {
  /** Also fail on rows for names the list does not hold (a typo hides a gap); off where the list is partial. */
  exhaustive?: boolean;
}

/**
 * Everything that makes the table untrue: a coordinate the schema lacks, a documented name (or
 * name and kind) without a row, and, when exhaustive, a row for a name the list does not hold.
 */
export function coverageProblems(
  rows: readonly CoverageRow[],
  schema: GraphQLSchema,
  documented: readonly DocumentedName[],
  { exhaustive = true }: CoverageOptions = {},
): string[] {
  const problems = rows.flatMap((row) =>
    row.coordinates.flatMap((coordinate) => {
      const problem = coordinateProblem(schema, coordinate);
      return problem ? [`line ${row.line} (${row.upstream}): ${problem}`] : [];
    }),
  );
  for (const name of documented) {
    const [upstream, kind] = typeof name === "string" ? [name, null] : [name.upstream, name.kind];
    const covered = rows.some((row) => row.upstream === upstream && (kind === null || row.kind === kind));
    if (!covered)
      problems.push(`${upstream} is documented upstream but has no ${kind ?? "row"}${kind ? " row" : ""}`);
  }
  if (exhaustive) {
    const known = new Set(documented.map((name) => (typeof name === "string" ? name : name.upstream)));
    for (const row of rows) {
      if (!known.has(row.upstream))
        problems.push(`line ${row.line}: ${row.upstream} is not documented upstream`);
    }
  }
  return problems;
}
