import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Gateway } from "../../src/gateway.ts";
import {
  type Answer,
  bearer,
  COUNT_COMPANIES,
  FULL_KEY,
  get,
  openConfiguredGateway,
  post,
} from "./support.ts";

const PRODUCTION = { NODE_ENV: "production", GATEWAY_API_KEYS: FULL_KEY };
const INTROSPECTION_QUERY = "{ __schema { queryType { name } } }";

/** Documents (and variables) that graphql-js answers with a suggestion of the name meant. */
const TYPOS: [what: string, query: string, variables: Record<string, unknown> | undefined, meant: string][] =
  [
    ["a field", "{ companies(first: 1) { edges { node { nme } } } }", undefined, '"name"'],
    ["an argument", "{ companies(frist: 1) { totalCount } }", undefined, '"first"'],
    [
      "an enum value",
      "{ companies(first: 1, filter: { status: ACTIV }) { totalCount } }",
      undefined,
      '"ACTIVE"',
    ],
    ["an input field", '{ companies(first: 1, filter: { nme: "x" }) { totalCount } }', undefined, '"name"'],
    [
      "a type",
      "query ($filter: CompanyFiltr) { companies(first: 1, filter: $filter) { totalCount } }",
      undefined,
      '"CompanyFilter"',
    ],
    [
      "a field of one implementation",
      "{ contacts(first: 1) { edges { node { customerId } } } }",
      undefined,
      '"MoneybirdContact"',
    ],
    [
      "an enum value in variables",
      "query ($status: CompanyStatus) { companies(first: 1, filter: { status: $status }) { totalCount } }",
      { status: "ACTIV" },
      '"ACTIVE"',
    ],
    [
      "an input field in variables",
      "query ($filter: CompanyFilter) { companies(first: 1, filter: $filter) { totalCount } }",
      { filter: { nme: "x" } },
      '"name"',
    ],
  ];

function gatewayFor(env: Record<string, string>) {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    gateway = await openConfiguredGateway(env);
  });
  afterAll(() => gateway?.close());
  return () => {
    if (!gateway) throw new Error("the gateway is only open inside a test");
    return gateway;
  };
}

const messagesOf = (answer: Answer): string[] =>
  (answer.json.errors as { message: string }[] | undefined)?.map((error) => error.message) ?? [];

describe("in production", () => {
  const gateway = gatewayFor(PRODUCTION);

  it("turns GraphiQL, introspection and suggestions off by default", () => {
    expect(loadConfig(PRODUCTION)).toMatchObject({
      environment: "production",
      graphiql: false,
      introspection: false,
    });
  });

  it("does not serve GraphiQL", async () => {
    for (const headers of [{ accept: "text/html" }, { accept: "text/html", ...bearer(FULL_KEY) }]) {
      const page = await get(gateway(), "/graphql", headers);
      expect(page.status).not.toBe(200);
      expect(page.headers.get("content-type") ?? "").not.toMatch(/html/);
      expect(page.text).not.toMatch(/graphiql/i);
    }
  });

  it("refuses introspection, even with a full key, and still answers __typename", async () => {
    const refused = await post(gateway(), { query: INTROSPECTION_QUERY }, bearer(FULL_KEY));
    expect(refused.json.data).toBeUndefined();
    expect(messagesOf(refused)).toEqual([
      expect.stringMatching(/introspection has been disabled.*"__schema"/),
      expect.stringMatching(/introspection has been disabled.*"queryType"/),
    ]);
    const typename = await post(gateway(), { query: "{ __typename }" }, bearer(FULL_KEY));
    expect(typename.json).toEqual({ data: { __typename: "Query" } });
  });

  it.each(TYPOS)("suggests no name for a mistyped %s", async (_what, query, variables, meant) => {
    const answer = await post(gateway(), { query, variables }, bearer(FULL_KEY));
    const messages = messagesOf(answer);
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) {
      expect(message).not.toMatch(/did you mean/i);
      expect(message).not.toContain(meant);
    }
  });

  it("serves /health and /ready without a credential", async () => {
    expect((await get(gateway(), "/health")).status).toBe(200);
    expect((await get(gateway(), "/ready")).status).toBe(200);
  });

  it("still answers 401 without a credential", async () => {
    expect((await post(gateway(), { query: COUNT_COMPANIES })).status).toBe(401);
  });
});

describe("in production with GRAPHIQL=true and INTROSPECTION=true", () => {
  const gateway = gatewayFor({ ...PRODUCTION, GRAPHIQL: "true", INTROSPECTION: "true" });

  it("serves GraphiQL", async () => {
    const page = await get(gateway(), "/graphql", { accept: "text/html" });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Contacts gateway");
  });

  it("answers introspection", async () => {
    const answer = await post(gateway(), { query: INTROSPECTION_QUERY }, bearer(FULL_KEY));
    expect(answer.json).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
  });

  it.each(TYPOS)(
    "suggests the name meant for a mistyped %s again",
    async (_what, query, variables, meant) => {
      const answer = await post(gateway(), { query, variables }, bearer(FULL_KEY));
      expect(messagesOf(answer).join("\n")).toMatch(new RegExp(`Did you mean .*${meant}`));
    },
  );
});

describe("the two switches are independent", () => {
  it("GRAPHIQL=true alone leaves introspection off, INTROSPECTION=true alone leaves GraphiQL off", () => {
    expect(loadConfig({ ...PRODUCTION, GRAPHIQL: "true" })).toMatchObject({
      graphiql: true,
      introspection: false,
    });
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION: "true" })).toMatchObject({
      graphiql: false,
      introspection: true,
    });
  });

  it("turns them off in development too when set to false", () => {
    expect(loadConfig({ GRAPHIQL: "false", INTROSPECTION: "false" })).toMatchObject({
      environment: "development",
      graphiql: false,
      introspection: false,
    });
  });

  it.each(["GRAPHIQL", "INTROSPECTION"])("refuses %s=1, naming it", (name) => {
    expect(() => loadConfig({ [name]: "1" })).toThrow(name);
  });
});
