import { headerValue, type UpstreamHeaders } from "./headers.ts";

/**
 * Seconds to wait before retrying, from `Retry-After` (delta seconds or an HTTP date) or, failing
 * that, `RateLimit-Reset`, which Moneybird documents as epoch seconds but some proxies send as a
 * delta: a value larger than a day of seconds is read as an epoch.
 */
export function retryAfterSeconds(headers: UpstreamHeaders, now: number = Date.now()): number | null {
  const retryAfter = headerValue(headers, "retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - now) / 1000));
  }
  const reset = headerValue(headers, "ratelimit-reset")?.trim();
  if (reset && /^\d+$/.test(reset)) {
    const value = Number(reset);
    return value > 86_400 ? Math.max(0, Math.ceil(value - now / 1000)) : value;
  }
  return null;
}
