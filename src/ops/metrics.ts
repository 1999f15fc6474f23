import type { Plugin } from "graphql-yoga";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { MetricsConfig } from "../config.ts";
import type { ProtectionStatus, UpstreamRequestObserver } from "../http/upstream-client.ts";
import type { MirrorState, Sources } from "../ports.ts";
import { bearerCredential, secretsEqual } from "../security/auth.ts";
import { pathTemplate } from "../security/redaction.ts";
import type { FinishedRequestObserver } from "./request-log.ts";

/**
 * The gateway's Prometheus metrics (docs/operations.md § Metrics), in a registry of its own (tests
 * open many gateways in one process). Labels stay bounded: operation names are capped, upstream
 * paths are templates, store statements are their kind.
 */
export interface GatewayMetrics {
  registry: Registry;
  observeRequest: FinishedRequestObserver;
  observeUpstream: UpstreamRequestObserver;
  observeStoreQuery(sql: string, durationMs: number): void;
  /** Adds the live providers' rate budgets and breakers, read at each scrape. */
  watchProviders(health: Sources["health"]): void;
}

export const METRICS_ENDPOINT = "/metrics";

/** Distinct operation names a registry labels; later ones are counted as "other". */
const MAX_OPERATION_NAMES = 100;
const MAX_OPERATION_NAME_LENGTH = 64;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const STATEMENT_KINDS = new Set(["select", "insert", "update", "delete"]);
/** The store answers in microseconds to milliseconds: prom-client's default buckets start at 5 ms. */
const STORE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const operationLabels = ["operation_name", "operation_type"] as const;
  const operationDuration = new Histogram({
    name: "gateway_graphql_operation_duration_seconds",
    help: "GraphQL requests from arrival to response, by operation; _count counts them",
    labelNames: operationLabels,
    registers,
  });
  const operationErrors = new Counter({
    name: "gateway_graphql_operation_errors_total",
    help: "GraphQL requests whose response held an error with this extensions.code",
    labelNames: [...operationLabels, "code"],
    registers,
  });
  const upstreamRequests = new Counter({
    name: "gateway_upstream_requests_total",
    help: "Upstream attempts (retries count), by provider, method, path template, status and outcome",
    labelNames: ["provider", "method", "path", "status", "outcome"],
    registers,
  });
  const upstreamDuration = new Histogram({
    name: "gateway_upstream_request_duration_seconds",
    help: "Upstream attempts from sending to the answer read",
    labelNames: ["provider", "method", "outcome"],
    registers,
  });
  const storeQueryDuration = new Histogram({
    name: "gateway_store_query_duration_seconds",
    help: "Statements the local store ran, by kind",
    labelNames: ["statement"],
    buckets: STORE_BUCKETS,
    registers,
  });

  const knownNames = new Set<string>();
  const operationName = (name: string | null): string => {
    if (name === null) return "anonymous";
    if (knownNames.has(name)) return name;
    if (!GRAPHQL_NAME.test(name) || name.length > MAX_OPERATION_NAME_LENGTH) return "other";
    if (knownNames.size >= MAX_OPERATION_NAMES) return "other";
    knownNames.add(name);
    return name;
  };

  return {
    registry,
    observeRequest(request) {
      const labels = {
        operation_name: operationName(request.operationName),
        operation_type: request.operationType ?? "none",
      };
      operationDuration.observe(labels, request.durationMs / 1000);
      for (const code of request.errorCodes) operationErrors.inc({ ...labels, code });
    },
    observeUpstream(event) {
      // A refusal the adapter answers itself (404, 422) is no error code, and no success either.
      const outcome =
        event.errorCode?.toLowerCase() ?? (event.status !== null && event.status >= 400 ? "rejected" : "ok");
      upstreamRequests.inc({
        provider: event.provider,
        method: event.method,
        path: pathTemplate(event.url),
        status: event.status === null ? "none" : String(event.status),
        outcome,
      });
      upstreamDuration.observe(
        { provider: event.provider, method: event.method, outcome },
        event.durationMs / 1000,
      );
    },
    observeStoreQuery(sql, durationMs) {
      const kind = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? "";
      storeQueryDuration.observe(
        { statement: STATEMENT_KINDS.has(kind) ? kind : "other" },
        durationMs / 1000,
      );
    },
    watchProviders(health) {
      const live = Object.entries(health).flatMap(([provider, { protection }]) =>
        protection ? [{ provider, protection }] : [],
      );
      const protections = () =>
        Promise.all(live.map(async ({ provider, protection }) => ({ provider, status: await protection() })));
      /** A gauge per live provider, set from its protection status when scraped. */
      const protectionGauge = (name: string, help: string, value: (status: ProtectionStatus) => number) =>
        new Gauge({
          name,
          help,
          labelNames: ["provider"],
          registers,
          async collect() {
            for (const { provider, status } of await protections()) this.set({ provider }, value(status));
          },
        });
      protectionGauge(
        "gateway_upstream_rate_budget_remaining",
        "Requests that may start now before one waits for the rate budget",
        (status) => status.budget.remaining,
      );
      protectionGauge(
        "gateway_upstream_rate_budget_waiting",
        "Requests of this instance waiting for the rate budget",
        (status) => status.budget.waiting,
      );
      protectionGauge(
        "gateway_upstream_rate_budget_paused_seconds",
        "Seconds left of a pause the provider asked for (a 429)",
        (status) => status.budget.pausedForSeconds,
      );
      const mirrors = Object.entries(health).flatMap(([provider, { mirror }]) =>
        mirror ? [{ provider, mirror }] : [],
      );
      /** A gauge per mirrored provider, read from the state this instance last read when scraped; unset while it never synced. */
      const mirrorGauge = (name: string, help: string, value: (state: MirrorState) => number | null) =>
        new Gauge({
          name,
          help,
          labelNames: ["provider"],
          registers,
          collect() {
            for (const { provider, mirror } of mirrors) {
              const { state } = mirror();
              const measured = state ? value(state) : null;
              if (measured !== null) this.set({ provider }, measured);
            }
          },
        });
      mirrorGauge(
        "gateway_mirror_lag_seconds",
        "Seconds since the mirror's last completed sync round began: how stale a mirror read is at most",
        (state) => (state.syncedAt === null ? null : (Date.now() - state.syncedAt) / 1000),
      );
      mirrorGauge(
        "gateway_mirror_records",
        "Records of the provider the mirror holds",
        (state) => state.records,
      );
      mirrorGauge(
        "gateway_mirror_failed_rounds",
        "Sync rounds of the provider failed in a row (0 once one completes)",
        (state) => state.failures,
      );
      new Gauge({
        name: "gateway_upstream_breaker_state",
        help: "The provider's circuit breaker: 1 for its current state, 0 for the others",
        labelNames: ["provider", "state"],
        registers,
        async collect() {
          for (const { provider, status } of await protections()) {
            for (const state of ["CLOSED", "OPEN", "HALF_OPEN"] as const) {
              this.set({ provider, state: state.toLowerCase() }, status.breaker === state ? 1 : 0);
            }
          }
        },
      });
    },
  };
}

/**
 * Process metrics (CPU, memory, event loop, GC) describe the process, not a gateway: collected once
 * per process, on the first scrape, and exposed beside each gateway's own.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Answers `GET /metrics` in `onRequest`, before authentication (like /health): to the bearer of
 * METRICS_TOKEN when one is set, else 401; when it is not served (see `MetricsConfig`), the path is
 * left to yoga, which answers 404.
 */
export function useMetricsEndpoint(registry: Registry, access: MetricsConfig): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_ENDPOINT || request.method !== "GET" || !access.served) return;
      if (access.token !== null) {
        const credential = bearerCredential(request);
        if (credential === null || !secretsEqual(credential, access.token)) {
          endResponse(
            new fetchAPI.Response("METRICS_TOKEN required: send Authorization: Bearer <METRICS_TOKEN>\n", {
              status: 401,
              headers: { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' },
            }),
          );
          return;
        }
      }
      const exposed = Registry.merge([registry, processMetrics()]);
      endResponse(
        new fetchAPI.Response(await exposed.metrics(), {
          headers: { "content-type": exposed.contentType, "cache-control": "no-store" },
        }),
      );
    },
  };
}
