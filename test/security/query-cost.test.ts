import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema/index.ts";
import { queryCost } from "../../src/security/query-cost.ts";

/** The cost model of src/security/query-cost.ts: the records a response can hold. */
const cost = (document: string, variables?: Record<string, unknown>, operationName?: string) =>
  queryCost(schema, parse(document), operationName, variables);

describe("query cost", () => {
  it("counts a connection's first records, each with the records below it", () => {
    expect(cost("{ companies(first: 100) { edges { node { id } } } }")).toBe(100);
    expect(
      cost(
        "{ companies(first: 100) { edges { node { contactEntries(first: 100) { edges { node { id } } } } } } }",
      ),
    ).toBe(100 * (1 + 100));
  });

  it("counts the page a connection reads even when no edge is selected", () => {
    expect(cost("{ companies(first: 100) { totalCount pageInfo { hasNextPage } } }")).toBe(100);
  });

  it("takes the page size, 20, when first is absent, and at most 100, beyond which the resolver refuses", () => {
    expect(cost("{ companies { edges { node { id } } } }")).toBe(20);
    expect(cost("{ companies(first: 1000000) { edges { node { id } } } }")).toBe(100);
  });

  it("reads first from the variables, then from the variable's default", () => {
    const document = "query ($first: Int = 7) { contacts(first: $first) { edges { node { id } } } }";
    expect(cost(document, { first: 50 })).toBe(50);
    expect(cost(document)).toBe(7);
    expect(cost("query ($first: Int) { contacts(first: $first) { edges { node { id } } } }")).toBe(20);
  });

  it("counts one record per id in nodes(ids:), from a literal or a variable", () => {
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { id } }')).toBe(3);
    expect(cost("query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids: Array(40).fill("x") })).toBe(40);
  });

  it("counts 1 for a single record and nothing for objects that are not records", () => {
    expect(cost('{ node(id: "x") { id } }')).toBe(1);
    expect(cost("{ contactEntries(first: 10) { edges { node { company { id } } } } }")).toBe(10 * (1 + 1));
    expect(cost("{ providers { provider rateBudget { remaining } } }")).toBe(0);
  });

  it("takes any other list of records to hold a page's worth", () => {
    expect(cost('{ node(id: "x") { ... on MoneybirdContact { notes { id } } } }')).toBe(1 + 20);
  });

  it("counts a fragment once per use, and the selections of every type condition", () => {
    const document = `
      { contacts(first: 10) { edges { node { ...Person ... on FreeAgentContact { id } } } } }
      fragment Person on MoneybirdContact { contactPersons(first: 5) { edges { node { id } } } }`;
    expect(cost(document)).toBe(10 * (1 + 5));
    expect(
      cost(
        `{ a: companies(first: 3) { ...C } b: companies(first: 4) { ...C } } fragment C on CompanyConnection { edges { node { id } } }`,
      ),
    ).toBe(7);
  });

  it("walks fragments that spread each other twice in linear time", () => {
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment F${i} on Company { ${i + 1 < levels ? `a: contactEntries(first: 0) { edges { node { company { ...F${i + 1} } } } } b: contactEntries(first: 0) { edges { node { company { ...F${i + 1} } } } }` : "id"} }`,
    );
    // 2⁴⁰ placements if walked naively: this returns at once only because each fragment is walked once.
    expect(cost(`{ companies(first: 1) { edges { node { ...F0 } } } } ${fragments.join(" ")}`)).toBe(1);
  });

  it("costs nothing for introspection, so GraphiQL can always load the schema", () => {
    expect(cost("{ __schema { types { name fields { name type { name ofType { name } } } } } }")).toBe(0);
    expect(cost('{ __type(name: "Company") { name } __typename }')).toBe(0);
  });

  it("costs the operation that runs, when a document holds several", () => {
    const document = `query Small { companies(first: 1) { totalCount } } query Large { companies(first: 100) { totalCount } }`;
    expect(cost(document, {}, "Small")).toBe(1);
    expect(cost(document, {}, "Large")).toBe(100);
  });

  it("counts a mutation's written record", () => {
    expect(
      cost(
        'mutation { createCompany(input: { name: "A" }) { ... on CreateCompanySuccess { company { id } } } }',
      ),
    ).toBe(1);
  });
});
