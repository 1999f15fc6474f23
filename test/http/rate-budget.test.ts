import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { UpstreamError } from "../../src/errors.ts";
import { createRateBudget, type RateBudgetOptions } from "../../src/http/rate-budget.ts";
import { requestScope } from "../../src/http/request-scope.ts";
import { REDIS_URL } from "../support/redis.ts";

/** The rate budget alone: what it lets through per window, how it waits, pauses and shares. */

const redisClients: Redis[] = [];
afterAll(() => {
  for (const redis of redisClients) redis.disconnect();
});

const budget = (options: Partial<RateBudgetOptions> = {}) =>
  createRateBudget({
    provider: "FREEAGENT",
    key: randomUUID(),
    windows: [{ limit: 6, seconds: 2 }],
    redis: null,
    instances: 1,
    ...options,
  });

/** How many of `count` acquisitions succeed at once, without waiting. */
async function takenAtOnce(take: () => Promise<void>, count: number): Promise<number> {
  const results = await Promise.allSettled(Array.from({ length: count }, take));
  return results.filter((result) => result.status === "fulfilled").length;
}

const noWait = () => requestScope(1);

describe("rate budget", () => {
  it("lets through limit/(segments+1) at once: never more than the limit in any stretch of the window", async () => {
    // 6 per 2 s: two 1-s segments of 2 each, so any 2-s stretch holds at most 3 segments, 6 requests.
    const limited = budget();
    expect(await takenAtOnce(() => limited.acquire(noWait()), 10)).toBe(2);
  });

  it("refuses at once, with an honest retryAfterSeconds, what the deadline cannot wait for", async () => {
    const limited = budget({ windows: [{ limit: 3, seconds: 60 }] });
    await limited.acquire(noWait());
    const refusal = await limited.acquire(requestScope(1_000)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UpstreamError);
    expect(refusal).toMatchObject({ code: "RATE_LIMITED", provider: "FREEAGENT" });
    expect((refusal as UpstreamError).retryAfterSeconds).toBeGreaterThan(25);
    expect((refusal as UpstreamError).retryAfterSeconds).toBeLessThanOrEqual(30);
  });

  it("makes a request wait for the next segment when the deadline allows", async () => {
    const limited = budget({ windows: [{ limit: 2, seconds: 1 }] });
    await limited.acquire(noWait());
    const started = Date.now();
    await limited.acquire(requestScope(3_000));
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it("stops waiting when the request's signal aborts", async () => {
    const limited = budget({ windows: [{ limit: 2, seconds: 10 }] });
    await limited.acquire(noWait());
    const client = new AbortController();
    const waiting = limited.acquire(requestScope(20_000, client.signal));
    client.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
  });

  it("holds every request back during a pause, and says how long is left", async () => {
    const limited = budget({ windows: [{ limit: 100, seconds: 10 }] });
    await limited.pause(30);
    await expect(limited.acquire(requestScope(1_000))).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(await limited.status()).toMatchObject({ mode: "LOCAL", pausedForSeconds: 30 });
  });

  it("gives back the share of a window when a later window refuses", async () => {
    const limited = budget({
      windows: [
        { limit: 30, seconds: 2 },
        { limit: 2, seconds: 60 },
      ],
    });
    expect(await takenAtOnce(() => limited.acquire(noWait()), 5)).toBe(1);
    // The 2-s window kept only the one request that passed both.
    expect((await limited.status()).remaining).toBe(0);
  });

  it("shares one budget across instances through Redis", async () => {
    const key = randomUUID();
    const shared = async () => {
      const redis = new Redis(REDIS_URL);
      redisClients.push(redis);
      await new Promise((ready) => redis.once("ready", ready));
      // 3 instances: were it counting locally, each would let 1 through, and the total would not be 4.
      return budget({ key, redis, instances: 3, windows: [{ limit: 12, seconds: 60 }] });
    };
    const [one, two] = await Promise.all([shared(), shared()]);
    // 12 per 60 s: two 30-s segments of 4, shared by both instances.
    const taken = await Promise.all([
      takenAtOnce(() => one.acquire(noWait()), 5),
      takenAtOnce(() => two.acquire(noWait()), 5),
    ]);
    expect(taken[0] + taken[1]).toBe(4);
    expect(await one.status()).toMatchObject({ mode: "SHARED", remaining: 0 });

    await one.pause(20);
    expect(await two.acquire(requestScope(1_000)).catch((error: unknown) => error)).toMatchObject({
      code: "RATE_LIMITED",
    });
  });

  it("falls back to 1/instances of the budget, never unmetered, while Redis is unreachable", async () => {
    const redis = new Redis("redis://127.0.0.1:1", {
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    redisClients.push(redis);
    redis.on("error", () => {});
    const fallback = budget({ redis, instances: 2, windows: [{ limit: 12, seconds: 60 }] });
    // The shared segment allows 4; this instance's share is 2.
    expect(await takenAtOnce(() => fallback.acquire(noWait()), 5)).toBe(2);
    expect((await fallback.status()).mode).toBe("LOCAL_FALLBACK");
  });
});
