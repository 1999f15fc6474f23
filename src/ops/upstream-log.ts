import { activeScope } from "../http/request-scope.ts";
import type { UpstreamRequestObserver } from "../http/upstream-client.ts";
import { pathTemplate } from "../security/redaction.ts";
import type { Logger } from "./logger.ts";

/**
 * Observes every upstream call: counts it (and its time) into the request it was made for, which
 * that request's log line reports, and logs a failed one as one line: the provider, the method, the
 * path with its ids as `{id}`, the status, the error code and the start of the answer, credentials
 * already redacted at the source (see `UpstreamRequestEvent.failure`). Every event goes on to
 * `observers` too (metrics, readiness, a test's own), so the upstream client has one observer.
 */
export function observeUpstreamCalls(
  logger: Logger,
  observers: (UpstreamRequestObserver | undefined)[],
): UpstreamRequestObserver {
  return (event) => {
    for (const observe of observers) observe?.(event);
    const scope = activeScope();
    if (scope) {
      const tally = scope.upstreamCalls.get(event.provider) ?? { calls: 0, durationMs: 0 };
      tally.calls += 1;
      tally.durationMs += event.durationMs;
      scope.upstreamCalls.set(event.provider, tally);
    }
    if (!event.failure) return;
    logger.warn(
      {
        requestId: scope?.requestId ?? null,
        provider: event.provider,
        method: event.method,
        path: pathTemplate(event.url),
        status: event.status,
        durationMs: roundMs(event.durationMs),
        errorCode: event.errorCode,
        attempt: event.attempt + 1,
        excerpt: event.failure.excerpt,
      },
      "upstream call failed",
    );
  };
}

/** Tenths of a millisecond: finer is noise in a log line. */
export const roundMs = (ms: number) => Math.round(ms * 10) / 10;
