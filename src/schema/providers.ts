import { PROVIDERS, type Provider } from "../domain/common.ts";
import type { MirrorReport, ProtectionStatus } from "../ports.ts";
import { builder } from "./builder.ts";
import { toGraphQLError } from "./errors.ts";
import { ProviderEnum } from "./provider.ts";

interface ProviderStatus {
  provider: Provider;
  backend: "LIVE" | "STORE";
  healthy: boolean;
  message: string | null;
  errorCode: string | null;
  /** Live providers only. */
  protection: ProtectionStatus | null;
  /** Mirrored providers only. */
  mirror: MirrorReport | null;
}

const BackendEnum = builder.enumType("Backend", {
  values: {
    LIVE: { description: "The provider's REST API (credentials configured)." },
    STORE: { description: "The embedded local store." },
  },
});

const BreakerStateEnum = builder.enumType("BreakerState", {
  values: {
    CLOSED: { description: "Requests go to the provider." },
    OPEN: {
      description:
        "The provider kept failing: requests fail fast (UNAVAILABLE) until a probe after the cool-down.",
    },
    HALF_OPEN: { description: "One probe request is deciding whether to close the breaker again." },
  },
});

const BudgetModeEnum = builder.enumType("RateBudgetMode", {
  values: {
    LOCAL: { description: "Counted in this instance (no REDIS_URL)." },
    SHARED: { description: "Counted in Redis, shared by every instance." },
    LOCAL_FALLBACK: {
      description:
        "Redis is unreachable: this instance keeps to its share (1/GATEWAY_INSTANCES) of the budget.",
    },
  },
});

const RateBudgetType = builder.objectRef<ProtectionStatus["budget"]>("RateBudget").implement({
  description: "The provider credential's rate budget, as the gateway enforces it before sending.",
  fields: (t) => ({
    mode: t.field({ type: BudgetModeEnum, resolve: (budget) => budget.mode }),
    remaining: t.exposeInt("remaining", {
      description: "Requests that may start now before one has to wait for the budget.",
    }),
    pausedForSeconds: t.exposeInt("pausedForSeconds", {
      description: "Seconds left of a pause the provider asked for (a 429); 0 when none.",
    }),
  }),
});

const MirrorSyncStateEnum = builder.enumType("MirrorSyncState", {
  values: {
    WAITING: { description: "No round has completed yet: every read goes live." },
    SYNCED: { description: "The last round completed." },
    FAILING: {
      description:
        "The last round failed (see lastError): the mirror keeps what earlier rounds wrote, and ages.",
    },
  },
});

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const MirrorStatusType = builder.objectRef<MirrorReport>("MirrorStatus").implement({
  description:
    "A live provider's mirror (MIRROR=on): its records kept in the store by sync rounds, read with @mirror(maxAgeSeconds:).",
  fields: (t) => ({
    state: t.field({
      type: MirrorSyncStateEnum,
      resolve: ({ state }) =>
        state?.syncedAt == null && !state?.lastError ? "WAITING" : state?.lastError ? "FAILING" : "SYNCED",
    }),
    syncedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When the last completed round began: the mirror holds every change made before.",
      resolve: ({ state }) => isoOrNull(state?.syncedAt ?? null),
    }),
    lagSeconds: t.int({
      nullable: true,
      description: "Seconds since syncedAt: how stale a mirror read is at most, now.",
      resolve: ({ state }) =>
        state?.syncedAt == null ? null : Math.max(0, Math.floor((Date.now() - state.syncedAt) / 1000)),
    }),
    lastAttemptAt: t.field({
      type: "DateTime",
      nullable: true,
      resolve: ({ state }) => isoOrNull(state?.attemptedAt ?? null),
    }),
    lastSweepAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When the last full listing began (the one that sees deletions).",
      resolve: ({ state }) => isoOrNull(state?.sweptAt ?? null),
    }),
    lastError: t.string({ nullable: true, resolve: ({ state }) => state?.lastError ?? null }),
    consecutiveFailures: t.int({ resolve: ({ state }) => state?.failures ?? 0 }),
    records: t.int({
      description: "The provider's records the mirror holds.",
      resolve: ({ state }) => state?.records ?? 0,
    }),
    intervalSeconds: t.exposeInt("intervalSeconds", { description: "MIRROR_INTERVAL_S." }),
    syncingHere: t.exposeBoolean("syncing", {
      description: "Whether this instance holds the sync lease (one instance syncs at a time).",
    }),
  }),
});

const ProviderStatusType = builder.objectRef<ProviderStatus>("ProviderStatus").implement({
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, resolve: (status) => status.provider }),
    backend: t.field({ type: BackendEnum, resolve: (status) => status.backend }),
    healthy: t.exposeBoolean("healthy", {
      description: "Whether one cheap call to the backend just succeeded.",
    }),
    message: t.exposeString("message", { nullable: true, description: "Why it is not healthy." }),
    errorCode: t.exposeString("errorCode", {
      nullable: true,
      description: "The error code a query would get.",
    }),
    breaker: t.field({
      type: BreakerStateEnum,
      nullable: true,
      description: "A live provider's circuit breaker; null for the store.",
      resolve: (status) => status.protection?.breaker ?? null,
    }),
    rateBudget: t.field({
      type: RateBudgetType,
      nullable: true,
      description: "A live provider's rate budget; null for the store.",
      resolve: (status) => status.protection?.budget ?? null,
    }),
    mirror: t.field({
      type: MirrorStatusType,
      nullable: true,
      description: "A live provider's mirror; null when MIRROR is off or the store serves it.",
      resolve: (status) => status.mirror,
    }),
  }),
});

builder.queryField("providers", (t) =>
  t.field({
    type: [ProviderStatusType],
    description:
      "Which backend serves each provider, and whether it answers now (one probe each, in parallel).",
    resolve: (_root, _args, ctx) =>
      Promise.all(
        PROVIDERS.map(async (provider): Promise<ProviderStatus> => {
          const { backend, ping, protection, mirror } = ctx.sources.health[provider];
          const failure = await ping().then(
            () => null,
            (error: unknown) => error,
          );
          // Read after the probe, so the budget and breaker include it.
          const state = {
            provider,
            backend,
            protection: (await protection?.()) ?? null,
            mirror: mirror?.() ?? null,
          };
          if (failure === null) return { ...state, healthy: true, message: null, errorCode: null };
          const typed = toGraphQLError(failure);
          return {
            ...state,
            healthy: false,
            message: typed?.message ?? "the backend failed unexpectedly",
            errorCode: (typed?.extensions.code as string | undefined) ?? "INTERNAL_SERVER_ERROR",
          };
        }),
      ),
  }),
);
