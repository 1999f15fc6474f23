import { readFileSync } from "node:fs";
import { getIntrospectionQuery, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { GRAPHIQL_EXAMPLE_QUERY } from "../../src/graphiql-example.ts";
import { schema } from "../../src/schema/index.ts";
import { DEFAULT_LIMITS } from "../../src/security/limits.ts";
import { queryCost } from "../../src/security/query-cost.ts";
import { useGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

/**
 * What the limits are for is refusing abuse, never legitimate use: every query the docs show runs
 * under the default limits, and its cost is far below MAX_COST.
 */

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const README_EXAMPLES = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] as string);
const operation = (name: string) =>
  readFileSync(new URL(`../../examples/operations/${name}.graphql`, import.meta.url), "utf8");

/** What GraphiQL sends as it opens: the introspection query with the options it asks for. */
const GRAPHIQL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

const cost = (document: string, variables?: Record<string, unknown>) =>
  queryCost(schema, parse(document), undefined, variables);

describe("legitimate queries under the default limits", () => {
  const gateway = useGateway("each");

  it("run every README example", async () => {
    expect(README_EXAMPLES).toHaveLength(4);
    for (const example of README_EXAMPLES) await executeOk(gateway(), example);
  });

  it("run every example operation", async () => {
    await executeOk(gateway(), operation("company-list"), {});
    const { contacts } = await executeOk(gateway(), "{ contacts(first: 1) { edges { node { id } } } }");
    await executeOk(gateway(), operation("contact-detail"), { id: contacts.edges[0].node.id });
    await executeOk(gateway(), operation("create-company"), { input: { name: "Limits Ltd" } });
  });

  it("run GraphiQL's default query and its introspection queries", async () => {
    await executeOk(gateway(), GRAPHIQL_EXAMPLE_QUERY);
    for (const introspection of [getIntrospectionQuery(), GRAPHIQL_INTROSPECTION]) {
      const { data, errors } = await execute(gateway(), introspection);
      expect(errors).toBeUndefined();
      expect(data.__schema.queryType.name).toBe("Query");
    }
  });

  it("run a full page of 100 companies with a full page of 100 entries each, and each entry's company", async () => {
    const query = `{ companies(first: 100) { edges { node { id
      contactEntries(first: 100) { edges { node { id company { id } } } } } } } }`;
    expect(cost(query)).toBe(20_100);
    await executeOk(gateway(), query);
  });

  it("cost under 1% of MAX_COST", () => {
    const costs = {
      readme: README_EXAMPLES.map((example) => cost(example)),
      CompanyList: cost(operation("company-list")),
      ContactDetail: cost(operation("contact-detail")),
      CreateCompany: cost(operation("create-company")),
      GraphiQL: cost(GRAPHIQL_EXAMPLE_QUERY),
      introspection: cost(GRAPHIQL_INTROSPECTION),
    };
    expect(costs).toEqual({
      readme: [120, 120, 1, 210],
      CompanyList: 120,
      ContactDetail: 41,
      CreateCompany: 1,
      GraphiQL: 40,
      introspection: 0,
    });
    for (const measured of Object.values(costs).flat()) {
      expect(measured).toBeLessThan(DEFAULT_LIMITS.maxCost / 100);
    }
  });
});
