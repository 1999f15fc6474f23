import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { UpstreamError, type UpstreamErrorCode } from "../../src/errors.ts";
import { createGateway } from "../../src/gateway.ts";
import { GRAPHIQL_EXAMPLE_QUERY } from "../../src/graphiql-example.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { SEED_SIZE } from "../../src/store/seed.ts";
import { useGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

const logError = vi.fn();
const gateway = useGateway("all", { logError });
afterEach(() => {
  vi.restoreAllMocks();
  logError.mockReset();
});

const get = (path: string, accept = "application/json") =>
  gateway().yoga.fetch(`http://gateway.test${path}`, { headers: { accept } });

describe("HTTP endpoints", () => {
  it("answers /health", async () => {
    expect((await get("/health")).status).toBe(200);
  });

  it("answers /ready while the store answers, and 503 when it does not", async () => {
    expect((await get("/ready")).status).toBe(200);
    vi.spyOn(gateway().sources.health.MONEYBIRD, "ping").mockRejectedValue(new Error("database is locked"));
    expect((await get("/ready")).status).toBe(503);
  });

  it("serves GraphiQL at GET /graphql to a browser, opening with the example query", async () => {
    const response = await get("/graphql", "text/html");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("Contacts gateway");
    expect(html).toContain(JSON.stringify(GRAPHIQL_EXAMPLE_QUERY).slice(1, -1));
  });

  it("runs the example query GraphiQL opens with", async () => {
    const data = await executeOk(gateway(), GRAPHIQL_EXAMPLE_QUERY);
    expect(data.companies.edges).toHaveLength(5);
    expect(data.contacts.edges).toHaveLength(5);
  });

  it("reports every provider as served by the store, and an unhealthy one with its error code", async () => {
    const query = `{ providers { provider backend healthy message errorCode } }`;
    expect((await executeOk(gateway(), query)).providers).toEqual(
      ["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"].map((provider) => ({
        provider,
        backend: "STORE",
        healthy: true,
        message: null,
        errorCode: null,
      })),
    );
    vi.spyOn(gateway().sources.health.FREEAGENT, "ping").mockRejectedValue(
      new UpstreamError("FREEAGENT", "TIMEOUT", "FreeAgent did not answer in 10000 ms"),
    );
    const { providers } = await executeOk(gateway(), query);
    expect(providers[2]).toEqual({
      provider: "FREEAGENT",
      backend: "STORE",
      healthy: false,
      message: "FreeAgent did not answer in 10000 ms",
      errorCode: "UPSTREAM_TIMEOUT",
    });
  });
});

describe("errors of queries", () => {
  it("masks an unexpected error: INTERNAL_SERVER_ERROR, nothing of it in the response, reported to logError", async () => {
    const internal = new Error("SQLITE_CORRUPT: /srv/secret/gateway.sqlite token=abc123");
    vi.spyOn(gateway().sources.companies, "list").mockRejectedValue(internal);
    const response = await gateway().yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: "{ companies { totalCount } providers { healthy } }" }),
    });
    const text = await response.text();
    expect(text).not.toMatch(/SQLITE|secret|abc123|stack/i);
    const body = JSON.parse(text);
    expect(body.errors).toEqual([
      { message: "Unexpected error.", path: ["companies"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
    ]);
    expect(body.data.providers).toHaveLength(3);
    expect(logError).toHaveBeenCalledWith(internal);
  });

  it("NOT_FOUND with the id for a missing record, and the rest of the response stands", async () => {
    const id = encodeGlobalId("Company", "424242");
    const result = await execute(
      gateway(),
      `{ node(id: "${id}") { id } companies(first: 1) { totalCount } }`,
    );
    expect(result.data).toEqual({ node: null, companies: { totalCount: SEED_SIZE.productiveCompanies } });
    expect(result.errors).toEqual([
      { message: "Company 424242 not found", path: ["node"], extensions: { code: "NOT_FOUND", id } },
    ]);
    expect(logError).not.toHaveBeenCalled();
  });

  it("BAD_USER_INPUT for a malformed id", async () => {
    const result = await execute(gateway(), `{ node(id: "Q29tcGFueQ") { id } }`);
    expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: "BAD_USER_INPUT" }]);
    expect(logError).not.toHaveBeenCalled();
  });

  it("leaves GraphQL's own validation errors as they are", async () => {
    const result = await execute(gateway(), "{ companies { edges { node { nickname } } } }");
    expect(result.errors?.[0]?.message).toContain('Cannot query field "nickname" on type "Company"');
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(logError).not.toHaveBeenCalled();
  });

  describe("an upstream failure becomes its code, with the provider and, where known, retryAfterSeconds", () => {
    it.each<[UpstreamErrorCode, number | null, string]>([
      ["RATE_LIMITED", 30, "RATE_LIMITED"],
      ["UNAVAILABLE", null, "UPSTREAM_UNAVAILABLE"],
      ["TIMEOUT", null, "UPSTREAM_TIMEOUT"],
      ["UNAUTHORIZED", null, "UPSTREAM_UNAUTHORIZED"],
      ["FORBIDDEN", null, "UPSTREAM_FORBIDDEN"],
      ["BAD_RESPONSE", null, "UPSTREAM_BAD_RESPONSE"],
    ])("%s", async (code, retryAfterSeconds, expected) => {
      vi.spyOn(gateway().sources.companies, "list").mockRejectedValue(
        new UpstreamError("PRODUCTIVE", code, `Productive failed: ${code}`, retryAfterSeconds),
      );
      const result = await execute(gateway(), `{ companies { totalCount } }`);
      expect(result.data.companies).toBeNull();
      expect(result.errors).toEqual([
        {
          message: `Productive failed: ${code}`,
          path: ["companies"],
          extensions: {
            code: expected,
            provider: "PRODUCTIVE",
            ...(retryAfterSeconds === null ? {} : { retryAfterSeconds }),
          },
        },
      ]);
      expect(logError).not.toHaveBeenCalled();
    });

    it("on a nested field: a Moneybird mandate read that Moneybird Payments refuses", async () => {
      vi.spyOn(gateway().sources.moneybirdContacts, "getPaymentsMandate").mockRejectedValue(
        new UpstreamError(
          "MONEYBIRD",
          "FORBIDDEN",
          "Moneybird Payments is not enabled for this administration",
        ),
      );
      const result = await execute(
        gateway(),
        `{ contactByCustomerId(customerId: "1") { customerId paymentsMandate { type } } }`,
      );
      expect(result.data.contactByCustomerId).toEqual({ customerId: "1", paymentsMandate: null });
      expect(result.errors).toEqual([
        {
          message: "Moneybird Payments is not enabled for this administration",
          path: ["contactByCustomerId", "paymentsMandate"],
          extensions: { code: "UPSTREAM_FORBIDDEN", provider: "MONEYBIRD" },
        },
      ]);
    });
  });
});

describe("cross-site requests", () => {
  const countCompanies = async () =>
    (await executeOk(gateway(), "{ companies(first: 1) { totalCount } }")).companies.totalCount;

  it.each([
    [
      "a form",
      "application/x-www-form-urlencoded",
      `query=${encodeURIComponent('mutation { createCompany(input: { name: "CSRF" }) { __typename } }')}`,
    ],
    [
      "text/plain",
      "text/plain",
      JSON.stringify({ query: 'mutation { createCompany(input: { name: "CSRF" }) { __typename } }' }),
    ],
  ])(
    "refuses a POST sent as %s (what a browser sends cross-site without a preflight), writing nothing",
    async (_what, type, body) => {
      const before = await countCompanies();
      const response = await gateway().yoga.fetch("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": type, origin: "https://evil.example" },
        body,
      });
      expect(response.status).toBe(415);
      expect(await countCompanies()).toBe(before);
    },
  );

  it("answers a preflight from another origin without allowing it (no CORS origins configured)", async () => {
    const response = await gateway().yoga.fetch("http://gateway.test/graphql", {
      method: "OPTIONS",
      headers: {
        origin: "https://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows the configured origins, and only them", async () => {
    const allowing = await createGateway({
      logger: quietLogger,
      config: loadConfig({ STORE_URL: ":memory:", CORS_ORIGINS: "https://app.example" }),
    });
    try {
      const preflight = (origin: string) =>
        allowing.yoga.fetch("http://gateway.test/graphql", {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
          },
        });
      expect((await preflight("https://app.example")).headers.get("access-control-allow-origin")).toBe(
        "https://app.example",
      );
      expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).not.toBe(
        "https://evil.example",
      );
    } finally {
      await allowing.close();
    }
  });
});
