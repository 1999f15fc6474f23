import { afterEach, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import { openFaultHarness, PRODUCTIVE, seeded } from "../faults/harness.ts";
import { bearer, FULL_KEY, get, openConfiguredGateway, post } from "../security/support.ts";
import { refusal } from "../support/config.ts";
import { openGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

/**
 * GET /metrics: Prometheus text with the gateway's operations, upstream attempts, protection state
 * and store statements, and the process's own metrics; open on loopback in development, behind
 * METRICS_TOKEN wherever it is set, and not served in production without one.
 */

const METRICS_TOKEN = "metrics-token-0123456789abcdef0123456789";
const LIST_COMPANIES = "query ListCompanies { companies(first: 5) { edges { node { name } } } }";

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((each) => each.close()));
});
async function track<T extends { close(): Promise<void> }>(opening: Promise<T>): Promise<T> {
  const value = await opening;
  opened.push(value);
  return value;
}

async function scrape(gateway: Gateway, headers: Record<string, string> = {}): Promise<string> {
  const answer = await get(gateway, "/metrics", headers);
  expect(answer.status).toBe(200);
  expect(answer.headers.get("content-type")).toContain("text/plain");
  return answer.text;
}

/** The value of the sample `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe("GET /metrics", () => {
  it("counts GraphQL operations by name and type, and their errors by code", async () => {
    const gateway = await track(openGateway());
    const operation = { operation_name: "ListCompanies", operation_type: "query" };
    const before = sample(
      await scrape(gateway),
      "gateway_graphql_operation_duration_seconds_count",
      operation,
    );
    expect(before).toBeUndefined();

    await executeOk(gateway, LIST_COMPANIES);
    await executeOk(gateway, "{ __typename }");
    await post(gateway, { query: "query Broken { nope }", operationName: "Broken" });
    const text = await scrape(gateway);

    expect(sample(text, "gateway_graphql_operation_duration_seconds_count", operation)).toBe(1);
    expect(
      sample(text, "gateway_graphql_operation_duration_seconds_count", {
        operation_name: "anonymous",
        operation_type: "query",
      }),
    ).toBe(1);
    expect(
      sample(text, "gateway_graphql_operation_errors_total", {
        operation_name: "Broken",
        operation_type: "none",
        code: "GRAPHQL_VALIDATION_FAILED",
      }),
    ).toBe(1);
    expect(text).toContain("# TYPE gateway_graphql_operation_duration_seconds histogram");
  });

  it("labels at most 100 distinct operation names; the others are counted as other", async () => {
    const gateway = await track(openGateway());
    for (let index = 0; index < 101; index++) await executeOk(gateway, `query Op${index} { __typename }`);
    const text = await scrape(gateway);
    expect(sample(text, "gateway_graphql_operation_duration_seconds_count", { operation_name: "Op99" })).toBe(
      1,
    );
    expect(
      sample(text, "gateway_graphql_operation_duration_seconds_count", { operation_name: "Op100" }),
    ).toBe(undefined);
    expect(
      sample(text, "gateway_graphql_operation_duration_seconds_count", { operation_name: "other" }),
    ).toBe(1);
  });

  it("times the store's statements by kind, and exposes the process's metrics", async () => {
    const gateway = await track(openGateway());
    await executeOk(gateway, LIST_COMPANIES);
    const text = await scrape(gateway);
    expect(
      sample(text, "gateway_store_query_duration_seconds_count", { statement: "select" }),
    ).toBeGreaterThan(0);
    expect(sample(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("counts upstream attempts by provider, method, path template, status and outcome, and shows the breaker", async () => {
    const harness = await track(openFaultHarness({ BREAKER_FAILURES: "1", UPSTREAM_TIMEOUT_MS: "5000" }));
    const fake = await seeded(harness, PRODUCTIVE);
    await executeOk(harness.gateway(), LIST_COMPANIES);
    let text = await scrape(harness.gateway());
    const companies = { provider: "PRODUCTIVE", method: "GET", path: "/api/v2/companies" };
    expect(
      sample(text, "gateway_upstream_requests_total", { ...companies, status: "200", outcome: "ok" }),
    ).toBe(1);
    expect(
      sample(text, "gateway_upstream_request_duration_seconds_count", {
        provider: "PRODUCTIVE",
        outcome: "ok",
      }),
    ).toBe(1);
    expect(sample(text, "gateway_upstream_breaker_state", { provider: "PRODUCTIVE", state: "closed" })).toBe(
      1,
    );
    expect(
      sample(text, "gateway_upstream_rate_budget_remaining", { provider: "PRODUCTIVE" }),
    ).toBeGreaterThan(0);
    expect(sample(text, "gateway_upstream_rate_budget_waiting", { provider: "MONEYBIRD" })).toBe(0);

    fake.failNext(PRODUCTIVE.status(503));
    await execute(harness.gateway(), LIST_COMPANIES);
    text = await scrape(harness.gateway());
    expect(
      sample(text, "gateway_upstream_requests_total", {
        ...companies,
        status: "503",
        outcome: "unavailable",
      }),
    ).toBe(1);
    expect(sample(text, "gateway_upstream_breaker_state", { provider: "PRODUCTIVE", state: "open" })).toBe(1);
    expect(sample(text, "gateway_upstream_breaker_state", { provider: "PRODUCTIVE", state: "closed" })).toBe(
      0,
    );
  });
});

describe("METRICS_TOKEN", () => {
  it("when set, is required as a bearer token: 401 without it or with another", async () => {
    const gateway = await track(openConfiguredGateway({ METRICS_TOKEN }));
    const missing = await get(gateway, "/metrics");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expect((await get(gateway, "/metrics", bearer(`${METRICS_TOKEN}x`))).status).toBe(401);
    expect(await scrape(gateway, bearer(METRICS_TOKEN))).toContain(
      "gateway_graphql_operation_duration_seconds",
    );
  });

  it("is its own credential: /metrics takes no API key, and GraphQL takes no metrics token", async () => {
    const exposed = { NODE_ENV: "production", HOST: "0.0.0.0", GATEWAY_API_KEYS: FULL_KEY, METRICS_TOKEN };
    const gateway = await track(openConfiguredGateway(exposed));
    expect((await get(gateway, "/metrics", bearer(FULL_KEY))).status).toBe(401);
    expect((await get(gateway, "/metrics", bearer(METRICS_TOKEN))).status).toBe(200);
    const graphql = await get(gateway, "/graphql?query=%7B__typename%7D", bearer(METRICS_TOKEN));
    expect(graphql.status).toBe(401);
  });

  it("unset, /metrics is not served in production nor off loopback", async () => {
    const unprotected: Record<string, string>[] = [
      { NODE_ENV: "production", GATEWAY_API_KEYS: FULL_KEY },
      { HOST: "0.0.0.0", GATEWAY_API_KEYS: FULL_KEY },
    ];
    for (const env of unprotected) {
      const gateway = await track(openConfiguredGateway(env));
      expect((await get(gateway, "/metrics", bearer(FULL_KEY))).status).toBe(404);
    }
  });

  it("must be 32 characters or more, without spaces", () => {
    expect(refusal({ METRICS_TOKEN: "short" }).message).toMatch(/METRICS_TOKEN.*32 characters/);
    expect(refusal({ METRICS_TOKEN: `${METRICS_TOKEN} x` }).message).toMatch(/METRICS_TOKEN/);
  });
});
