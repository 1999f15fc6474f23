import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { Provider } from "../domain/common.ts";
import { UpstreamError } from "../errors.ts";
import type { RequestScope } from "./request-scope.ts";
import { MAX_RETRY_AFTER_SECONDS } from "./retry-after.ts";

/** One documented limit of a provider: at most `limit` requests per `seconds`. */
export interface RateWindow {
  limit: number;
  seconds: number;
}

/** Where the budget is counted: this process alone, Redis (shared), or this process's share while Redis is down. */
export type BudgetMode = "LOCAL" | "SHARED" | "LOCAL_FALLBACK";

export interface BudgetStatus {
  mode: BudgetMode;
  /** Requests that may start now, before the budget makes one wait. */
  remaining: number;
  /** Seconds left of a pause the provider asked for (a 429); 0 when none. */
  pausedForSeconds: number;
  /** Requests of this instance waiting for the budget now: its queue. */
  waiting: number;
}

export interface RateBudget {
  /** Takes one request's share: at once, after a wait that fits the scope's deadline, or RATE_LIMITED. */
  acquire(scope: RequestScope): Promise<void>;
  /** The provider asked for a pause (a 429, an exhausted window): no request starts before it ends. */
  pause(seconds: number): Promise<void>;
  status(): Promise<BudgetStatus>;
}

export interface RateBudgetOptions {
  provider: Provider;
  /** Names the credential the provider counts against (never the credential itself). */
  key: string;
  windows: readonly RateWindow[];
  /** Shared counting across gateway instances; null counts in this process. */
  redis: Redis | null;
  /** How many instances share the credential: each keeps 1/instances of it while Redis is down. */
  instances: number;
  /** The share of every window background work (a scope marked `background`) may spend (default 0.25). */
  backgroundShare?: number;
}

/**
 * How a window becomes counters: `segments` fixed windows of seconds/segments, each allowing
 * limit/(segments + 1). Any stretch of the provider's window length overlaps at most segments + 1
 * of them, so no stretch ever holds more than the limit, whatever the alignment of the provider's
 * own windows (the counters' windows start at their first request, the provider's anywhere). The
 * price is throughput: 2/3 of a short window, 4/5 of a window of half an hour or more.
 */
function segmentsOf({ seconds }: RateWindow): number {
  const wanted = seconds >= 1800 ? 4 : 2;
  for (let segments = wanted; segments > 1; segments--) {
    if (seconds % segments === 0) return segments;
  }
  return 1;
}

interface Counter {
  window: RateWindow;
  points: number;
  limiter: RateLimiterAbstract;
}

/** A little spread on wake-ups, so the requests a window released do not all ask at the same instant. */
const jitterMs = () => Math.floor(Math.random() * 25);

/** How long background work waits before looking again whether a client's request still waits. */
const YIELD_MS = 50;

/** The counters that keep within `windows`, under `keyPrefix`, in memory or Redis. */
function createCounters(
  windows: readonly RateWindow[],
  keyPrefix: string,
  { redis, instances }: Pick<RateBudgetOptions, "redis" | "instances">,
): Counter[] {
  return windows.map((window, index) => {
    const segments = segmentsOf(window);
    const points = Math.max(1, Math.floor(window.limit / (segments + 1)));
    const duration = window.seconds / segments;
    const prefix = `${keyPrefix}:${index}`;
    const local = new RateLimiterMemory({
      keyPrefix: prefix,
      points: redis ? Math.max(1, Math.floor(points / instances)) : points,
      duration,
    });
    const limiter = redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: prefix,
          points,
          duration,
          rejectIfRedisNotReady: true,
          insuranceLimiter: local,
        })
      : local;
    return { window, points, limiter };
  });
}

/**
 * The rate budget of one provider credential, enforced before a request is sent: counted by
 * rate-limiter-flexible, in memory or in Redis (falling back to this instance's share of memory
 * while Redis is unreachable, never unmetered).
 */
export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const { provider, key, redis } = options;
  const counters = createCounters(options.windows, `contacts-gateway:budget:${provider}`, options);
  // Background work takes from these first: at most its share of each window, whoever else spends it.
  const share = options.backgroundShare ?? 0.25;
  const backgroundCounters = createCounters(
    options.windows.map(({ limit, seconds }) => ({ limit: Math.max(1, Math.floor(limit * share)), seconds })),
    `contacts-gateway:budget-background:${provider}`,
    options,
  );
  let pausedUntil = 0;
  let waiting = 0;

  /** 0 when the request may start; otherwise how long to wait before asking again. */
  async function tryTake(from: readonly Counter[]): Promise<number> {
    const paused = pausedUntil - Date.now();
    if (paused > 0) return paused;
    const taken: Counter[] = [];
    for (const counter of from) {
      try {
        await counter.limiter.consume(key);
        taken.push(counter);
      } catch (rejection) {
        // A request refused by one window must not spend the others: give their share back.
        await Promise.all(taken.map((other) => other.limiter.reward(key)));
        if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
        throw rejection;
      }
    }
    return 0;
  }

  /** Waits `waitMs` (within the scope's deadline, else RATE_LIMITED), counted in the queue unless it is background work's. */
  async function waitFor(scope: RequestScope, waitMs: number): Promise<void> {
    if (Date.now() + waitMs > scope.deadlineAt) {
      const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.ceil(waitMs / 1000));
      throw new UpstreamError(
        provider,
        "RATE_LIMITED",
        `${provider}'s rate budget is spent for the next ${seconds} s (the gateway keeps within the provider's limits)`,
        seconds,
      );
    }
    if (scope.background) return sleep(waitMs + jitterMs(), undefined, { signal: scope.signal });
    waiting += 1;
    try {
      await sleep(waitMs + jitterMs(), undefined, { signal: scope.signal });
    } finally {
      waiting -= 1;
    }
  }

  /** Takes from `from` as soon as it allows, waiting meanwhile; background work also waits while a client's request waits. */
  async function take(scope: RequestScope, from: readonly Counter[]): Promise<void> {
    for (;;) {
      const waitMs = scope.background && waiting > 0 ? YIELD_MS : await tryTake(from);
      if (waitMs === 0) return;
      await waitFor(scope, waitMs);
    }
  }

  return {
    async acquire(scope) {
      if (scope.background) await take(scope, backgroundCounters);
      await take(scope, counters);
    },

    async pause(seconds) {
      const until = Date.now() + seconds * 1000;
      if (until <= pausedUntil) return;
      pausedUntil = until;
      const [first] = counters;
      // Blocking the first window's counter carries the pause to every instance sharing Redis.
      if (first) await first.limiter.block(key, Math.max(1, Math.ceil(seconds)));
    },

    async status() {
      const remaining = await Promise.all(
        counters.map(async ({ limiter }) => {
          const state = await limiter.get(key);
          return state ? Math.max(0, state.remainingPoints) : limiter.points;
        }),
      );
      return {
        mode: redis === null ? "LOCAL" : redis.status === "ready" ? "SHARED" : "LOCAL_FALLBACK",
        remaining: Math.min(...remaining),
        pausedForSeconds: Math.max(0, Math.ceil((pausedUntil - Date.now()) / 1000)),
        waiting,
      };
    },
  };
}
