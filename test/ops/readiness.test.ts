import { afterEach, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import { openFaultHarness, PRODUCTIVE, seeded } from "../faults/harness.ts";
import { get } from "../security/support.ts";
import { openGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

/**
 * /ready says, as JSON, whether the gateway can serve, and when not which check failed: the store
 * (it does not answer), or a live provider (its breaker is open, or its last attempt met an outage).
 * /health stays 200 throughout: the process serves.
 */

const LIST_COMPANIES = "{ companies(first: 5) { edges { node { name } } } }";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const ready = (gateway: Gateway) => get(gateway, "/ready");

describe("/ready", () => {
  it("is 200 with each provider's check while the store answers, and 503 naming the store once it does not", async () => {
    const gateway = await openGateway();
    close = () => gateway.close();
    const answer = await ready(gateway);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(answer.json).toEqual({
      ready: true,
      store: { ready: true },
      providers: {
        PRODUCTIVE: { backend: "STORE", ready: true },
        MONEYBIRD: { backend: "STORE", ready: true },
        FREEAGENT: { backend: "STORE", ready: true },
      },
    });

    await gateway.close();
    close = undefined;
    const closed = await ready(gateway);
    expect(closed.status).toBe(503);
    expect(closed.json).toMatchObject({
      ready: false,
      failing: ["store"],
      store: { ready: false, reason: expect.any(String) },
      providers: { PRODUCTIVE: { backend: "STORE", ready: false } },
    });
    expect((await get(gateway, "/health")).status).toBe(200);
  });

  it("names a live provider whose last request met an outage, until one succeeds", async () => {
    const harness = await openFaultHarness({ UPSTREAM_MAX_RETRIES: "0", UPSTREAM_TIMEOUT_MS: "5000" });
    close = () => harness.close();
    const fake = await seeded(harness, PRODUCTIVE);
    expect((await ready(harness.gateway())).json.providers.PRODUCTIVE).toEqual({
      backend: "LIVE",
      ready: true,
      breaker: "CLOSED",
    });

    fake.failNext(PRODUCTIVE.status(503));
    await execute(harness.gateway(), LIST_COMPANIES);
    const failing = await ready(harness.gateway());
    expect(failing.status).toBe(503);
    expect(failing.json).toMatchObject({
      ready: false,
      failing: ["PRODUCTIVE"],
      providers: {
        PRODUCTIVE: { ready: false, breaker: "CLOSED", reason: "last request failed: 503 UNAVAILABLE" },
        MONEYBIRD: { ready: true },
      },
    });

    await executeOk(harness.gateway(), LIST_COMPANIES);
    expect((await ready(harness.gateway())).status).toBe(200);
  });

  it("names a live provider whose breaker opened, and is ready again once a probe closes it", async () => {
    const harness = await openFaultHarness({
      UPSTREAM_MAX_RETRIES: "0",
      UPSTREAM_TIMEOUT_MS: "5000",
      BREAKER_FAILURES: "1",
      BREAKER_COOLDOWN_MS: "200",
    });
    close = () => harness.close();
    const fake = await seeded(harness, PRODUCTIVE);
    fake.failNext(PRODUCTIVE.status(503));
    await execute(harness.gateway(), LIST_COMPANIES);

    const open = await ready(harness.gateway());
    expect(open.status).toBe(503);
    expect(open.json).toMatchObject({
      failing: ["PRODUCTIVE"],
      providers: {
        PRODUCTIVE: { ready: false, breaker: "OPEN", reason: expect.stringContaining("circuit open") },
      },
    });
    expect((await get(harness.gateway(), "/health")).status).toBe(200);

    // Past the cool-down the breaker lets the next request through as its probe, so the gateway is
    // ready again: taken out of a load balancer, it would never get that request.
    await expect
      .poll(async () => (await ready(harness.gateway())).json.providers.PRODUCTIVE.breaker, { timeout: 5000 })
      .toBe("HALF_OPEN");
    expect((await ready(harness.gateway())).status).toBe(200);
    await executeOk(harness.gateway(), LIST_COMPANIES);
    expect((await ready(harness.gateway())).json).toMatchObject({
      ready: true,
      providers: { PRODUCTIVE: { ready: true, breaker: "CLOSED" } },
    });
  });
});
