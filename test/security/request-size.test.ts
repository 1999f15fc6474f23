import { describe, expect, it } from "vitest";
import { countBackendCalls, onlyError } from "./limits-support.ts";
import { post, useConfiguredGateways } from "./support.ts";

/** MAX_REQUEST_BYTES: the body bounds the document and its variables together. */

const gatewayWith = useConfiguredGateways();

const CREATE = `mutation ($input: CreateCompanyInput!) { createCompany(input: $input) { __typename } }`;

describe("request size", () => {
  it("answers 10 MB of variables with 413 and a GraphQL error, and runs nothing", async () => {
    const gateway = await gatewayWith();
    const calls = countBackendCalls(gateway);

    const answer = await post(gateway, {
      query: CREATE,
      variables: { input: { name: "x".repeat(10_000_000) } },
    });

    expect(answer.status).toBe(413);
    expect(onlyError(answer)).toEqual({
      message: "Request body too large",
      extensions: { code: "REQUEST_ENTITY_TOO_LARGE" },
    });
    expect(calls()).toBe(0);
  });

  it("takes the longest string the input limit allows, however it is encoded", async () => {
    const gateway = await gatewayWith();
    // 10,000 characters of a 3-byte character, JSON-escaped as \uXXXX: 60 KB, under the 100 KB limit.
    const body = JSON.stringify({
      query: CREATE,
      variables: { input: { name: "€".repeat(10_000) } },
    }).replace(/€/g, "\\u20ac");
    expect(body.length).toBeGreaterThan(60_000);
    expect((await post(gateway, body)).json.data.createCompany.__typename).toBe("CreateCompanySuccess");
  });

  it("is MAX_REQUEST_BYTES", async () => {
    const gateway = await gatewayWith({ MAX_REQUEST_BYTES: "1024" });
    const query = "{ providers { provider } }";
    expect((await post(gateway, { query, variables: { pad: "x".repeat(900) } })).status).toBe(200);
    expect((await post(gateway, { query, variables: { pad: "x".repeat(1000) } })).status).toBe(413);
  });
});
