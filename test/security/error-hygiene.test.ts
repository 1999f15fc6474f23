import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { BadUserInputError } from "../../src/errors.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import { decodeGlobalId } from "../../src/schema/global-id.ts";
import { MAX_ERROR_MESSAGE } from "../../src/security/error-hygiene.ts";
import { REDACTED } from "../../src/security/redaction.ts";
import { type FakeHandler, unreachedRateLimitsEnv } from "../fakes/exchange.ts";
import { mockUpstream } from "../fakes/mock-upstream.ts";
import { openGateway } from "../support/gateway.ts";
import { execute } from "../support/graphql.ts";
import { capturedLogger, quietLogger } from "../support/logging.ts";

/**
 * What a client sees of a failure is what it needs (the provider, the call, the status, its own
 * input's problem) and nothing an operator keeps to itself: no upstream path, no account id, no
 * credential, no parser internals, no input echoed whole. The detail goes to the log.
 */

const MONEYBIRD = {
  origin: "https://moneybird.test",
  token: "mb-token-4f9a1c2e",
  administrationId: "987654321",
};
const PRODUCTIVE = { origin: "https://productive.test", token: "pt-token-77c0d1e5", organizationId: "55501" };

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((resource) => resource.close()));
});

/** A gateway with one provider live against `handler` (the others on the store), and what it warned. */
async function liveGateway(provider: "MONEYBIRD" | "PRODUCTIVE", handler: FakeHandler, baseUrl?: string) {
  const live =
    provider === "MONEYBIRD"
      ? {
          MONEYBIRD_API_TOKEN: MONEYBIRD.token,
          MONEYBIRD_ADMINISTRATION_ID: MONEYBIRD.administrationId,
          MONEYBIRD_BASE_URL: baseUrl ?? MONEYBIRD.origin,
        }
      : {
          PRODUCTIVE_API_TOKEN: PRODUCTIVE.token,
          PRODUCTIVE_ORGANIZATION_ID: PRODUCTIVE.organizationId,
          PRODUCTIVE_BASE_URL: PRODUCTIVE.origin,
        };
  const upstream = mockUpstream(provider === "MONEYBIRD" ? MONEYBIRD.origin : PRODUCTIVE.origin, handler);
  const log = capturedLogger();
  const gateway = await createGateway({
    logger: log.logger,
    config: loadConfig({
      STORE_URL: ":memory:",
      UPSTREAM_MAX_RETRIES: "0",
      [`${provider}_RATE_LIMITS`]: unreachedRateLimitsEnv(provider),
      ...live,
    }),
    upstream: baseUrl ? {} : { dispatcher: upstream.dispatcher },
  });
  opened.push(gateway, upstream);
  const failures = () => log.lines().filter((line) => line.msg === "upstream call failed");
  return { gateway, failures, logText: log.text };
}

const MONEYBIRD_LIST = "{ contacts(first: 5, filter: { providers: [MONEYBIRD] }) { edges { node { id } } } }";

/** The response's text (everything a client receives) and its first error. */
async function firstError(gateway: Gateway, query: string, variables?: Record<string, unknown>) {
  const result = await execute(gateway, query, variables);
  return { text: JSON.stringify(result), error: result.errors?.[0], result };
}

describe("upstream failures", () => {
  it("name the provider, the call and the status; the log gets the path, the body and no credential", async () => {
    const { gateway, failures } = await liveGateway("MONEYBIRD", () => ({
      status: 503,
      body: {
        error: `maintenance of administration ${MONEYBIRD.administrationId}, token ${MONEYBIRD.token}`,
      },
    }));

    const { text, error } = await firstError(gateway, MONEYBIRD_LIST);

    expect(error).toMatchObject({
      message: "Moneybird failed with 503 on the contact list read",
      extensions: { code: "UPSTREAM_UNAVAILABLE", provider: "MONEYBIRD" },
    });
    expect(text).not.toContain(MONEYBIRD.administrationId);
    expect(text).not.toContain("/api/v2");
    expect(text).not.toContain(MONEYBIRD.token);
    expect(failures()).toEqual([
      expect.objectContaining({
        level: 40,
        provider: "MONEYBIRD",
        method: "GET",
        path: "/api/v2/{id}/contacts.json",
        status: 503,
        errorCode: "UNAVAILABLE",
        attempt: 1,
        excerpt: `{"error":"maintenance of administration ${MONEYBIRD.administrationId}, token ${REDACTED}"}`,
      }),
    ]);
  });

  it("a refused read does not repeat what the provider said (an echo of the token), which the log gets redacted", async () => {
    const { gateway, failures, logText } = await liveGateway("MONEYBIRD", () => ({
      status: 400,
      body: { error: `Bearer ${MONEYBIRD.token} may not filter this administration` },
    }));

    const { text, error } = await firstError(gateway, MONEYBIRD_LIST);

    expect(error).toMatchObject({
      message: "Moneybird refused the query (400)",
      extensions: { code: "BAD_USER_INPUT" },
    });
    expect(text).not.toContain(MONEYBIRD.token);
    expect(failures()).toHaveLength(1);
    expect(failures()[0]?.excerpt).toBe(`{"error":"${REDACTED} may not filter this administration"}`);
    expect(logText()).not.toContain(MONEYBIRD.token);
  });

  it("Productive's refusal keeps its title and the client's filter, not its detail's ids or token", async () => {
    const { gateway } = await liveGateway("PRODUCTIVE", () => ({
      status: 400,
      body: {
        errors: [
          {
            status: "400",
            title: "Unsupported Filter",
            detail: `filter[vat] is not supported for organization ${PRODUCTIVE.organizationId} (token ${PRODUCTIVE.token})`,
          },
        ],
      },
    }));

    const { text, error } = await firstError(gateway, `{ companies(filter: { vat: "NL1" }) { totalCount } }`);

    expect(error).toMatchObject({
      message: "Productive refused the query: Unsupported Filter (filter[vat])",
      extensions: { code: "BAD_USER_INPUT" },
    });
    expect(text).not.toContain(PRODUCTIVE.organizationId);
    expect(text).not.toContain(PRODUCTIVE.token);
  });

  it("a provider's field errors stay (they are about the client's input), bounded and without credentials", async () => {
    const { gateway } = await liveGateway("MONEYBIRD", () => ({
      status: 422,
      body: { error: { lastname: [`is invalid for ${MONEYBIRD.token}`], firstname: ["x".repeat(5_000)] } },
    }));

    const { result } = await firstError(
      gateway,
      `mutation ($input: CreateContactInput!) {
        createContact(input: $input) { ... on ValidationError { fieldErrors { path message } } }
      }`,
      { input: { provider: "MONEYBIRD", lastName: "Doe" } },
    );

    const fieldErrors = result.data.createContact.fieldErrors as { path: string[]; message: string }[];
    expect(fieldErrors[0]).toEqual({ path: ["input", "lastName"], message: `is invalid for ${REDACTED}` });
    expect(fieldErrors[1]?.path).toEqual(["input", "firstName"]);
    expect(fieldErrors[1]?.message.length).toBeLessThanOrEqual(201);
  });

  it("a connection that fails says so by its code, not by the address it tried", async () => {
    const { gateway, failures } = await liveGateway(
      "MONEYBIRD",
      () => ({ status: 200 }),
      "http://127.0.0.1:1",
    );

    const { text, error } = await firstError(gateway, MONEYBIRD_LIST);

    expect(error?.message).toBe("Moneybird could not be reached for the contact list read (ECONNREFUSED)");
    expect(text).not.toContain("127.0.0.1");
    expect(failures()[0]).toMatchObject({
      provider: "MONEYBIRD",
      path: "/api/v2/{id}/contacts.json",
      status: null,
      errorCode: "UNAVAILABLE",
    });
  });
});

describe("request parsing errors", () => {
  const logError = vi.fn();

  it("a malformed JSON body is a 400 without the JSON parser's own error", async () => {
    const gateway = await openGateway({ logError });
    opened.push(gateway);
    const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: '{"query": "{ providers { healthy } }", "token": "abc',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: "POST body sent invalid JSON.", extensions: { code: "BAD_REQUEST" } }],
    });
  });

  it("a GET whose variables are not JSON is a 400, not an unexpected error", async () => {
    const gateway = await openGateway({ logError });
    opened.push(gateway);
    const query = encodeURIComponent("query ($first: Int) { companies(first: $first) { totalCount } }");
    const response = await gateway.yoga.fetch(
      `http://gateway.test/graphql?query=${query}&variables=%7Bfirst`,
      {
        headers: { accept: "application/graphql-response+json" },
      },
    );

    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([
      { message: "variables and extensions must be JSON", extensions: { code: "BAD_REQUEST" } },
    ]);
    expect(logError).not.toHaveBeenCalled();
  });
});

describe("an error quotes at most a slice of the input", () => {
  const HUGE = 200_000;
  // Room for the inputs below, should the query and input limits be lower: this is about messages.
  const roomyGateway = async () => {
    const gateway = await createGateway({
      logger: quietLogger,
      config: loadConfig({
        STORE_URL: ":memory:",
        MAX_REQUEST_BYTES: String(30 * 1024 * 1024),
        MAX_ID_LENGTH: "1000000",
      }),
    });
    opened.push(gateway);
    return gateway;
  };

  // Whichever layer refuses them (the input limits, or the id's own check), the answer stays small.
  it("nodes with a hundred malformed ids of 200 KB each answers a few KB", async () => {
    const gateway = await roomyGateway();
    const ids = Array.from({ length: 100 }, (_, index) => `${index}${"A".repeat(HUGE)}`);

    const result = await execute(gateway, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids });

    expect(result.errors?.length).toBeGreaterThan(0);
    for (const error of result.errors ?? []) {
      expect(error.extensions?.code).toBe("BAD_USER_INPUT");
      expect(error.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE + 1);
    }
    expect(JSON.stringify(result).length).toBeLessThan(50_000);
  });

  it("a malformed id's own message quotes its first 100 characters and its length", () => {
    expect(() => decodeGlobalId("A".repeat(HUGE))).toThrow(
      new BadUserInputError(`"${"A".repeat(100)}…" (200000 characters) is not a valid id`),
    );
    expect(() => decodeGlobalId("not-an-id")).toThrow(new BadUserInputError('"not-an-id" is not a valid id'));
  });

  it("an id that decodes to a 200 KB record number is refused as malformed, not echoed as NOT_FOUND", async () => {
    const gateway = await roomyGateway();
    const id = Buffer.from(`Company:${"9".repeat(HUGE)}`).toString("base64");

    const { text, error } = await firstError(gateway, "query ($id: ID!) { node(id: $id) { id } }", { id });

    expect(error?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(text.length).toBeLessThan(2 * MAX_ERROR_MESSAGE);
    // No provider's ids are longer than 20 digits (64 bits): a longer one names no record.
    expect(() => decodeGlobalId(Buffer.from(`Company:1${"0".repeat(20)}`).toString("base64"))).toThrow(
      BadUserInputError,
    );
    expect(decodeGlobalId(Buffer.from(`Company:1${"0".repeat(19)}`).toString("base64")).id).toHaveLength(20);
  });

  it.each([
    [
      "a cursor",
      "query ($after: String) { companies(after: $after) { totalCount } }",
      { after: "C".repeat(HUGE) },
    ],
    [
      "a DateTime",
      "query ($after: DateTime) { companies(filter: { createdAfter: $after }) { totalCount } }",
      { after: "2".repeat(HUGE) },
    ],
    [
      "an Int (graphql-js's own message)",
      "query ($first: Int) { companies(first: $first) { totalCount } }",
      {
        first: "1".repeat(HUGE),
      },
    ],
  ])("%s of 200 KB", async (_what, query, variables) => {
    const gateway = await roomyGateway();

    const { text, error } = await firstError(gateway, query, variables);

    expect(error?.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE + 1);
    expect(text.length).toBeLessThan(2 * MAX_ERROR_MESSAGE);
  });
});
