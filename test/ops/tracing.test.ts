import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { type FaultHarness, openFaultHarness, PRODUCTIVE, seeded } from "../faults/harness.ts";
import { refusal } from "../support/config.ts";
import { quietLogger } from "../support/logging.ts";

/**
 * Tracing, with OTEL_EXPORTER_OTLP_ENDPOINT set: a server span per GraphQL request, continuing the
 * caller's `traceparent`, and under it a client span per upstream attempt, whose `traceparent`
 * reaches the upstream. The spans go to an in-memory exporter instead of the endpoint.
 */

const TRACED = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", UPSTREAM_TIMEOUT_MS: "5000" };
const LIST_COMPANIES = "query ListCompanies { companies(first: 5) { edges { node { name } } } }";
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID = "00f067aa0ba902b7";

let harness: (FaultHarness & { close(): Promise<void> }) | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A gateway over the fakes, and the spans it finished so far. */
async function openTraced(env: Record<string, string> = TRACED) {
  const exporter = new InMemorySpanExporter();
  const spanProcessor = new SimpleSpanProcessor(exporter);
  harness = await openFaultHarness(env, quietLogger, { spanProcessor });
  const fake = await seeded(harness, PRODUCTIVE);
  const finishedSpans = async (): Promise<ReadableSpan[]> => {
    await spanProcessor.forceFlush();
    return exporter.getFinishedSpans();
  };
  return { finishedSpans, fake, gateway: harness.gateway() };
}

function post(
  gateway: ReturnType<FaultHarness["gateway"]>,
  query: string,
  headers: Record<string, string> = {},
) {
  return gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query }),
  });
}

describe("tracing", () => {
  it("makes a span per operation, its upstream calls its children, and sends them traceparent", async () => {
    const { finishedSpans, fake, gateway } = await openTraced();
    expect((await post(gateway, LIST_COMPANIES)).status).toBe(200);
    const [received] = fake.requests;

    const spans = await finishedSpans();
    const operation = spans.find((span) => span.name === "graphql.query ListCompanies");
    expect(operation?.attributes).toMatchObject({
      "graphql.operation.name": "ListCompanies",
      "graphql.operation.type": "query",
      "http.response.status_code": 200,
    });
    expect(operation?.resource.attributes["service.name"]).toBe("contacts-gateway");
    const upstream = spans.filter(
      (span) => span.parentSpanContext?.spanId === operation?.spanContext().spanId,
    );
    expect(upstream.map((span) => span.name)).toEqual(["GET /api/v2/companies"]);
    expect(upstream[0]?.attributes["url.full"]).toBe(`${fake.origin}/api/v2/companies`);

    const [, traceId, parentId] =
      /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(received?.headers.traceparent)) ?? [];
    expect(traceId).toBe(operation?.spanContext().traceId);
    expect(parentId).toBe(upstream[0]?.spanContext().spanId);
  });

  it("continues the caller's trace from its traceparent, and records the error codes", async () => {
    const { finishedSpans, fake, gateway } = await openTraced({ ...TRACED, UPSTREAM_MAX_RETRIES: "0" });
    fake.failNext(PRODUCTIVE.status(503));
    await post(gateway, LIST_COMPANIES, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` });
    const [received] = fake.requests;

    const operation = (await finishedSpans()).find((span) => span.name === "graphql.query ListCompanies");
    expect(operation?.spanContext().traceId).toBe(TRACE_ID);
    expect(operation?.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(operation?.attributes["graphql.error.codes"]).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(operation?.status.code).toBe(2);
    expect(String(received?.headers.traceparent)).toContain(TRACE_ID);
  });

  it("is off without OTEL_EXPORTER_OTLP_ENDPOINT: no span, and no traceparent upstream", async () => {
    const { finishedSpans, fake, gateway } = await openTraced({ UPSTREAM_TIMEOUT_MS: "5000" });
    await post(gateway, LIST_COMPANIES, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` });
    expect(fake.requests[0]?.headers.traceparent).toBeUndefined();
    expect(await finishedSpans()).toEqual([]);
  });
});

describe("the tracing variables", () => {
  it("take an http(s) endpoint, and a service name that defaults to contacts-gateway", () => {
    expect(loadConfig({}).tracing).toBeNull();
    expect(loadConfig(TRACED).tracing).toEqual({
      endpoint: "http://127.0.0.1:4318",
      serviceName: "contacts-gateway",
    });
    expect(loadConfig({ ...TRACED, OTEL_SERVICE_NAME: "contacts-eu" }).tracing?.serviceName).toBe(
      "contacts-eu",
    );
    expect(refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }).message).toMatch(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
