import type { Plugin } from "graphql-yoga";
import { activeScope } from "../http/request-scope.ts";
import { isOutage, type UpstreamRequestObserver } from "../http/upstream-client.ts";
import type { ProviderBackend, Sources } from "../ports.ts";

export const READINESS_ENDPOINT = "/ready";

interface LastAttempt {
  status: number | null;
  errorCode: string | null;
  outage: boolean;
  at: number;
}

/** The most recent upstream attempt per provider, fed by the upstream observer: what /ready judges. */
export interface LastAttempts {
  observe: UpstreamRequestObserver;
  of(provider: string): LastAttempt | undefined;
}

export function trackLastAttempts(): LastAttempts {
  const last = new Map<string, LastAttempt>();
  return {
    observe(event) {
      // An attempt its own request abandoned (the client left, the deadline passed) says nothing of the provider.
      if (activeScope()?.signal.aborted) return;
      last.set(event.provider, {
        status: event.status,
        errorCode: event.errorCode,
        outage: isOutage(event.status, event.errorCode),
        at: Date.now(),
      });
    },
    of: (provider) => last.get(provider),
  };
}

interface Check {
  ready: boolean;
  /** Why not, when not. */
  reason?: string;
}
type ProviderCheck = Check & { backend: ProviderBackend["backend"]; breaker?: string };

/**
 * `/ready`, as JSON: 200 `{ ready: true, … }`, or 503 with `failing` naming the checks that failed —
 * `store` when the local store does not answer a ping, or a live provider whose breaker is open or
 * whose last upstream attempt within `recentMs` met an outage. Live providers are never called for
 * it (that would spend their rate budget): what is known of them comes from the traffic.
 */
export function useReadiness(
  health: Sources["health"],
  lastAttempts: LastAttempts,
  recentMs: number,
): Plugin {
  const backends = Object.entries(health);
  const storeCheck = async (): Promise<Check | null> => {
    const pings = backends
      .filter(([, backend]) => backend.backend === "STORE")
      .map(([, backend]) => backend.ping());
    if (pings.length === 0) return null;
    return Promise.all(pings).then(
      () => ({ ready: true }),
      () => ({ ready: false, reason: "the store does not answer" }),
    );
  };
  const liveCheck = async (provider: string, backend: ProviderBackend): Promise<ProviderCheck> => {
    const breaker = (await backend.protection?.())?.breaker;
    const last = lastAttempts.of(provider);
    const reason =
      breaker === "OPEN"
        ? "circuit open: the provider kept failing"
        : last?.outage && Date.now() - last.at < recentMs
          ? `last request failed: ${last.status ?? "no answer"} ${last.errorCode}`
          : undefined;
    return { backend: "LIVE", ready: reason === undefined, ...(reason && { reason }), breaker };
  };

  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== READINESS_ENDPOINT) return;
      const store = await storeCheck();
      const providers = Object.fromEntries(
        await Promise.all(
          backends.map(
            async ([provider, backend]): Promise<[string, ProviderCheck]> => [
              provider,
              backend.backend === "STORE"
                ? { backend: "STORE", ...(store as Check) }
                : await liveCheck(provider, backend),
            ],
          ),
        ),
      );
      const failing = [
        ...(store?.ready === false ? ["store"] : []),
        ...Object.entries(providers)
          .filter(([, check]) => check.backend === "LIVE" && !check.ready)
          .map(([provider]) => provider),
      ];
      const ready = failing.length === 0;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({ ready, ...(!ready && { failing }), ...(store && { store }), providers }),
          {
            status: ready ? 200 : 503,
            headers: { "content-type": "application/json", "cache-control": "no-store" },
          },
        ),
      );
    },
  };
}
