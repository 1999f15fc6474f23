import { afterEach, describe, expect, it } from "vitest";
import { type FaultHarness, openFaultHarness, PRODUCTIVE, seeded } from "../faults/harness.ts";
import { FULL_KEY } from "../security/support.ts";
import { capturedLogger, type LogLine } from "../support/logging.ts";

/**
 * What the gateway logs of a request: one JSON line with its id, operation, duration, status,
 * error codes and upstream calls; one line per upstream failure; never a credential, the client's
 * API key or an upstream token, whatever failed.
 */

const LIST_COMPANIES = "query ListCompanies { companies(first: 5) { edges { node { name } } } }";

let harness: (FaultHarness & { close(): Promise<void> }) | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function openLoggedGateway() {
  const log = capturedLogger();
  harness = await openFaultHarness({ GATEWAY_API_KEYS: FULL_KEY }, log.logger);
  const fake = await seeded(harness, PRODUCTIVE);
  return { log, fake, gateway: harness.gateway() };
}

async function post(
  gateway: ReturnType<FaultHarness["gateway"]>,
  query: string,
  headers: Record<string, string> = {},
) {
  return gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      authorization: `Bearer ${FULL_KEY}`,
      ...headers,
    },
    body: JSON.stringify({ query }),
  });
}

const requestLines = (lines: LogLine[]) => lines.filter((line) => line.msg === "graphql request");

/** Every credential the gateway was given or sent, none of which a log line may hold. */
function secretsOf(harness: FaultHarness): string[] {
  const { PRODUCTIVE: productive, MONEYBIRD: moneybird, FREEAGENT: freeAgent } = harness.fakes();
  return [FULL_KEY, productive.config.apiToken, moneybird.config.apiToken, freeAgent.config.accessToken];
}

describe("the request log line", () => {
  it("names the request, its operation, duration, status and upstream calls, and holds no credential", async () => {
    const { log, gateway } = await openLoggedGateway();

    const response = await post(gateway, LIST_COMPANIES, { "x-request-id": "req-1" });

    expect(response.status).toBe(200);
    expect(requestLines(log.lines())).toEqual([
      expect.objectContaining({
        level: 30,
        requestId: "req-1",
        operationName: "ListCompanies",
        operationType: "query",
        durationMs: expect.any(Number),
        status: 200,
        errorCodes: [],
        upstream: { PRODUCTIVE: { calls: 1, durationMs: expect.any(Number) } },
      }),
    ]);
    for (const secret of secretsOf(harness as FaultHarness)) expect(log.text()).not.toContain(secret);
  });

  it("under an upstream fault: the error code, each failed attempt as a line of its own, still no credential", async () => {
    const { log, fake, gateway } = await openLoggedGateway();
    const token = harness?.fakes().PRODUCTIVE.config.apiToken;
    fake.failNext({ status: 503, body: { error: `down, token ${token}` } }, 3);

    const response = await post(gateway, LIST_COMPANIES, { "x-request-id": "req-fault" });

    expect(response.status).toBe(200);
    const failures = log.lines().filter((line) => line.msg === "upstream call failed");
    expect(failures).toHaveLength(3);
    expect(failures[0]).toEqual(
      expect.objectContaining({
        level: 40,
        requestId: "req-fault",
        provider: "PRODUCTIVE",
        method: "GET",
        path: "/api/v2/companies",
        status: 503,
        durationMs: expect.any(Number),
        errorCode: "UNAVAILABLE",
        attempt: 1,
      }),
    );
    expect(requestLines(log.lines())).toEqual([
      expect.objectContaining({
        requestId: "req-fault",
        errorCodes: ["UPSTREAM_UNAVAILABLE"],
        upstream: { PRODUCTIVE: { calls: 3, durationMs: expect.any(Number) } },
      }),
    ]);
    for (const secret of secretsOf(harness as FaultHarness)) expect(log.text()).not.toContain(secret);
  });
});

describe("x-request-id", () => {
  it.each([
    ["a valid one is kept", "abc.DEF_123-x", (id: string) => expect(id).toBe("abc.DEF_123-x")],
    ["one with other characters is replaced", "a b<script>", (id: string) => expect(id).toMatch(UUID)],
    ["one over 128 characters is replaced", "a".repeat(129), (id: string) => expect(id).toMatch(UUID)],
  ])("given: %s, echoed, logged and sent upstream", async (_case, given, check) => {
    const { log, fake, gateway } = await openLoggedGateway();

    const response = await post(gateway, LIST_COMPANIES, { "x-request-id": given });

    const id = response.headers.get("x-request-id") ?? "";
    check(id);
    expect(requestLines(log.lines())[0]?.requestId).toBe(id);
    expect(fake.requests.map((request) => request.headers["x-request-id"])).toEqual([id]);
  });

  it("absent: a new one is made, echoed and sent upstream", async () => {
    const { fake, gateway } = await openLoggedGateway();

    const response = await post(gateway, LIST_COMPANIES);

    const id = response.headers.get("x-request-id");
    expect(id).toMatch(UUID);
    expect(fake.requests[0]?.headers["x-request-id"]).toBe(id);
  });

  it("two requests get two ids", async () => {
    const { gateway } = await openLoggedGateway();

    const [first, second] = await Promise.all([
      post(gateway, "{ __typename }"),
      post(gateway, "{ __typename }"),
    ]);

    expect(first.headers.get("x-request-id")).not.toBe(second.headers.get("x-request-id"));
  });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
