import type { Redis } from "ioredis";

/**
 * The Redis connection the rate budgets share across gateway instances. Commands fail at once
 * while it is down (no offline queue), so a budget falls back to its local share instead of
 * waiting; each change of reachability is said once, naming the host, never the password.
 * ioredis is imported only here, when REDIS_URL is set: a gateway without it does not hold its ~10 MB.
 */
export async function connectRedis(url: string, warn: (message: string) => void): Promise<Redis> {
  const { Redis } = await import("ioredis");
  const { host, port } = new URL(url);
  const where = `${host}:${port || 6379}`;
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 500, 5_000),
  });
  let reachable: boolean | null = null;
  redis.on("ready", () => {
    if (reachable === false) warn(`Redis at ${where} is reachable again: rate budgets are shared`);
    reachable = true;
  });
  redis.on("error", (error: NodeJS.ErrnoException) => {
    if (reachable === false) return;
    reachable = false;
    warn(
      `Redis at ${where} is unreachable (${error.code ?? error.message}): each instance keeps to its share (1/GATEWAY_INSTANCES) of every rate budget until it is back`,
    );
  });
  return redis;
}
