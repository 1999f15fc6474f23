import { headerValue, type UpstreamHeaders } from "./headers.ts";

/** The longest pause a provider's hint is taken at: a day. Past it the hint is not believed. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * Seconds to wait before retrying, from `Retry-After` or, failing that, `RateLimit-Reset`; null
 * when neither gives a usable hint. Each may be delta seconds, an HTTP date (Retry-After) or UTC
 * epoch seconds (Moneybird documents its reset values so, and some send Retry-After so too): an
 * integer larger than a day of seconds is read as an epoch. The result is always a sane delta:
 * whole seconds, never negative, at most `MAX_RETRY_AFTER_SECONDS`.
 */
export function retryAfterSeconds(headers: UpstreamHeaders, now: number = Date.now()): number | null {
  const hint = secondsFrom(headerValue(headers, "retry-after"), now, true);
  return hint ?? secondsFrom(headerValue(headers, "ratelimit-reset"), now, false);
}

/**
 * `RateLimit-Remaining: 0` with a reset: the provider says the window is spent although it still
 * answered, so the budget pauses until the reset instead of spending a request on a 429.
 */
export function exhaustedForSeconds(headers: UpstreamHeaders, now: number = Date.now()): number | null {
  if (headerValue(headers, "ratelimit-remaining")?.trim() !== "0") return null;
  return secondsFrom(headerValue(headers, "ratelimit-reset"), now, false);
}

function secondsFrom(value: string | undefined, now: number, datesAllowed: boolean): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const number = Number(text);
    return clamp(number > MAX_RETRY_AFTER_SECONDS ? number - now / 1000 : number);
  }
  if (!datesAllowed) return null;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : clamp((date - now) / 1000);
}

const clamp = (seconds: number) => Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil(seconds)));
