import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { refusal } from "../support/config.ts";

const PRODUCTIVE = { PRODUCTIVE_API_TOKEN: "pt-secret", PRODUCTIVE_ORGANIZATION_ID: "216" };
const MONEYBIRD = { MONEYBIRD_API_TOKEN: "mb-secret", MONEYBIRD_ADMINISTRATION_ID: "123456789" };
const FREEAGENT_REFRESH = {
  FREEAGENT_REFRESH_TOKEN: "fa-refresh-secret",
  FREEAGENT_CLIENT_ID: "client",
  FREEAGENT_CLIENT_SECRET: "fa-client-secret",
};

describe("loadConfig", () => {
  it("defaults to port 4000 on loopback, no CORS, the SQLite file, and the store for every provider", () => {
    expect(loadConfig({})).toEqual({
      environment: "development",
      logLevel: "info",
      port: 4000,
      host: "127.0.0.1",
      corsOrigins: [],
      auth: { apiKeys: [], readKeys: [], jwt: null, allowUnauthenticated: false },
      graphiql: true,
      introspection: true,
      trustedDocuments: { documents: new Map(), only: false },
      metrics: { token: null, served: true },
      tracing: null,
      storeUrl: "./data/gateway.sqlite",
      storePoolSize: 10,
      changesRetentionDays: 7,
      customerPollIntervalMs: 1000,
      batching: true,
      requestTimeoutMs: 30_000,
      limits: {
        maxRequestBytes: 100 * 1024,
        maxDepth: 12,
        maxAliases: 15,
        maxTokens: 2_000,
        maxDirectives: 20,
        maxCost: 25_000,
        maxInputStringLength: 10_000,
        maxIdLength: 200,
        maxJsonDepth: 32,
      },
      upstream: {
        timeoutMs: 10_000,
        maxBodyBytes: 8 * 1024 * 1024,
        maxRetries: 2,
        retryBaseMs: 200,
        breakerFailures: 5,
        breakerCooldownMs: 30_000,
        instances: 1,
        backgroundShare: 0.25,
        redisUrl: null,
      },
      mirror: null,
      productive: null,
      moneybird: null,
      freeAgent: null,
    });
  });

  it("serves a provider live when its credentials are set, from the production hosts by default", () => {
    const config = loadConfig({ ...PRODUCTIVE, ...MONEYBIRD, FREEAGENT_ACCESS_TOKEN: "fa-secret" });
    expect(config.productive).toEqual({
      apiToken: "pt-secret",
      organizationId: "216",
      baseUrl: "https://api.productive.io",
    });
    expect(config.moneybird).toEqual({
      apiToken: "mb-secret",
      administrationId: "123456789",
      baseUrl: "https://moneybird.com",
    });
    expect(config.freeAgent).toEqual({
      accessToken: "fa-secret",
      refresh: null,
      baseUrl: "https://api.freeagent.com",
    });
  });

  it("reads every other variable, and a base URL's trailing slash is dropped", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "127.0.0.1",
      STORE_URL: ":memory:",
      UPSTREAM_TIMEOUT_MS: "2500",
      ...MONEYBIRD,
      MONEYBIRD_BASE_URL: "http://127.0.0.1:9999/",
      FREEAGENT_ACCESS_TOKEN: "fa-secret",
      ...FREEAGENT_REFRESH,
      FREEAGENT_BASE_URL: "https://api.sandbox.freeagent.com",
      FREEAGENT_RATE_LIMITS: "5/60, 100/3600",
      REQUEST_TIMEOUT_MS: "12000",
      UPSTREAM_MAX_BODY_BYTES: "1000000",
      UPSTREAM_MAX_RETRIES: "0",
      UPSTREAM_RETRY_BASE_MS: "50",
      BREAKER_FAILURES: "3",
      BREAKER_COOLDOWN_MS: "5000",
      REDIS_URL: "redis://127.0.0.1:6379",
      GATEWAY_INSTANCES: "3",
    });
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      storeUrl: ":memory:",
      requestTimeoutMs: 12_000,
      upstream: {
        timeoutMs: 2500,
        maxBodyBytes: 1_000_000,
        maxRetries: 0,
        retryBaseMs: 50,
        breakerFailures: 3,
        breakerCooldownMs: 5000,
        instances: 3,
        redisUrl: "redis://127.0.0.1:6379",
      },
    });
    expect(config.productive).toBeNull();
    expect(config.moneybird?.baseUrl).toBe("http://127.0.0.1:9999");
    expect(config.freeAgent).toEqual({
      accessToken: "fa-secret",
      refresh: { refreshToken: "fa-refresh-secret", clientId: "client", clientSecret: "fa-client-secret" },
      baseUrl: "https://api.sandbox.freeagent.com",
      rateLimits: [
        { limit: 5, seconds: 60 },
        { limit: 100, seconds: 3600 },
      ],
    });
  });

  it("takes blank credentials as unset", () => {
    expect(loadConfig({ PRODUCTIVE_API_TOKEN: "  ", PRODUCTIVE_ORGANIZATION_ID: "" }).productive).toBeNull();
  });

  it("reads a variable set to nothing as unset, never as 0 or an empty name", () => {
    expect(loadConfig({ PORT: "", HOST: " ", STORE_URL: "" })).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      storeUrl: "./data/gateway.sqlite",
    });
  });

  it("takes STORE_URL as a path, a file: URL, :memory: or a PostgreSQL URL, and refuses another database's URL", () => {
    expect(loadConfig({ STORE_URL: "file:///var/lib/gateway/store.sqlite" }).storeUrl).toBe(
      "/var/lib/gateway/store.sqlite",
    );
    expect(loadConfig({ STORE_URL: "file:data/x.sqlite" }).storeUrl).toBe("data/x.sqlite");
    expect(loadConfig({ STORE_URL: ":memory:" }).storeUrl).toBe(":memory:");
    expect(loadConfig({ STORE_URL: "postgresql://gw@db.internal/gateway" }).storeUrl).toBe(
      "postgresql://gw@db.internal/gateway",
    );
    expect(() => loadConfig({ STORE_URL: "mysql://localhost/gateway" })).toThrow(/STORE_URL/);
    expect(() => loadConfig({ STORE_URL: "file://server/share/x.sqlite" })).toThrow(/STORE_URL/);
    expect(loadConfig({ STORE_URL: "FILE:///var/x.sqlite" }).storeUrl).toBe("/var/x.sqlite");
    for (const refused of ["file:", "file://", "data/", "file:///x.sqlite?mode=ro"]) {
      expect(() => loadConfig({ STORE_URL: refused }), refused).toThrow(/STORE_URL/);
    }
  });

  it("reads CORS_ORIGINS as a comma-separated list", () => {
    expect(loadConfig({ CORS_ORIGINS: "https://app.example, http://localhost:3000" }).corsOrigins).toEqual([
      "https://app.example",
      "http://localhost:3000",
    ]);
  });

  it("refuses FreeAgent refresh credentials without an access token", () => {
    expect(() =>
      loadConfig({ FREEAGENT_REFRESH_TOKEN: "r", FREEAGENT_CLIENT_ID: "c", FREEAGENT_CLIENT_SECRET: "s" }),
    ).toThrow(/FREEAGENT_ACCESS_TOKEN missing/);
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["UPSTREAM_TIMEOUT_MS", "0"],
    ["REQUEST_TIMEOUT_MS", "-1"],
    ["UPSTREAM_MAX_RETRIES", "-1"],
    ["GATEWAY_INSTANCES", "0"],
    ["PRODUCTIVE_RATE_LIMITS", "100 per 10s"],
    ["MONEYBIRD_RATE_LIMITS", "0/300"],
    ["REDIS_URL", "localhost:6379"],
    ["PRODUCTIVE_BASE_URL", "https://api.productive.io/api/v2"],
    ["MONEYBIRD_BASE_URL", "moneybird.com"],
    ["FREEAGENT_BASE_URL", "ftp://api.freeagent.com"],
    ["FREEAGENT_BASE_URL", "https://api.freeagent.com?sandbox=1"],
    ["MIRROR", "yes"],
    ["MIRROR_INTERVAL_S", "0"],
    ["MIRROR_BUDGET_SHARE", "0"],
    ["MIRROR_BUDGET_SHARE", "1.5"],
    ["MIRROR_SWEEP_INTERVAL_S", "-5"],
  ])("refuses %s=%s, naming the variable", (name, value) => {
    expect(refusal({ [name]: value }).message).toContain(name);
  });

  it("turns the mirror on with its knobs; the sweep is never more often than the rounds", () => {
    expect(loadConfig({}).mirror).toBeNull();
    const config = loadConfig({
      MIRROR: "on",
      MIRROR_INTERVAL_S: "120",
      MIRROR_SWEEP_INTERVAL_S: "30",
      MIRROR_BUDGET_SHARE: "0.5",
    });
    expect(config.mirror).toEqual({ intervalSeconds: 120, budgetShare: 0.5, sweepIntervalSeconds: 120 });
    expect(config.upstream.backgroundShare).toBe(0.5);
  });

  it.each([
    [
      "a Productive token without its organization",
      { PRODUCTIVE_API_TOKEN: "pt-secret" },
      "PRODUCTIVE_ORGANIZATION_ID",
    ],
    [
      "a Productive organization without its token",
      { PRODUCTIVE_ORGANIZATION_ID: "216" },
      "PRODUCTIVE_API_TOKEN",
    ],
    [
      "a Moneybird token without its administration",
      { MONEYBIRD_API_TOKEN: "mb-secret" },
      "MONEYBIRD_ADMINISTRATION_ID",
    ],
    [
      "FreeAgent refresh credentials without the client secret",
      { FREEAGENT_ACCESS_TOKEN: "fa-secret", ...FREEAGENT_REFRESH, FREEAGENT_CLIENT_SECRET: "" },
      "FREEAGENT_CLIENT_SECRET",
    ],
  ])("refuses half a credential set (%s), naming what is missing and no secret", (_name, env, missing) => {
    const { message } = refusal(env);
    expect(message).toContain(missing);
    expect(message).not.toMatch(/pt-secret|mb-secret|fa-secret|fa-refresh-secret/);
  });
});
