import { MockAgent } from "undici";
import type { UpstreamRequestEvent, UpstreamSettings } from "../../src/http/upstream-client.ts";
import {
  encodeResponse,
  type FakeHandler,
  type FakeResponse,
  type ReceivedRequest,
  recordRequest,
  respond,
} from "./exchange.ts";
import { countInFlight } from "./in-flight.ts";

/** The upstream settings an adapter factory takes, and what the harness saw through them. */
export interface MockUpstream extends UpstreamSettings {
  /** Every request the adapter sent, in order. */
  sent: ReceivedRequest[];
  /** What the adapter's `onRequest` hook observed. */
  events: UpstreamRequestEvent[];
  /** The most requests that were in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/**
 * An undici MockAgent in front of `origin` for adapter unit tests: no real connection is allowed,
 * `handler` answers every request. Pass the result as the adapter factory's upstream settings.
 */
export function mockUpstream(origin: string, handler: FakeHandler): MockUpstream {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const sent: ReceivedRequest[] = [];
  const events: UpstreamRequestEvent[] = [];
  agent
    .get(origin)
    .intercept({ path: () => true, method: () => true })
    .reply((options) => {
      const request = recordRequest(
        options.method,
        options.path,
        Object.fromEntries(new Headers(options.headers as HeadersInit)),
        typeof options.body === "string" ? options.body : "",
      );
      sent.push(request);
      const response = respond(handler, request);
      const { headers, text } = encodeResponse(response);
      return { statusCode: response.status, data: text ?? "", responseOptions: { headers } };
    })
    .persist();
  const { dispatcher, maxInFlight } = countInFlight(agent);
  return {
    timeoutMs: 1_000,
    dispatcher,
    onRequest: (event) => events.push(event),
    sent,
    events,
    maxInFlight,
    close: () => agent.close(),
  };
}

/** A handler that gives `answers` to the requests one by one, in order. */
export function answerInOrder(...answers: FakeResponse[]): FakeHandler {
  return (request) => {
    const next = answers.shift();
    if (!next) throw new Error(`no answer left for ${request.method} ${request.path}`);
    return next;
  };
}
