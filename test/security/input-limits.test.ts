import { describe, expect, it, vi } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { validationError } from "../support/gateway.ts";
import { countBackendCalls, onlyError } from "./limits-support.ts";
import { post, useConfiguredGateways } from "./support.ts";

/**
 * Input limits: strings, IDs and JSON values refused before their field's resolver runs. A
 * mutation's are ValidationErrors at their input path, inside its result union; a query's are
 * BAD_USER_INPUT errors; neither quotes the value.
 */

const gatewayWith = useConfiguredGateways();

/** Bodies over the default 100 KB reach the input limits only when the body limit lets them. */
const LARGE_BODIES = { MAX_REQUEST_BYTES: String(50 * 1024 * 1024) };

const CREATE_COMPANY = `mutation ($input: CreateCompanyInput!) {
  createCompany(input: $input) {
    __typename
    ... on ValidationError { message fieldErrors { path message } }
    ... on CreateCompanySuccess { company { id customFields } }
  }
}`;

const companyCount = async (gateway: Gateway) =>
  (await post(gateway, { query: "{ companies(first: 0) { totalCount } }" })).json.data.companies.totalCount;

describe("input limits", () => {
  it("answers a 1 MB company name with a ValidationError at input.name, and writes nothing", async () => {
    const gateway = await gatewayWith(LARGE_BODIES);
    const before = await companyCount(gateway);
    const create = vi.spyOn(gateway.sources.companies, "create");

    const answer = await post(gateway, {
      query: CREATE_COMPANY,
      variables: { input: { name: "x".repeat(1 << 20) } },
    });

    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.createCompany).toEqual(
      validationError([["input", "name"], "is too long: 1,048,576 characters, at most 10,000"]),
    );
    expect(create).not.toHaveBeenCalled();
    expect(await companyCount(gateway)).toBe(before);
  });

  it("takes a string of MAX_INPUT_STRING_LENGTH, and refuses one character more, at its path in lists and objects", async () => {
    const gateway = await gatewayWith({ MAX_INPUT_STRING_LENGTH: "50" });
    const create = (input: Record<string, unknown>) =>
      post(gateway, { query: CREATE_COMPANY, variables: { input: { name: "Limits Ltd", ...input } } });

    expect((await create({ description: "d".repeat(50) })).json.data.createCompany.__typename).toBe(
      "CreateCompanySuccess",
    );
    expect(
      (await create({ tags: ["ok", "t".repeat(51)], contact: { addresses: [{ city: "c".repeat(51) }] } }))
        .json.data.createCompany,
    ).toEqual(
      validationError(
        [["input", "contact", "addresses", "0", "city"], "is too long: 51 characters, at most 50"],
        [["input", "tags", "1"], "is too long: 51 characters, at most 50"],
      ),
    );
  });

  it("answers a too-long query argument, literal or variable, with BAD_USER_INPUT and reads nothing", async () => {
    const gateway = await gatewayWith();
    const calls = countBackendCalls(gateway);
    const name = "x".repeat(20_000);

    for (const answer of [
      await post(gateway, {
        query: "query ($name: String) { companies(filter: { name: $name }) { totalCount } }",
        variables: { name },
      }),
      await post(gateway, { query: `{ companies(filter: { name: "${name}" }) { totalCount } }` }),
    ]) {
      const error = onlyError(answer);
      expect(error).toMatchObject({
        message: "filter.name is too long: 20,000 characters, at most 10,000",
        path: ["companies"],
        extensions: { code: "BAD_USER_INPUT" },
      });
    }
    expect(calls()).toBe(0);
  });

  it("checks the arguments of nested fields too (a cursor of 20,000 characters)", async () => {
    const gateway = await gatewayWith();
    const answer = await post(gateway, {
      query: `{ companies(first: 1) { edges { node { contactEntries(after: "${"c".repeat(20_000)}") { totalCount } } } } }`,
    });
    expect(onlyError(answer)).toMatchObject({
      message: "after is too long: 20,000 characters, at most 10,000",
      path: ["companies", "edges", 0, "node", "contactEntries"],
      extensions: { code: "BAD_USER_INPUT" },
    });
  });

  it("refuses nodes with 100 ids of 200 KB cheaply: BAD_USER_INPUT, under 1 KB, no id quoted, nothing read", async () => {
    const gateway = await gatewayWith(LARGE_BODIES);
    const calls = countBackendCalls(gateway);
    const ids = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(200 * 1024, "Q"));

    const answer = await post(gateway, {
      query: "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
      variables: { ids },
    });

    const error = onlyError(answer);
    expect(error.extensions).toEqual({ code: "BAD_USER_INPUT" });
    expect(error.message).toMatch(/^ids\[0\] is too long for an ID: 204,800 characters, at most 200; /);
    expect(error.message).toMatch(/more inputs are over their limits$/);
    expect(answer.text.length).toBeLessThan(1024);
    expect(answer.text).not.toContain("QQQQ");
    expect(calls()).toBe(0);
  });

  it("takes ordinary ids, and refuses a mutation's over-long id as a ValidationError at it", async () => {
    const gateway = await gatewayWith();
    const id = encodeGlobalId("Company", "1");
    expect(
      (
        await post(gateway, {
          query: "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
          variables: { ids: [id] },
        })
      ).json,
    ).toEqual({
      data: { nodes: [{ id }] },
    });

    const answer = await post(gateway, {
      query: `mutation ($id: ID!) { archiveCompany(id: $id) { __typename ... on ValidationError { message fieldErrors { path message } } } }`,
      variables: { id: "x".repeat(201) },
    });
    expect(answer.json.data.archiveCompany).toEqual(
      validationError([["id"], "is too long for an ID: 201 characters, at most 200"]),
    );
  });

  it("refuses JSON nested 5,000 deep as BAD_USER_INPUT, before any backend call", async () => {
    const gateway = await gatewayWith();
    const calls = countBackendCalls(gateway);
    // Written out, since JSON.stringify itself overflows the stack on so deep a value.
    const deep = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
    const body = `{"query":${JSON.stringify(CREATE_COMPANY)},"variables":{"input":{"name":"Deep Ltd","customFields":${deep}}}}`;

    const error = onlyError(await post(gateway, body));

    expect(error).toMatchObject({
      message: "input.customFields is nested too deeply: more than 32 levels",
      path: ["createCompany"],
      extensions: { code: "BAD_USER_INPUT" },
    });
    expect(calls()).toBe(0);
  });

  it("takes JSON nested MAX_JSON_DEPTH deep, and holds its strings to the string limit", async () => {
    const gateway = await gatewayWith();
    let customFields: unknown = "value";
    for (let level = 0; level < 32; level++)
      customFields = level % 2 ? [customFields] : { field: customFields };
    const created = await post(gateway, {
      query: CREATE_COMPANY,
      variables: { input: { name: "Deep Ltd", customFields } },
    });
    expect(created.json.data.createCompany.company.customFields).toEqual(customFields);

    const long = await post(gateway, {
      query: CREATE_COMPANY,
      variables: { input: { name: "Long Ltd", customFields: { note: "n".repeat(10_001) } } },
    });
    expect(long.json.data.createCompany).toEqual(
      validationError([["input", "customFields"], "holds a string of 10,001 characters, at most 10,000"]),
    );
  });
});
