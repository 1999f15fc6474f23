import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
} from "@opentelemetry/semantic-conventions";
import type { Plugin } from "graphql-yoga";
import { pathTemplate } from "../security/redaction.ts";
import type { FinishedRequestObserver } from "./request-log.ts";

/**
 * Opt-in OpenTelemetry tracing (docs/operations.md § Tracing). src/gateway.ts imports this module
 * only when OTEL_EXPORTER_OTLP_ENDPOINT is set, so that without it none of OpenTelemetry is loaded.
 * A span per GraphQL request, its parent the caller's `traceparent`, and under it undici's client
 * span per upstream attempt, whose `traceparent` the instrumentation adds to the upstream request.
 */
export interface Tracing {
  plugin: Plugin;
  /** Names the request's span by its operation, adds its outcome, and ends it. */
  observeRequest: FinishedRequestObserver;
  /** Stops tracing upstream calls and sends the spans still buffered. */
  close(): Promise<void>;
}

export interface TracingSettings {
  serviceName: string;
  /** Where finished spans go: the OTLP exporter's batch in production, an in-memory exporter in tests. */
  spanProcessor: SpanProcessor;
  /** The GraphQL endpoint: requests to other paths (/health, /metrics) get no span. */
  graphqlEndpoint: string;
}

/** Spans to `<endpoint>/v1/traces` (OTLP/HTTP), batched; OTEL_EXPORTER_OTLP_HEADERS and the like apply. */
export function otlpSpanProcessor(endpoint: string): SpanProcessor {
  return new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` }));
}

export function startTracing({ serviceName, spanProcessor, graphqlEndpoint }: TracingSettings): Tracing {
  registerPropagation();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [spanProcessor],
  });
  const tracer = provider.getTracer("contacts-gateway");
  const stopInstrumentation = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new UndiciInstrumentation({
        // Only calls made for a traced request: not the tests' own fetches, nor another library's.
        requireParentforSpans: true,
        // Ids and query strings (search terms) stay out of traces, as out of the log lines.
        startSpanHook: (request) => {
          const path = pathTemplate(request.path);
          return {
            [ATTR_URL_FULL]: `${request.origin}${path}`,
            [ATTR_URL_PATH]: path,
            [ATTR_URL_QUERY]: undefined,
            "url.template": path,
          };
        },
        requestHook: (span, request) => span.updateName(`${request.method} ${pathTemplate(request.path)}`),
      }),
    ],
  });

  return {
    plugin: {
      instrumentation: {
        request: ({ request }, handle) => {
          if (new URL(request.url).pathname !== graphqlEndpoint) return handle();
          const parent = propagation.extract(ROOT_CONTEXT, request.headers, HEADERS_GETTER);
          const span = tracer.startSpan("graphql", { kind: SpanKind.SERVER }, parent);
          return context.with(trace.setSpan(parent, span), handle);
        },
      },
    },
    observeRequest(request) {
      // Runs in the request's onResponse, inside the context the instrumentation above opened.
      const span = trace.getActiveSpan();
      if (!span) return;
      const { operationName: name, operationType: type, errorCodes } = request;
      span.updateName(type ? `graphql.${type}${name ? ` ${name}` : ""}` : "graphql");
      span.setAttributes({
        ...(name && { "graphql.operation.name": name }),
        ...(type && { "graphql.operation.type": type }),
        ...(errorCodes.length > 0 && { "graphql.error.codes": errorCodes }),
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: request.status,
      });
      if (errorCodes.length > 0 || request.status >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodes.join(", ") });
      }
      span.end();
    },
    async close() {
      stopInstrumentation();
      await provider.shutdown();
    },
  };
}

const HEADERS_GETTER = {
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
  keys: (headers: Headers) => [...headers.keys()],
};

/**
 * undici's instrumentation reads the OpenTelemetry API's globals: the context (to find the parent
 * span) and the propagator (to write `traceparent`). They are set once per process, with an empty
 * global tracer provider; each gateway's spans go through its own provider.
 */
let propagationRegistered = false;
function registerPropagation(): void {
  if (propagationRegistered) return;
  propagationRegistered = true;
  new NodeTracerProvider().register({ propagator: new W3CTraceContextPropagator() });
}
