import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { createSources } from "./backends.ts";
import type { Config } from "./config.ts";
import { createContext, type GatewayContext } from "./context.ts";
import { GRAPHIQL_EXAMPLE_QUERY } from "./graphiql-example.ts";
import { useGraphiQLPage } from "./graphiql-page.ts";
import { connectRedis } from "./http/redis.ts";
import { activeScope, requestScope, runInScope } from "./http/request-scope.ts";
import type { UpstreamSettings } from "./http/upstream-client.ts";
import { createLogger, type Logger } from "./ops/logger.ts";
import { createMetrics, useMetricsEndpoint } from "./ops/metrics.ts";
import { trackLastAttempts, useReadiness } from "./ops/readiness.ts";
import { requestIdOf } from "./ops/request-id.ts";
import { logRequest, useRequestObservers } from "./ops/request-log.ts";
import type { Tracing } from "./ops/tracing.ts";
import { observeUpstreamCalls } from "./ops/upstream-log.ts";
import type { Sources } from "./ports.ts";
import { toGraphQLError } from "./schema/errors.ts";
import { schema } from "./schema/index.ts";
import { mirrorMaxAgeOf } from "./schema/mirror.ts";
import { createAuthentication } from "./security/auth.ts";
import { corsForOrigins, useVaryOnOrigin } from "./security/cors.ts";
import { useErrorHygiene } from "./security/error-hygiene.ts";
import { useInputLimits } from "./security/input-limits.ts";
import { useConcealedSchema } from "./security/production.ts";
import { useQueryLimits } from "./security/query-limits.ts";
import { useJsonBodiesOnly } from "./security/request-parsing.ts";
import { useTrustedDocuments } from "./security/trusted-documents.ts";
import { unbatchedSources } from "./unbatched-sources.ts";

/** Yoga's default: where GraphQL requests arrive, and what the request log lines are about. */
const GRAPHQL_ENDPOINT = "/graphql";

export interface GatewayOptions {
  config: Config;
  /** Test hooks: count upstream requests, or inject an undici MockAgent. */
  upstream?: Pick<UpstreamSettings, "dispatcher" | "onRequest">;
  /** Where the gateway's log lines go; default JSON lines on stdout at LOG_LEVEL. Tests pass their own. */
  logger?: Logger;
  /** Where unexpected (masked) errors are reported, unwrapped; default the logger, with stack and request id. */
  logError?: (error: unknown) => void;
  /** Where operational warnings go (Redis unreachable, …); default the logger. */
  warn?: (message: string) => void;
  /** Test hook: with tracing configured, spans go here (an in-memory exporter's) instead of to OTLP. */
  spanProcessor?: SpanProcessor;
  /** Test hook: every store statement's SQL and duration, besides the metrics'. */
  onStoreQuery?: (sql: string, durationMs: number) => void;
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  sources: Sources;
  close(): Promise<void>;
}

/** The gateway without a port: what main.ts serves and what tests call through `yoga.fetch`. */
export async function createGateway({
  config,
  upstream,
  logger = createLogger(config),
  logError = (error) =>
    logger.error({ err: error, requestId: activeScope()?.requestId ?? null }, "unexpected error"),
  warn = (message) => logger.warn(message),
  spanProcessor,
  onStoreQuery,
}: GatewayOptions): Promise<Gateway> {
  const { redisUrl, ...protection } = config.upstream;
  const redis = redisUrl ? await connectRedis(redisUrl, warn) : null;
  const metrics = createMetrics();
  const lastAttempts = trackLastAttempts();
  const tracing = await startTracingIfConfigured(config, spanProcessor);
  const sourceSet = await createSources(
    config,
    {
      ...protection,
      redis,
      ...upstream,
      onRequest: observeUpstreamCalls(logger, [
        upstream?.onRequest,
        metrics.observeUpstream,
        lastAttempts.observe,
      ]),
    },
    onStoreQuery
      ? (sql, durationMs) => {
          metrics.observeStoreQuery(sql, durationMs);
          onStoreQuery(sql, durationMs);
        }
      : metrics.observeStoreQuery,
    warn,
  );
  metrics.watchProviders(sourceSet.sources.health);
  const sources = config.batching ? sourceSet.sources : unbatchedSources(sourceSet.sources);
  const authentication = createAuthentication(config.auth, warn);

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    context: ({ request }) => createContext(sources, authentication.viewerOf(request)),
    // Served by useGraphiQLPage below instead: compressed, cached, and its bundle loaded on first use.
    graphiql: false,
    landingPage: false,
    // Far below yoga's 25 MB: the body bounds the document and its variables (docs/production.md § Query limits).
    maxRequestBodySize: config.limits.maxRequestBytes,
    // No CORS headers but for the configured origins: browsers then keep other sites' pages out.
    cors: corsForOrigins(config.corsOrigins),
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...args: unknown[]) => logger.warn(args.map(String).join(" ")),
      // Yoga reports every error; typed ones and GraphQL's own (bad input) are answers, not incidents.
      error: (...args: unknown[]) => {
        const unexpected = args
          .map(unwrap)
          .filter((arg) => !(arg instanceof Error && (toGraphQLError(arg) || isGraphQLError(arg))));
        if (!unexpected.some((arg) => arg instanceof Error)) return;
        for (const arg of unexpected) logError(arg);
      },
    },
    healthCheckEndpoint: "/health",
    maskedErrors: {
      maskError: (error, message) => {
        const path = isGraphQLError(error) ? error.path : undefined;
        const original = isGraphQLError(error) ? (error.originalError ?? error) : error;
        const typed = toGraphQLError(original, { path });
        if (typed) return typed;
        // GraphQL's own errors (syntax, validation, variable coercion) are the client's to see.
        if (isGraphQLError(original)) return original;
        return new GraphQLError(message, { path, extensions: { code: "INTERNAL_SERVER_ERROR" } });
      },
    },
    plugins: [
      ...(tracing ? [tracing.plugin] : []),
      useMetricsEndpoint(metrics.registry, config.metrics),
      useReadiness(sourceSet.sources.health, lastAttempts, config.upstream.breakerCooldownMs),
      // First, where yoga's own GraphiQL ran: the page's request meets no GraphQL request handling.
      // Its assets come from the gateway itself, not a CDN: it works offline and under a strict CSP.
      ...(config.graphiql
        ? [
            useGraphiQLPage({
              endpoint: GRAPHQL_ENDPOINT,
              options: {
                title: "Contacts gateway",
                defaultQuery: GRAPHIQL_EXAMPLE_QUERY,
                ...authentication.graphiql,
              },
            }),
          ]
        : []),
      useJsonBodiesOnly(),
      useVaryOnOrigin(config.corsOrigins),
      useErrorHygiene(),
      authentication.plugin,
      useTrustedDocuments(config.trustedDocuments),
      ...(config.introspection ? [] : useConcealedSchema()),
      ...useQueryLimits(config.limits),
      useInputLimits(config.limits),
      // A client that goes away stops its execution, and (through the request scope) its upstream work.
      useExecutionCancellation(),
      useRequestScope(config.requestTimeoutMs),
      useRequestObservers(GRAPHQL_ENDPOINT, [
        logRequest(logger),
        metrics.observeRequest,
        ...(tracing ? [tracing.observeRequest] : []),
      ]),
      usePartialErrors(),
      useMirrorReads(),
    ],
  });

  return {
    yoga,
    sources,
    async close() {
      await sourceSet.close();
      redis?.disconnect();
      await tracing?.close();
    },
  };
}

/** Tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set; imported only then, so that it costs nothing otherwise. */
async function startTracingIfConfigured(
  config: Config,
  spanProcessor: SpanProcessor | undefined,
): Promise<Tracing | null> {
  if (!config.tracing) return null;
  const { otlpSpanProcessor, startTracing } = await import("./ops/tracing.ts");
  return startTracing({
    serviceName: config.tracing.serviceName,
    spanProcessor: spanProcessor ?? otlpSpanProcessor(config.tracing.endpoint),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
  });
}

/** The error a resolver threw, out of the GraphQLError the executor wrapped it in. */
function unwrap(arg: unknown): unknown {
  return isGraphQLError(arg) && arg.originalError ? arg.originalError : arg;
}

/**
 * Whether `error` is one of GraphQL's errors, whichever build of `graphql` made it: the executor
 * loads graphql's CommonJS build while a bundler or test runner may give this module the ESM one,
 * and then `instanceof GraphQLError` is false for the executor's errors.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === "GraphQLError";
}

/**
 * Runs each request in a request scope: one deadline for all the upstream work it causes, ended
 * early when the client disconnects, and its id (see src/http/request-scope.ts). The whole request
 * runs in it, not just its execution, so that its log line and the report of an unexpected error
 * (made when yoga masks it, after execution) find its id too.
 */
function useRequestScope(timeoutMs: number): Plugin<GatewayContext> {
  return {
    instrumentation: {
      request: ({ request }, handle) =>
        runInScope(requestScope(timeoutMs, request.signal, requestIdOf(request)), handle),
    },
  };
}

/**
 * A client that goes away stops its execution (and, through the request scope, its upstream work).
 * Yoga's own useExecutionCancellation hands the executor the request's signal, a Proxy whose every
 * property read the executor pays at each field; a native signal that follows it costs a plain read.
 */
function useExecutionCancellation(): Plugin<GatewayContext> {
  const clientSignalOf = (args: { contextValue: unknown }) =>
    (args.contextValue as { request?: Request }).request?.signal;
  return {
    onExecute({ args }) {
      const clientSignal = clientSignalOf(args);
      if (!clientSignal) return;
      const execution = new AbortController();
      const abort = () => execution.abort(clientSignal.reason);
      if (clientSignal.aborted) abort();
      else clientSignal.addEventListener("abort", abort, { once: true });
      (args as { signal?: AbortSignal }).signal = execution.signal;
      // A signal that outlives the request (one a caller of yoga.fetch reuses) keeps no listener per request.
      return { onExecuteDone: () => clientSignal.removeEventListener("abort", abort) };
    },
    // A subscription's stream outlives its execution: it follows the request's own signal, as yoga's does.
    onSubscribe({ args }) {
      (args as { signal?: AbortSignal }).signal = clientSignalOf(args);
    },
  };
}

/**
 * Applies the operation's `@mirror(maxAgeSeconds:)` to its request scope (the mirrored ports read
 * it there), and tells in `extensions.mirror` which providers the mirror served and when each was
 * synced.
 */
function useMirrorReads(): Plugin<GatewayContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let maxAge: number | null;
      try {
        maxAge = mirrorMaxAgeOf(args.document, args.operationName, args.variableValues);
      } catch (error) {
        setResultAndStopExecution({ errors: [error as GraphQLError] });
        return;
      }
      const scope = activeScope();
      if (maxAge === null || !scope) return;
      scope.mirrorMaxAgeSeconds = maxAge;
      return {
        onExecuteDone: ({ result, setResult }) => {
          if (Symbol.asyncIterator in result) return;
          const mirror = { maxAgeSeconds: maxAge, syncedAt: Object.fromEntries(scope.mirrorReads) };
          setResult({ ...result, extensions: { ...result.extensions, mirror } });
        },
      };
    },
  };
}

/** Adds the provider failures a field survived (see GatewayContext.partialErrors) to `errors`. */
function usePartialErrors(): Plugin<GatewayContext> {
  return {
    onExecute: () => ({
      onExecuteDone: ({ args, result, setResult }) => {
        const partial = (args.contextValue as GatewayContext).partialErrors;
        if (partial.length === 0 || Symbol.asyncIterator in result) return;
        setResult({ ...result, errors: [...(result.errors ?? []), ...partial] });
      },
    }),
  };
}
