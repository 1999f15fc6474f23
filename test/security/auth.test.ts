import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import { secretsEqual } from "../../src/security/auth.ts";
import { type FakeProductive, startFakeProductive } from "../fakes/productive.ts";
import {
  type Answer,
  bearer,
  COUNT_COMPANIES,
  CREATE_COMPANY,
  FULL_KEY,
  get,
  openConfiguredGateway,
  post,
  READ_KEY,
} from "./support.ts";

const KEYS = { GATEWAY_API_KEYS: FULL_KEY, GATEWAY_READ_KEYS: READ_KEY };

let gateway: Gateway;
/** Every answer of the file's gateway, searched for the keys at the end. */
const answers: Answer[] = [];
beforeEach(async () => {
  gateway = await openConfiguredGateway(KEYS);
});
afterEach(async () => {
  await gateway.close();
});
const send = async (body: Parameters<typeof post>[1], headers?: Record<string, string>) => {
  const answer = await post(gateway, body, headers);
  answers.push(answer);
  return answer;
};

describe("without a credential", () => {
  it("answers 401 with a GraphQL-shaped error and a Bearer challenge", async () => {
    const answer = await send({ query: COUNT_COMPANIES });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer realm="contacts-gateway"$/);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.json).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: "UNAUTHENTICATED" } }],
    });
  });

  it("answers 401 before parsing: a broken body or document is not looked at", async () => {
    const brokenJson = '{"query": "{ compan';
    const brokenDocument = JSON.stringify({ query: "{ companies(" });
    expect((await send(brokenJson)).status).toBe(401);
    expect((await send(brokenDocument)).status).toBe(401);
    // With a key the same bodies reach the parsers, and are refused as what they are.
    expect((await send(brokenJson, bearer(FULL_KEY))).status).toBe(400);
    expect((await send(brokenDocument, bearer(FULL_KEY))).json.errors[0].message).toMatch(/^Syntax Error/);
  });

  it.each([
    ["another scheme", { authorization: `Basic ${Buffer.from(`x:${FULL_KEY}`).toString("base64")}` }],
    ["the key without a scheme", { authorization: FULL_KEY }],
    ["an empty bearer", { authorization: "Bearer " }],
  ])("answers 401 to %s", async (_what, headers) => {
    expect((await send({ query: COUNT_COMPANIES }, headers)).status).toBe(401);
  });
});

describe("a bad key", () => {
  it.each([
    ["an unknown key", "unknown-key-0123456789abcdef0123456789ab"],
    ["a key one character short", FULL_KEY.slice(0, -1)],
    ["a key with a character more", `${FULL_KEY}0`],
  ])("is 401 with error=invalid_token (%s)", async (_what, key) => {
    const answer = await send({ query: COUNT_COMPANIES }, bearer(key));
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toBe(
      'Bearer realm="contacts-gateway", error="invalid_token"',
    );
    expect(answer.json.errors[0].extensions).toEqual({ code: "UNAUTHENTICATED" });
  });
});

describe("a read key", () => {
  it("runs queries", async () => {
    const answer = await send({ query: COUNT_COMPANIES }, bearer(READ_KEY));
    expect(answer.status).toBe(200);
    expect(answer.json.data.companies.totalCount).toBeGreaterThan(0);
  });

  it("is refused a mutation with 403 FORBIDDEN, and nothing reaches the store", async () => {
    const create = vi.spyOn(gateway.sources.companies, "create");
    const before = (await send({ query: COUNT_COMPANIES }, bearer(READ_KEY))).json.data.companies.totalCount;
    const answer = await send({ query: CREATE_COMPANY }, bearer(READ_KEY));
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: "FORBIDDEN" } }],
    });
    expect(create).not.toHaveBeenCalled();
    expect((await send({ query: COUNT_COMPANIES }, bearer(READ_KEY))).json.data.companies.totalCount).toBe(
      before,
    );
  });

  it("is judged by the operation that runs, in a document with several", async () => {
    const query = `query Count { companies(first: 1) { totalCount } } ${CREATE_COMPANY.replace("mutation", "mutation Create")}`;
    const count = await send({ query, operationName: "Count" }, bearer(READ_KEY));
    expect(count.status).toBe(200);
    expect(count.json.data.companies.totalCount).toBeGreaterThan(0);
    expect((await send({ query, operationName: "Create" }, bearer(READ_KEY))).status).toBe(403);
    // No operation name in a document of two: the executor refuses it before any resolver runs.
    const ambiguous = await send({ query }, bearer(READ_KEY));
    expect(ambiguous.json.data).toBeUndefined();
  });
});

describe("a full key", () => {
  it("runs mutations", async () => {
    const answer = await send({ query: CREATE_COMPANY }, bearer(FULL_KEY));
    expect(answer.status).toBe(200);
    expect(answer.json.data.createCompany.__typename).toBe("CreateCompanySuccess");
  });

  it("is read whatever the case of the scheme", async () => {
    expect((await send({ query: COUNT_COMPANIES }, { authorization: `bearer ${FULL_KEY}` })).status).toBe(
      200,
    );
  });

  it("runs GraphiQL's introspection once the key is in its headers", async () => {
    const introspection = "query IntrospectionQuery { __schema { queryType { name } types { name } } }";
    expect((await send({ query: introspection })).status).toBe(401);
    const answer = await send({ query: introspection }, bearer(READ_KEY));
    expect(answer.status).toBe(200);
    expect(answer.json.data.__schema.queryType.name).toBe("Query");
  });
});

describe("what stays open", () => {
  it("serves /health and /ready without a credential", async () => {
    expect((await get(gateway, "/health")).status).toBe(200);
    expect((await get(gateway, "/ready")).status).toBe(200);
  });

  it("serves GraphiQL's page, with its headers editor open on the Authorization header", async () => {
    const page = await get(gateway, "/graphql", { accept: "text/html" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.text).toContain("Contacts gateway");
    expect(page.text).toContain('"headers":"{\\n  \\"Authorization\\": \\"Bearer \\"\\n}"');
    expect(page.text).toContain('"defaultEditorToolsVisibility":"headers"');
  });
});

describe("a read key against a live provider", () => {
  let productive: FakeProductive;
  let live: Gateway;
  beforeAll(async () => {
    productive = await startFakeProductive();
    live = await openConfiguredGateway({
      ...KEYS,
      PRODUCTIVE_API_TOKEN: productive.config.apiToken,
      PRODUCTIVE_ORGANIZATION_ID: productive.config.organizationId,
      PRODUCTIVE_BASE_URL: productive.origin,
    });
  });
  afterAll(async () => {
    await live.close();
    await productive.close();
  });

  it("is refused a mutation without a request upstream", async () => {
    const answer = await post(live, { query: CREATE_COMPANY }, bearer(READ_KEY));
    expect(answer.status).toBe(403);
    expect(productive.requests).toEqual([]);
    answers.push(answer);
  });
});

describe("secretsEqual", () => {
  it("is true for equal secrets only", () => {
    expect(secretsEqual(FULL_KEY, FULL_KEY)).toBe(true);
    expect(secretsEqual(FULL_KEY, `${FULL_KEY.slice(0, -1)}X`)).toBe(false);
    expect(secretsEqual("", "")).toBe(true);
  });

  it("compares secrets of different lengths without throwing (timingSafeEqual alone would)", () => {
    expect(secretsEqual(FULL_KEY, FULL_KEY.slice(0, 8))).toBe(false);
    expect(secretsEqual("", FULL_KEY)).toBe(false);
    expect(secretsEqual(`${FULL_KEY}${FULL_KEY}`, FULL_KEY)).toBe(false);
  });
});

afterAll(() => {
  expect(answers.length).toBeGreaterThan(10);
  for (const answer of answers) {
    const seen = `${answer.text} ${JSON.stringify([...answer.headers])}`;
    expect(seen).not.toContain(FULL_KEY.slice(9));
    expect(seen).not.toContain(READ_KEY.slice(9));
  }
});
