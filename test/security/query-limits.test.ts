import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { countBackendCalls, cyclicQuery, onlyError } from "./limits-support.ts";
import { post, useConfiguredGateways } from "./support.ts";

/**
 * The attacks of the issue, each refused before anything runs (no backend call), with
 * QUERY_TOO_COMPLEX naming the limit and how far the operation is over it.
 */

const gatewayWith = useConfiguredGateways();

/** Raises the limits in front of the one under test, so that it is the one that refuses. */
const ONLY = {
  MAX_REQUEST_BYTES: String(50 * 1024 * 1024),
  MAX_TOKENS: "1000000",
  MAX_DEPTH: "1000",
  MAX_ALIASES: "100000",
  MAX_DIRECTIVES: "100000",
  MAX_COST: "1000000000",
};

const THREE_LEVELS_OF_100 = `{
  companies(first: 100) { edges { node {
    contactEntries(first: 100) { edges { node {
      company { contactEntries(first: 100) { edges { node { id } } } }
    } } }
  } } }
}`;

describe("query limits", () => {
  it("refuses the 30-deep cyclic query by its depth", async () => {
    const gateway = await gatewayWith();
    const calls = countBackendCalls(gateway);
    const query = cyclicQuery(30, 2);

    const error = onlyError(await post(gateway, { query }));

    expect(error.message).toBe("Query depth limit of 12 exceeded, found 30.");
    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", limit: "depth", maximum: 12 });
    expect(calls()).toBe(0);
  });

  it("takes a query as deep as MAX_DEPTH, and refuses one level more", async () => {
    const gateway = await gatewayWith({ MAX_DEPTH: "20" });
    expect((await post(gateway, { query: cyclicQuery(20, 1) })).json.errors).toBeUndefined();
    expect(onlyError(await post(gateway, { query: cyclicQuery(21, 1) })).extensions.limit).toBe("depth");
  });

  it("refuses cyclic fan-out within the depth limit by its cost", async () => {
    const gateway = await gatewayWith();
    const calls = countBackendCalls(gateway);

    // 12 deep, as the depth limit allows, but 100 companies × 100 entries × their company's 100.
    const error = onlyError(await post(gateway, { query: cyclicQuery(12, 100) }));

    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", limit: "cost", maximum: 25_000 });
    expect(error.message).toMatch(/^query cost 2,020,100 exceeds the limit of 25,000/);
    expect(calls()).toBe(0);
  });

  it("refuses the 10⁶-record query by its cost, before any backend call", async () => {
    const gateway = await gatewayWith();
    const calls = countBackendCalls(gateway);

    const error = onlyError(await post(gateway, { query: THREE_LEVELS_OF_100 }));

    expect(error.message).toBe(
      "query cost 1,020,100 exceeds the limit of 25,000: ask for smaller pages (first) or fewer nested lists",
    );
    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", limit: "cost", maximum: 25_000 });
    expect(calls()).toBe(0);
  });

  it("reads first from the variables: the same document is cheap with 1 and refused with 100", async () => {
    const gateway = await gatewayWith();
    const query = `query ($first: Int) {
      companies(first: $first) { edges { node { contactEntries(first: $first) { edges { node {
        company { contactEntries(first: $first) { edges { node { id } } } }
      } } } } } }
    }`;
    // Twice, because yoga caches validation per document: the cost must not be cached with it.
    expect((await post(gateway, { query, variables: { first: 1 } })).json.errors).toBeUndefined();
    expect(onlyError(await post(gateway, { query, variables: { first: 100 } })).extensions.limit).toBe(
      "cost",
    );
  });

  it("answers HTTP 400 to a client that accepts application/graphql-response+json", async () => {
    const gateway = await gatewayWith();
    const answer = await post(
      gateway,
      { query: THREE_LEVELS_OF_100 },
      { accept: "application/graphql-response+json" },
    );
    expect(answer.status).toBe(400);
    expect(onlyError(answer).extensions.code).toBe("QUERY_TOO_COMPLEX");
    // A client that accepts only application/json gets 200, as GraphQL over HTTP asks.
    expect((await post(gateway, { query: THREE_LEVELS_OF_100 })).status).toBe(200);
  });

  const thousandAliases = `{ ${Array.from(
    { length: 1000 },
    (_, i) => `a${i}: companies(first: 100) { edges { node { id } } }`,
  ).join(" ")} }`;

  it("refuses 1000 aliases of companies(first: 100)", async () => {
    const gateway = await gatewayWith({ ...ONLY, MAX_ALIASES: "15" });
    const calls = countBackendCalls(gateway);

    const error = onlyError(await post(gateway, { query: thousandAliases }));

    expect(error.message).toBe("Aliases limit of 15 exceeded, found 1000.");
    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", limit: "aliases", maximum: 15 });
    expect(calls()).toBe(0);
  });

  it("refuses 1000 aliases with the defaults too (its 60,000 characters are over the token limit first)", async () => {
    const gateway = await gatewayWith();
    expect(onlyError(await post(gateway, { query: thousandAliases })).extensions.code).toBe(
      "QUERY_TOO_COMPLEX",
    );
  });

  it("refuses a document of 100,000 tokens while parsing it", async () => {
    const gateway = await gatewayWith({ ...ONLY, MAX_TOKENS: "2000" });
    const calls = countBackendCalls(gateway);
    const query = `{ ${"__typename ".repeat(100_000 - 2)}}`;

    const error = onlyError(await post(gateway, { query }));

    expect(error.message).toBe("Token limit of 2000 exceeded.");
    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", limit: "tokens", maximum: 2000 });
    expect(calls()).toBe(0);
  });

  it("refuses a document of 100,000 tokens with the defaults too (its body is over the size limit first)", async () => {
    const gateway = await gatewayWith();
    expect((await post(gateway, { query: `{ ${"__typename ".repeat(100_000 - 2)}}` })).status).toBe(413);
  });

  it("refuses more directives than MAX_DIRECTIVES", async () => {
    const gateway = await gatewayWith();
    const directives = (count: number) => `{ providers { ${"provider @skip(if: false) ".repeat(count)}} }`;

    expect((await post(gateway, { query: directives(20) })).json.errors).toBeUndefined();
    const error = onlyError(await post(gateway, { query: directives(21) }));

    expect(error.message).toBe("Directives limit of 20 exceeded, found 21.");
    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", limit: "directives", maximum: 20 });
  });

  it("is configured by MAX_* variables, and refuses values that are not counts, naming the variable", () => {
    const { limits } = loadConfig({
      MAX_REQUEST_BYTES: "2048",
      MAX_DEPTH: "8",
      MAX_ALIASES: "0",
      MAX_TOKENS: "500",
      MAX_DIRECTIVES: "0",
      MAX_COST: "1000",
      MAX_INPUT_STRING_LENGTH: "255",
      MAX_ID_LENGTH: "64",
      MAX_JSON_DEPTH: "4",
    });
    expect(limits).toEqual({
      maxRequestBytes: 2048,
      maxDepth: 8,
      maxAliases: 0,
      maxTokens: 500,
      maxDirectives: 0,
      maxCost: 1000,
      maxInputStringLength: 255,
      maxIdLength: 64,
      maxJsonDepth: 4,
    });
    for (const [name, value] of [
      ["MAX_COST", "0"],
      ["MAX_DEPTH", "twelve"],
      ["MAX_ALIASES", "-1"],
      ["MAX_REQUEST_BYTES", "1.5"],
    ]) {
      expect(() => loadConfig({ [name as string]: value as string })).toThrow(ConfigError);
      expect(() => loadConfig({ [name as string]: value as string })).toThrow(new RegExp(`${name}:`));
    }
  });
});
