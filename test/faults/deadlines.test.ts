import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { Provider } from "../../src/domain/common.ts";
import type { Gateway } from "../../src/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";
import {
  expectAlive,
  listed,
  onlyError,
  PROVIDERS,
  received,
  SEEDED_NAME,
  seeded,
  useFaultHarness,
} from "./harness.ts";

/**
 * What bounds the upstream work of one GraphQL request: its deadline (REQUEST_TIMEOUT_MS) ends a
 * read the provider is slow to answer, a client that goes away aborts the call in flight and
 * everything that would have followed it, and identical reads at the same moment share one call.
 */

const DEADLINE_MS = 300;
/** How long the fake holds each answer in the cancellation and dedup tests: far beyond what they wait. */
const LATENCY_MS = 400;

/**
 * A list whose records each need a call of their own once the page has come (FreeAgent's records
 * need none), and the path of that call.
 */
const LIST_THEN_MORE: Record<Provider, { query: string; followUp: RegExp | null }> = {
  PRODUCTIVE: {
    query: "{ companies(first: 5) { edges { node { name contactEntries(first: 5) { totalCount } } } } }",
    followUp: /^GET \/api\/v2\/contact_entries$/,
  },
  MONEYBIRD: {
    query: `{ contacts(filter: { providers: [MONEYBIRD] }, first: 5) { edges { node {
      ... on MoneybirdContact { additionalCharges { id } } } } } }`,
    followUp: /^GET \/api\/v2\/123\/contacts\/\d+\/additional_charges\.json$/,
  },
  FREEAGENT: {
    query: "{ contacts(filter: { providers: [FREEAGENT] }, first: 5) { edges { node { displayName } } } }",
    followUp: null,
  },
};

/** `query` sent as a client would, which gives up when `signal` aborts. */
const send = (gateway: Gateway, query: string, signal: AbortSignal) =>
  gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
    signal,
  });

describe("a request's deadline", () => {
  // Each attempt may take far longer than the deadline: what ends the read is the deadline.
  const harness = useFaultHarness({
    REQUEST_TIMEOUT_MS: String(DEADLINE_MS),
    UPSTREAM_TIMEOUT_MS: String(DEADLINE_MS * 10),
  });

  it.each(PROVIDERS)(
    "ends a $provider read that is slow to answer: UPSTREAM_TIMEOUT at about the deadline",
    async (under) => {
      const fake = await seeded(harness, under);
      fake.setLatency(DEADLINE_MS * 5);

      const started = performance.now();
      const result = await execute(harness.gateway(), under.list);
      const elapsed = performance.now() - started;

      expect(onlyError(result)).toEqual({ code: "UPSTREAM_TIMEOUT", provider: under.provider });
      expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
      expect(elapsed).toBeLessThan(DEADLINE_MS + 250);
      expect(received(fake)).toEqual([`GET ${under.listPath}`]);
      fake.setLatency(0);
      await expectAlive(harness.gateway());
      expect(listed(await executeOk(harness.gateway(), under.list))).toEqual([SEEDED_NAME]);
    },
  );
});

describe("a client that goes away", () => {
  const harness = useFaultHarness();

  it.each(PROVIDERS)(
    "stops its $provider work: the call in flight is aborted and nothing that would follow it is sent",
    async (under) => {
      const { query, followUp } = LIST_THEN_MORE[under.provider];
      const fake = await seeded(harness, under);
      fake.setLatency(LATENCY_MS);
      const client = new AbortController();

      const answer = send(harness.gateway(), query, client.signal);
      await sleep(LATENCY_MS / 4);
      client.abort();

      await expect(answer).rejects.toThrow(/abort/i);
      // Past the moment the page would have come, and its follow-up calls gone out.
      await sleep(LATENCY_MS * 1.5);
      expect(received(fake)).toEqual([`GET ${under.listPath}`]);
      const [call] = harness.events();
      expect(call).toMatchObject({ method: "GET", status: null, errorCode: "TIMEOUT" });
      expect(call?.durationMs).toBeLessThan(LATENCY_MS / 2);

      // The same query, not abandoned, does reach beyond the page.
      fake.setLatency(0);
      fake.clearRequests();
      await executeOk(harness.gateway(), query);
      expect(received(fake).slice(1)).toEqual(followUp ? [expect.stringMatching(followUp)] : []);
    },
  );
});

describe("identical reads at the same moment", () => {
  const harness = useFaultHarness();

  it.each(PROVIDERS)("share one $provider GET", async (under) => {
    const fake = await seeded(harness, under);
    fake.setLatency(LATENCY_MS / 2);

    const [first, second] = await Promise.all([
      executeOk(harness.gateway(), under.list),
      executeOk(harness.gateway(), under.list),
    ]);

    expect(listed(first)).toEqual([SEEDED_NAME]);
    expect(second).toEqual(first);
    expect(received(fake)).toEqual([`GET ${under.listPath}`]);
  });

  it.each(PROVIDERS)(
    "keep one $provider GET going while one of its clients is still waiting",
    async (under) => {
      const fake = await seeded(harness, under);
      fake.setLatency(LATENCY_MS / 2);
      const leaving = new AbortController();

      const abandoned = send(harness.gateway(), under.list, leaving.signal);
      const kept = executeOk(harness.gateway(), under.list);
      await sleep(LATENCY_MS / 8);
      leaving.abort();

      await expect(abandoned).rejects.toThrow(/abort/i);
      expect(listed(await kept)).toEqual([SEEDED_NAME]);
      expect(received(fake)).toEqual([`GET ${under.listPath}`]);
    },
  );
});
