import type { UpstreamRequestObserver } from "../http/upstream-client.ts";

/**
 * Where the detail of an upstream failure goes now that client messages name only the provider
 * and the call: the request (its path's ids as `{id}`), the status, the attempt and the start of
 * the answer, credentials already redacted (see `UpstreamRequestEvent.failure`), as one warning.
 * `next` is the observer a test passed in, which still sees every event.
 */
export function logUpstreamFailures(
  warn: (message: string) => void,
  next?: UpstreamRequestObserver,
): UpstreamRequestObserver {
  return (event) => {
    next?.(event);
    if (!event.failure) return;
    const outcome = [event.status ?? "no answer", event.errorCode].filter(Boolean).join(" ");
    warn(
      `upstream ${event.provider} ${event.failure.request}: ${outcome} (attempt ${event.attempt + 1}): ${event.failure.excerpt}`,
    );
  };
}
