import { randomInt } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Provider } from "../../src/domain/common.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import type { FakeServer } from "../fakes/fake-server.ts";
import { startFakeFreeAgent } from "../fakes/freeagent.ts";
import { maxInWindow } from "../fakes/meter.ts";
import { startFakeMoneybird } from "../fakes/moneybird.ts";
import { startFakeProductive } from "../fakes/productive.ts";
import { execute, type GraphQLResponse } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";
import { REDIS_URL } from "../support/redis.ts";

/**
 * Bursts of 300 concurrent GraphQL requests, each needing an upstream call of its own, against
 * each fake: what the fake receives never exceeds the configured limit in any stretch of the
 * window, through one gateway and through two sharing their budget in Redis. The limits are
 * small (30 per 2 s) and the deadline short, so a burst ends in seconds: what the budget cannot
 * serve in time is refused RATE_LIMITED, with a retryAfterSeconds, and never sent.
 */

const BURST = 300;
const LIMIT = 30;
const WINDOW_S = 2;

interface Target {
  provider: Provider;
  start(): Promise<{ fake: FakeServer; env: Record<string, string | undefined> }>;
  /** The i-th request of a burst: each different, so none shares another's call. */
  query(i: number): string;
}

// A unique credential per run: budgets in Redis are counted per credential.
const unique = () => String(randomInt(1_000_000_000));

const TARGETS: Target[] = [
  {
    provider: "PRODUCTIVE",
    async start() {
      const fake = await startFakeProductive({ organizationId: unique() });
      return {
        fake,
        env: {
          PRODUCTIVE_API_TOKEN: fake.config.apiToken,
          PRODUCTIVE_ORGANIZATION_ID: fake.config.organizationId,
          PRODUCTIVE_BASE_URL: fake.origin,
        },
      };
    },
    query: (i) => `{ companies(first: 1, filter: { name: "company ${i}" }) { totalCount } }`,
  },
  {
    provider: "MONEYBIRD",
    async start() {
      const fake = await startFakeMoneybird({ apiToken: `token-${unique()}` });
      return {
        fake,
        env: {
          MONEYBIRD_API_TOKEN: fake.config.apiToken,
          MONEYBIRD_ADMINISTRATION_ID: fake.config.administrationId,
          MONEYBIRD_BASE_URL: fake.origin,
        },
      };
    },
    query: (i) =>
      `{ contacts(first: 1, filter: { providers: [MONEYBIRD], query: "q${i}" }) { edges { cursor } } }`,
  },
  {
    provider: "FREEAGENT",
    async start() {
      const fake = await startFakeFreeAgent({ clientId: `client-${unique()}` });
      return {
        fake,
        env: {
          FREEAGENT_ACCESS_TOKEN: fake.config.accessToken,
          FREEAGENT_REFRESH_TOKEN: fake.config.refresh?.refreshToken,
          FREEAGENT_CLIENT_ID: fake.config.refresh?.clientId,
          FREEAGENT_CLIENT_SECRET: fake.config.refresh?.clientSecret,
          FREEAGENT_BASE_URL: fake.origin,
        },
      };
    },
    query: (i) =>
      `{ contacts(first: 1, filter: { providers: [FREEAGENT], updatedAfter: "2020-01-01T00:00:${String(i % 60).padStart(2, "0")}.${String(i).padStart(3, "0")}Z" }) { edges { cursor } } }`,
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function startGateways(
  target: Target,
  instances: number,
): Promise<{ fake: FakeServer; gateways: Gateway[] }> {
  const { fake, env } = await target.start();
  cleanups.push(() => fake.close());
  const gateways = await Promise.all(
    Array.from({ length: instances }, () =>
      createGateway({
        logger: quietLogger,
        config: loadConfig({
          STORE_URL: ":memory:",
          ...env,
          [`${target.provider}_RATE_LIMITS`]: `${LIMIT}/${WINDOW_S}`,
          REQUEST_TIMEOUT_MS: "3000",
          ...(instances > 1 ? { REDIS_URL, GATEWAY_INSTANCES: String(instances) } : {}),
        }),
      }),
    ),
  );
  cleanups.push(() => Promise.all(gateways.map((gateway) => gateway.close())).then(() => {}));
  return { fake, gateways };
}

/** Waits until every gateway's budget counts in Redis, so the burst is not served by the fallback. */
async function untilShared(gateways: Gateway[], provider: Provider): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    const modes = await Promise.all(
      gateways.map(async (gateway) => (await gateway.sources.health[provider].protection?.())?.budget.mode),
    );
    if (modes.every((mode) => mode === "SHARED")) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("Redis never became the budgets' store");
}

/**
 * Every answer is data, or RATE_LIMITED with its hint; on a loaded machine a request the budget let
 * through late may instead meet its deadline upstream (UPSTREAM_TIMEOUT). Returns how many did.
 */
function expectTyped(results: GraphQLResponse<unknown>[], provider: Provider): number {
  let timedOut = 0;
  for (const result of results) {
    expect(result.status).toBe(200);
    for (const error of result.errors ?? []) {
      if (error.extensions?.code === "UPSTREAM_TIMEOUT") {
        timedOut += 1;
        continue;
      }
      expect(error.extensions).toMatchObject({ code: "RATE_LIMITED", provider });
      expect(error.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
    }
  }
  return timedOut;
}

describe.each(TARGETS)("a burst of $provider requests", (target) => {
  it.each([
    [1, "one gateway"],
    [2, "two gateways sharing Redis"],
  ])("never exceeds the limit per window at the fake, through %s (%s)", async (instances) => {
    const { fake, gateways } = await startGateways(target, instances);
    if (instances > 1) await untilShared(gateways, target.provider);

    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) => execute(gateways[i % instances] as Gateway, target.query(i))),
    );

    const timedOut = expectTyped(results, target.provider);
    const served = results.filter((result) => !result.errors).length;
    // Every request that was served made its call; none that was refused reached the fake.
    expect(fake.requests.length).toBeGreaterThanOrEqual(served);
    expect(fake.requests.length).toBeLessThanOrEqual(served + timedOut);
    expect(maxInWindow(fake.requests, WINDOW_S * 1000)).toBeLessThanOrEqual(LIMIT);
    // The budget served what it could within the deadline: at least two segments' worth.
    expect(served).toBeGreaterThanOrEqual(20);
  });
});
