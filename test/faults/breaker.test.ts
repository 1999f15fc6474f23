import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";
import {
  ATTEMPTS,
  createDocument,
  expectAlive,
  listed,
  onlyError,
  PROVIDERS,
  type ProviderUnderFault,
  SEEDED_NAME,
  seeded,
  useFaultHarness,
} from "./harness.ts";

/**
 * Each provider's circuit breaker through the gateway: one read whose every attempt meets a 503
 * opens it (3 consecutive outages); while open, `providers` and /ready say so and requests fail
 * fast without reaching the provider; after the cool-down one probe goes through (requests made
 * meanwhile wait for its verdict), and its success closes the breaker while its failure opens it again.
 */

const BREAKER_FAILURES = ATTEMPTS;
const COOLDOWN_MS = 300;
const PROBE_LATENCY_MS = 300;
const harness = useFaultHarness({
  BREAKER_FAILURES: String(BREAKER_FAILURES),
  BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
});

async function breakerOf(gateway: Gateway, under: ProviderUnderFault): Promise<string> {
  const { providers } = await executeOk(gateway, "{ providers { provider breaker } }");
  return providers.find((status: { provider: string }) => status.provider === under.provider).breaker;
}

const readiness = async (gateway: Gateway) => (await gateway.yoga.fetch("http://gateway.test/ready")).status;

describe.each(PROVIDERS)("the $provider breaker", (under) => {
  /** The seeded fake after a read whose every attempt met a 503, which opens the breaker. */
  async function opened() {
    const fake = await seeded(harness, under);
    fake.failNext(under.status(503), BREAKER_FAILURES);
    expect(onlyError(await execute(harness.gateway(), under.list))).toEqual({
      code: "UPSTREAM_UNAVAILABLE",
      provider: under.provider,
    });
    expect(fake.requests).toHaveLength(BREAKER_FAILURES);
    return fake;
  }

  /** The same, once the cool-down is over: the next request is the probe. */
  async function cooledDown() {
    const fake = await opened();
    await sleep(COOLDOWN_MS + 50);
    return fake;
  }

  it("is not opened by clients that go away while the provider answers", async () => {
    const fake = await seeded(harness, under);
    fake.setLatency(PROBE_LATENCY_MS);
    for (let client = 0; client < BREAKER_FAILURES; client++) {
      const leaving = new AbortController();
      const answer = harness.gateway().yoga.fetch("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: under.list }),
        signal: leaving.signal,
      });
      await sleep(PROBE_LATENCY_MS / 6);
      leaving.abort();
      await Promise.resolve(answer).catch(() => undefined);
    }
    fake.setLatency(0);
    expect(await breakerOf(harness.gateway(), under)).toBe("CLOSED");
    expect(listed(await executeOk(harness.gateway(), under.list))).toEqual([SEEDED_NAME]);
  });

  it("opens after repeated 503s, fails fast while open, and closes after a probe succeeds", async () => {
    const gateway = harness.gateway();
    const fake = await opened();

    expect(await breakerOf(gateway, under)).toBe("OPEN");
    expect(await readiness(gateway)).toBe(503);
    const started = performance.now();
    const refused = await execute(gateway, under.list);
    expect(performance.now() - started).toBeLessThan(COOLDOWN_MS);
    expect(onlyError(refused)).toEqual({
      code: "UPSTREAM_UNAVAILABLE",
      provider: under.provider,
      retryAfterSeconds: Math.ceil(COOLDOWN_MS / 1000),
    });
    expect(fake.requests).toHaveLength(BREAKER_FAILURES);
    await expectAlive(gateway);

    await sleep(COOLDOWN_MS + 50);
    expect(listed(await executeOk(gateway, under.list))).toEqual([SEEDED_NAME]);
    expect(fake.requests).toHaveLength(BREAKER_FAILURES + 1);
    expect(await breakerOf(gateway, under)).toBe("CLOSED");
    expect(await readiness(gateway)).toBe(200);
  });

  it("sends one probe after the cool-down, and opens again when it fails", async () => {
    const gateway = harness.gateway();
    const fake = await cooledDown();
    fake.failNext(under.status(503));

    const probed = await execute(gateway, under.list);

    expect(onlyError(probed)).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", provider: under.provider });
    // The probe's retry meets the breaker it opened again, and is not sent.
    expect(fake.requests).toHaveLength(BREAKER_FAILURES + 1);
    expect(await breakerOf(gateway, under)).toBe("OPEN");
    expect(await readiness(gateway)).toBe(503);
  });

  it("says HALF_OPEN while its one probe is in flight; a request meanwhile waits for the verdict", async () => {
    const gateway = harness.gateway();
    const fake = await cooledDown();
    fake.setLatency(PROBE_LATENCY_MS);

    const probe = executeOk(gateway, under.list);
    await sleep(PROBE_LATENCY_MS / 3);
    expect((await gateway.sources.health[under.provider].protection?.())?.breaker).toBe("HALF_OPEN");
    // `providers` pings the provider: that request is held until the probe has closed the breaker.
    const afterProbe = breakerOf(gateway, under);

    expect(listed(await probe)).toEqual([SEEDED_NAME]);
    expect(await afterProbe).toBe("CLOSED");
    const [probeAt, pingAt] = fake.requests.slice(BREAKER_FAILURES).map((request) => request.receivedAt);
    expect((pingAt as number) - (probeAt as number)).toBeGreaterThanOrEqual(PROBE_LATENCY_MS - 20);
  });

  it("refuses a create while open without sending it: writeLanded false", async () => {
    const fake = await opened();

    const data = await executeOk(harness.gateway(), createDocument(under), { input: under.create.input });

    expect(data.result).toEqual({
      __typename: "UpstreamError",
      message: expect.any(String),
      code: "UNAVAILABLE",
      provider: under.provider,
      writeLanded: false,
      retryAfterSeconds: Math.ceil(COOLDOWN_MS / 1000),
    });
    expect(fake.requests).toHaveLength(BREAKER_FAILURES);
  });
});
