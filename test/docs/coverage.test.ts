import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema/index.ts";
import {
  type CoverageRow,
  coverageProblems,
  type DocumentedName,
  hasCoverageTable,
  readCoverageTable,
} from "../support/coverage-table.ts";

/**
 * Each provider's coverage table (docs/<provider>.md, issue 13) against the schema built from src
 * and against the names the upstream documents: a removed field, a documented attribute, filter
 * or parameter without a row, or a row for a name the docs do not have fails here.
 */

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
// The upstream docs sit beside the clone, here and in CI; Moneybird's spec has a copy in test/support.
const upstream = resolve(repoRoot, "../shared/upstream");
const read = (file: string) => readFileSync(file, "utf8");
type Json = Record<string, unknown>;

/** Moneybird: the contact's response and request properties, the list's parameters and the filter's keys. */
function moneybirdNames(): DocumentedName[] {
  const spec = JSON.parse(read(resolve(repoRoot, "test/support/moneybird-contacts.openapi.json"))) as Json;
  const components = spec.components as Record<string, Record<string, Json>>;
  const schemas = components.schemas as Record<string, Json>;
  const paths = spec.paths as Record<string, Record<string, Json>>;
  const propertiesOf = (schema: Json): string[] => [
    ...Object.keys((schema.properties as Json | undefined) ?? {}),
    ...((schema.allOf as Json[] | undefined) ?? []).flatMap((part) => {
      const ref = part.$ref as string | undefined;
      return propertiesOf(ref ? (schemas[ref.split("/").pop() as string] as Json) : part);
    }),
  ];
  const readable = propertiesOf(schemas.contact_response as Json);
  const operation = (path: string, method: string) => {
    const found = paths[`/{administration_id}/contacts${path}{format}`]?.[method];
    if (!found) throw new Error(`the spec has no ${method} /contacts${path}`);
    return found;
  };
  const bodyOf = (found: Json) => {
    const content = (found.requestBody as Json).content as Record<string, { schema: Json }>;
    const root = Object.values(content)[0]?.schema.properties as Record<string, Json>;
    return propertiesOf(root.contact as Json);
  };
  const written = [...bodyOf(operation("", "post")), ...bodyOf(operation("/{id}", "patch"))];
  const parameters = (operation("", "get").parameters as Json[])
    .map((parameter) => {
      const ref = parameter.$ref as string | undefined;
      return ref ? (components.parameters?.[ref.split("/").pop() as string] as Json) : parameter;
    })
    .filter((parameter) => parameter.in === "query")
    .map((parameter) => `query: ${parameter.name as string}`);
  const filterParameter = (operation("/filter", "get").parameters as Json[]).find(
    (parameter) => parameter.name === "filter",
  ) as Json;
  const filterKeys = [...String(filterParameter.description).matchAll(/^\| ([a-z_]+) \|/gm)].map(
    (match) => `filter: ${match[1]}`,
  );
  return [
    ...new Set([...readable, ...parameters, ...filterKeys]),
    ...[...new Set(written)].map((name) => ({ upstream: name, kind: "write" as const })),
  ];
}

/** FreeAgent: the keys of the documented contact (JSON, and the XML's direct children), and the list's parameters. */
function freeAgentNames(): DocumentedName[] {
  const text = read(resolve(upstream, "freeagent-contacts.txt"));
  const jsonKeys = [...text.matchAll(/^"([a-z0-9_]+)":/gm)].map((match) => match[1] as string);
  // The XML shows an element the JSON examples leave out (direct_debit_mandate): <contact>'s children.
  const xmlChildren: string[] = [];
  const open: string[] = [];
  for (const line of text.split("\n")) {
    const element = /^<([a-z0-9-]+)[^>]*>(.*<\/\1>)?$/.exec(line);
    if (element) {
      if (open.at(-1) === "contact") xmlChildren.push((element[1] as string).replaceAll("-", "_"));
      if (!element[2]) open.push(element[1] as string);
    } else if (/^<\/[a-z0-9-]+>/.test(line)) open.pop();
  }
  const urlParameters = [...text.matchAll(/contacts\?([a-z_]+)=/g)].map((match) => match[1] as string);
  // Paging and updated_since are documented in the upstream README's FreeAgent facts.
  const parameters = [...urlParameters, "page", "per_page", "updated_since"].map((name) => `query: ${name}`);
  return [...new Set([...jsonKeys, ...xmlChildren, ...parameters])];
}

/**
 * Productive: the companies' supported attributes (each read and written), the filters of
 * companies and contact entries, the contactable types (each an owner) and the entry types.
 */
function productiveNames(): DocumentedName[] {
  const companies = read(resolve(upstream, "productive-companies.txt"));
  const entries = read(resolve(upstream, "productive-contact-entries.txt"));
  const between = (text: string, from: string, to: string) =>
    text.slice(text.indexOf(from) + from.length, text.indexOf(to, text.indexOf(from)));
  // Companies list `name` over `(type) - …`; contact entries `• name (type)`.
  const names = (section: string) =>
    [...section.matchAll(/^([a-z_]+)\n\(|^\s*•\s*([a-z_]+) \(/gm)].map(
      (match) => (match[1] ?? match[2]) as string,
    );
  // The enum lists: `• Person (used for …)`, `• Purchase order`.
  const values = (section: string) =>
    [...section.matchAll(/^\s*•\s*([A-Z][A-Za-z ]*?)(?: \(.*)?$/gm)].map((match) => match[1] as string);
  const attributes = names(between(companies, "Supported attributes", "Supported filter params"));
  return [
    ...new Set([
      ...attributes,
      ...names(between(companies, "Supported filter params", "GET /api/v2/companies")).map(
        (name) => `filter: ${name}`,
      ),
      ...names(between(entries, "Supported filter params", "Contactable types")).map(
        (name) => `filter: ${name}`,
      ),
      ...values(between(entries, "Contact entry types", "GET /api/v2/contact_entries")),
    ]),
    ...attributes.map((name) => ({ upstream: name, kind: "write" as const })),
    ...values(between(entries, "Contactable types", "Contact entry types")).map((name) => ({
      upstream: name,
      kind: "owner" as const,
    })),
  ];
}

const PROVIDERS = [
  { provider: "moneybird", names: moneybirdNames, needs: [] as string[], exhaustive: true },
  { provider: "freeagent", names: freeAgentNames, needs: ["freeagent-contacts.txt"], exhaustive: true },
  // Productive's table names attributes the companies' list of supported attributes leaves out.
  {
    provider: "productive",
    names: productiveNames,
    needs: ["productive-companies.txt", "productive-contact-entries.txt"],
    exhaustive: false,
  },
];

describe("coverage tables", () => {
  // Only the pages that hold a table yet: a provider's table joins the check when its doc gets one.
  const withTable = PROVIDERS.filter(({ provider }) =>
    hasCoverageTable(read(resolve(repoRoot, `docs/${provider}.md`))),
  );

  it("include Moneybird's and FreeAgent's", () => {
    expect(withTable.map(({ provider }) => provider)).toEqual(
      expect.arrayContaining(["moneybird", "freeagent"]),
    );
  });

  for (const { provider, names, needs, exhaustive } of withTable) {
    const missing = needs.map((file) => resolve(upstream, file)).filter((file) => !existsSync(file));
    it.skipIf(missing.length > 0)(
      `docs/${provider}.md names every documented ${provider} attribute and parameter, each in the schema${
        missing.length > 0 ? ` (skipped: ${missing.join(", ")} not beside the clone)` : ""
      }`,
      () => {
        const rows: CoverageRow[] = readCoverageTable(read(resolve(repoRoot, `docs/${provider}.md`)));
        const documented = names();
        expect(documented.length).toBeGreaterThan(5);
        expect(coverageProblems(rows, schema, documented, { exhaustive })).toEqual([]);
      },
    );
  }
});

describe("the coverage checker", () => {
  const table = (...rows: string[]) =>
    [
      "<!-- coverage:start -->",
      "| upstream | kind | GraphQL |",
      "| --- | --- | --- |",
      ...rows,
      "<!-- coverage:end -->",
    ].join("\n");

  it("reports a coordinate the schema lacks, a documented name without its row, and an undocumented row", () => {
    const rows = readCoverageTable(
      table(
        "| `company_name` | read | `MoneybirdContact.companyName`, `MoneybirdContact.companyNom` |",
        "| `todo` | param | `Query.contacts(todo:)` |",
        "| `typo_name` | read | `MoneybirdContact.phone` |",
      ),
    );
    expect(
      coverageProblems(rows, schema, [
        "company_name",
        "todo",
        { upstream: "company_name", kind: "write" },
        "city",
      ]),
    ).toEqual([
      "line 4 (company_name): MoneybirdContact.companyNom: MoneybirdContact has no field companyNom",
      "line 5 (todo): Query.contacts(todo:): Query.contacts has no argument todo",
      "company_name is documented upstream but has no write row",
      "city is documented upstream but has no row",
      "line 6: typo_name is not documented upstream",
    ]);
  });

  it("accepts fields, arguments, input fields and enum values that exist", () => {
    const rows = readCoverageTable(
      table(
        "| `query: first` | param | `Query.contacts(first:)`, `ContactFilter.todo`, `MoneybirdSepaSequenceType.RCUR` |",
        "| `administration_id` | raw | — one per gateway |",
      ),
    );
    expect(coverageProblems(rows, schema, ["query: first", "administration_id"])).toEqual([]);
  });

  it("refuses a malformed row: a raw one without its reason, an unknown kind, no coordinate", () => {
    expect(() => readCoverageTable(table("| `a` | raw | — |"))).toThrow(/raw row/);
    expect(() => readCoverageTable(table("| `a` | reads | `Query.contacts` |"))).toThrow(/kind reads/);
    expect(() => readCoverageTable(table("| `a` | read | nothing |"))).toThrow(/no schema coordinate/);
    expect(() => readCoverageTable("no table")).toThrow(/coverage:start/);
  });
});
