import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Provider } from "../../src/domain/common.ts";
import type { Gateway } from "../../src/gateway.ts";
import { maxInWindow } from "../fakes/meter.ts";
import { type FaultHarness, openFaultHarness, useFaultHarness } from "../faults/harness.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";
import { createTestDatabase } from "../support/postgres-databases.ts";
import { clientRequestsSince, requestCounts, upstreamOf } from "./upstream.ts";

/**
 * The mirror against the three fakes, every provider live, rounds every second: what the sync
 * brings, how reads choose the mirror, and what a write does to it. Waits are bounded by rounds
 * (two intervals, as the issue allows), never by timings of the machine.
 */

const INTERVAL_S = 1;
const MIRROR_ENV = {
  MIRROR: "on",
  MIRROR_INTERVAL_S: String(INTERVAL_S),
  MIRROR_SWEEP_INTERVAL_S: String(INTERVAL_S),
};
const LOAD_SLACK_MS = 5000;
const PROVIDERS: Provider[] = ["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"];

// biome-ignore lint/suspicious/noExplicitAny: each query reads the shape it selects
type Data = any;

const MIRROR_STATES = `{ providers { provider mirror { state syncedAt records lastError syncingHere } } }`;

async function mirrorStates(gateway: Gateway): Promise<Record<string, Data>> {
  const { providers } = await executeOk(gateway, MIRROR_STATES);
  return Object.fromEntries(providers.map((status: Data) => [status.provider, status.mirror]));
}

/** Polls `check` until it passes, for at most `rounds` sync intervals after the one in progress (and a slack for a loaded machine). */
async function withinRounds(rounds: number, check: () => Promise<void>): Promise<void> {
  // The rounds counted are the check's (syncedSince: a round begun after the change); the slack is for a loaded machine.
  const deadline = Date.now() + (rounds + 1) * INTERVAL_S * 1000 + LOAD_SLACK_MS;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/** Until every provider's mirror has completed a round since `after` (epoch ms). */
async function syncedSince(gateway: Gateway, after: number, rounds = 2): Promise<void> {
  await withinRounds(rounds, async () => {
    const states = await mirrorStates(gateway);
    for (const provider of PROVIDERS) {
      expect(states[provider], provider).toMatchObject({ state: "SYNCED" });
      expect(Date.parse(states[provider].syncedAt)).toBeGreaterThan(after);
    }
  });
}

const MIRRORED_READ = `query Mirrored @mirror(maxAgeSeconds: 60) {
  companies(first: 50) { edges { node { id name vat } } }
  contacts(first: 50) {
    edges { node { __typename id ... on MoneybirdContact { companyName } ... on FreeAgentContact { displayName email } } }
  }
}`;

/** Seeds each fake with a record or two before the gateway's first round. */
function seedFakes(harness: FaultHarness) {
  const fakes = harness.fakes();
  const company = fakes.PRODUCTIVE.addCompany({ name: "Acme Mirror", vat: "NL001" });
  const entry = fakes.PRODUCTIVE.addContactEntry(company.id, { email: "desk@acme.test" });
  const freeAgentId = fakes.FREEAGENT.seed({
    organisation_name: "Free Mirror Ltd",
    email: "free@mirror.test",
  });
  return { companyId: company.id, entryId: entry.id, freeAgentId };
}

describe("the mirror's sync", () => {
  const harness = useFaultHarness(MIRROR_ENV);

  it("brings every provider's records in the first round; @mirror reads then make no upstream call and say when each provider was synced", async () => {
    const upstream = upstreamOf(harness.fakes());
    seedFakes(harness);
    await upstream.createMoneybirdContact({ company_name: "Bird Mirror BV", city: "Utrecht" });
    await syncedSince(harness.gateway(), Date.now());

    const before = requestCounts(harness);
    const response = await harness.gateway().yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: MIRRORED_READ }),
    });
    const body = (await response.json()) as Data;
    expect(body.errors).toBeUndefined();
    expect(body.data.companies.edges.map((edge: Data) => edge.node.name)).toEqual(["Acme Mirror"]);
    expect(
      body.data.contacts.edges.map((edge: Data) => edge.node.companyName ?? edge.node.displayName),
    ).toEqual(["Bird Mirror BV", "Free Mirror Ltd"]);
    expect(Object.keys(body.extensions.mirror.syncedAt).sort()).toEqual([
      "FREEAGENT",
      "MONEYBIRD",
      "PRODUCTIVE",
    ]);
    expect(body.extensions.mirror.maxAgeSeconds).toBe(60);
    // Rounds may run meanwhile (their requests are named mirror-…); the query itself sent none.
    expect(clientRequestsSince(harness, before)).toEqual([]);

    const metrics = await (await harness.gateway().yoga.fetch("http://gateway/metrics")).text();
    expect(metrics).toContain('gateway_mirror_records{provider="MONEYBIRD"} 1');
    expect(metrics).toContain('gateway_mirror_failed_rounds{provider="PRODUCTIVE"} 0');
    expect(metrics).toMatch(/gateway_mirror_lag_seconds\{provider="FREEAGENT"\} \d/);
  });
});

const SEARCH = `query ($q: String!) { search(query: $q, first: 10) {
  searchedProviders
  edges { node { __typename ... on Company { name } ... on MoneybirdContact { companyName } ... on FreeAgentContact { displayName } } }
} }`;
const CHANGES = `{ changes(first: 100) { edges { node { kind provider typename nodeId } } } }`;

/** Creates, updates and deletions made at each fake reach the mirror, search and the change feed within two intervals. */
async function upstreamChangesAppear(harness: FaultHarness): Promise<void> {
  const fakes = harness.fakes();
  const upstream = upstreamOf(fakes);
  const { companyId, entryId, freeAgentId } = seedFakes(harness);
  const kept = await upstream.createMoneybirdContact({ company_name: "Bird Kept BV" });
  const doomed = await upstream.createMoneybirdContact({ company_name: "Bird Doomed BV" });
  const doomedFreeAgent = fakes.FREEAGENT.seed({ organisation_name: "Free Doomed Ltd" });
  await syncedSince(harness.gateway(), Date.now());

  await upstream.updateCompany(companyId, { name: "Acme Renamed" });
  await upstream.deleteContactEntry(entryId);
  fakes.PRODUCTIVE.addCompany({ name: "Newco Mirror" });
  await upstream.updateMoneybirdContact(kept, { company_name: "Bird Renamed BV" });
  await upstream.deleteMoneybirdContact(doomed);
  await upstream.createMoneybirdContact({ company_name: "Bird Newborn BV" });
  await upstream.updateFreeAgentContact(freeAgentId, { organisation_name: "Free Renamed Ltd" });
  await upstream.deleteFreeAgentContact(doomedFreeAgent);
  fakes.FREEAGENT.seed({ organisation_name: "Free Newborn Ltd" });
  await syncedSince(harness.gateway(), Date.now());

  const data = await executeOk(harness.gateway(), MIRRORED_READ);
  expect(data.companies.edges.map((edge: Data) => edge.node.name).sort()).toEqual([
    "Acme Renamed",
    "Newco Mirror",
  ]);
  expect(
    data.contacts.edges.map((edge: Data) => edge.node.companyName ?? edge.node.displayName).sort(),
  ).toEqual(["Bird Newborn BV", "Bird Renamed BV", "Free Newborn Ltd", "Free Renamed Ltd"]);
  const entries = await executeOk(
    harness.gateway(),
    `query @mirror(maxAgeSeconds: 60) { contactEntries(first: 10) { edges { node { id } } } }`,
  );
  expect(entries.contactEntries.edges).toEqual([]);

  const found = async (query: string) =>
    (await executeOk(harness.gateway(), SEARCH, { q: query })).search.edges.map(
      (edge: Data) => edge.node.name ?? edge.node.companyName ?? edge.node.displayName,
    );
  expect((await executeOk(harness.gateway(), SEARCH, { q: "renamed" })).search.searchedProviders).toEqual(
    PROVIDERS,
  );
  expect((await found("renamed")).sort()).toEqual(["Acme Renamed", "Bird Renamed BV", "Free Renamed Ltd"]);
  expect(await found("doomed")).toEqual([]);

  const changes = (await executeOk(harness.gateway(), CHANGES)).changes.edges.map((edge: Data) => edge.node);
  const seen = (kind: string, typename: string) =>
    changes.filter((change: Data) => change.kind === kind && change.typename === typename).length;
  expect(seen("UPDATED", "Company")).toBeGreaterThanOrEqual(1);
  expect(seen("DELETED", "ContactEntry")).toBeGreaterThanOrEqual(1);
  expect(seen("DELETED", "MoneybirdContact")).toBeGreaterThanOrEqual(1);
  expect(seen("UPDATED", "MoneybirdContact")).toBeGreaterThanOrEqual(1);
  expect(seen("UPDATED", "FreeAgentContact")).toBeGreaterThanOrEqual(1);
  expect(seen("DELETED", "FreeAgentContact")).toBeGreaterThanOrEqual(1);
  // Three creates of the first round, three after (a contact entry was the first round's too).
  expect(seen("CREATED", "Company")).toBe(2);
  expect(seen("CREATED", "MoneybirdContact")).toBe(3);
  expect(seen("CREATED", "FreeAgentContact")).toBe(3);
  expect(fakes.MONEYBIRD.violations).toEqual([]);
}

describe("changes made upstream", () => {
  const harness = useFaultHarness(MIRROR_ENV);

  it("appear in the mirror, in search and in the change feed within two intervals: creates, updates and deletions of each provider", () =>
    upstreamChangesAppear(harness));

  it("a read allowed older data than the mirror has goes live, and the response names no provider as mirrored", async () => {
    seedFakes(harness);
    await syncedSince(harness.gateway(), Date.now());
    const before = requestCounts(harness);
    const response = await harness.gateway().yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: MIRRORED_READ.replace("maxAgeSeconds: 60", "maxAgeSeconds: 0") }),
    });
    const body = (await response.json()) as Data;
    expect(body.data.companies.edges.map((edge: Data) => edge.node.name)).toEqual(["Acme Mirror"]);
    expect(body.extensions.mirror).toEqual({ maxAgeSeconds: 0, syncedAt: {} });
    expect(clientRequestsSince(harness, before).length).toBeGreaterThanOrEqual(3);
  });

  it("follows customer ids and domains that moved from one record to another upstream (unique in the store)", async () => {
    const fakes = harness.fakes();
    const upstream = upstreamOf(fakes);
    const first = await upstream.createMoneybirdContact({ company_name: "First BV", customer_id: "C-1" });
    const second = await upstream.createMoneybirdContact({ company_name: "Second BV", customer_id: "C-2" });
    const one = fakes.PRODUCTIVE.addCompany({ name: "One Co", domain: "one.test" });
    const two = fakes.PRODUCTIVE.addCompany({ name: "Two Co", domain: "two.test" });
    await syncedSince(harness.gateway(), Date.now());
    // Each record listed first takes the id or domain of one listed after it, which still holds it in the store.
    await upstream.updateMoneybirdContact(second, { customer_id: "C-9" });
    await upstream.updateMoneybirdContact(first, { customer_id: "C-2" });
    await upstream.updateCompany(two.id, { domain: "four.test" });
    await upstream.updateCompany(one.id, { domain: "two.test" });
    await syncedSince(harness.gateway(), Date.now());
    const data = await executeOk(
      harness.gateway(),
      `query @mirror(maxAgeSeconds: 60) {
        c2: contactByCustomerId(customerId: "C-2") { companyName }
        c9: contactByCustomerId(customerId: "C-9") { companyName }
        companies(first: 10, orderBy: { field: NAME, direction: ASC }) { edges { node { name domain } } }
      }`,
    );
    expect(data).toEqual({
      c2: { companyName: "First BV" },
      c9: { companyName: "Second BV" },
      companies: {
        edges: [
          { node: { name: "One Co", domain: "two.test" } },
          { node: { name: "Two Co", domain: "four.test" } },
        ],
      },
    });
  });

  it("orders contacts across providers from the mirror, and refuses to without @mirror", async () => {
    const upstream = upstreamOf(harness.fakes());
    harness.fakes().FREEAGENT.seed({ organisation_name: "Beta Free Ltd" });
    harness.fakes().FREEAGENT.seed({ organisation_name: "Delta Free Ltd" });
    await upstream.createMoneybirdContact({ company_name: "Alpha Bird BV" });
    await upstream.createMoneybirdContact({ company_name: "Charlie Bird BV" });
    await syncedSince(harness.gateway(), Date.now());
    const ordered = `contacts(first: 10, orderBy: { field: NAME, direction: ASC }) { edges { node { displayName } } }`;
    const data = await executeOk(harness.gateway(), `query @mirror(maxAgeSeconds: 60) { ${ordered} }`);
    expect(data.contacts.edges.map((edge: Data) => edge.node.displayName)).toEqual([
      "Alpha Bird BV",
      "Beta Free Ltd",
      "Charlie Bird BV",
      "Delta Free Ltd",
    ]);
    const live = await execute(harness.gateway(), `{ ${ordered} }`);
    expect(live.errors).toMatchObject([{ extensions: { code: "BAD_USER_INPUT" } }]);
  });

  it("refuses a negative maxAgeSeconds as the client's error", async () => {
    const response = await harness.gateway().yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query @mirror(maxAgeSeconds: -1) { companies { totalCount } }" }),
    });
    const body = (await response.json()) as Data;
    expect(body.data).toBeUndefined();
    expect(body.errors).toMatchObject([{ extensions: { code: "BAD_USER_INPUT" } }]);
  });
});

describe("between rounds", () => {
  // One round at start-up, the next an hour later: whatever the mirror gains meanwhile, a write brought it.
  const harness = useFaultHarness({
    ...MIRROR_ENV,
    MIRROR_INTERVAL_S: "3600",
    MIRROR_SWEEP_INTERVAL_S: "3600",
  });

  it("a write through the gateway is in the mirror at once, with the provider's answer", async () => {
    await withinRounds(3, async () => {
      const states = await mirrorStates(harness.gateway());
      for (const provider of PROVIDERS) expect(states[provider]).toMatchObject({ state: "SYNCED" });
    });
    const created = await executeOk(
      harness.gateway(),
      `mutation { mb: createContact(input: { provider: MONEYBIRD, companyName: "Written BV" }) { __typename ... on CreateContactSuccess { contactId } }
        co: createCompany(input: { name: "Written Co" }) { __typename ... on CreateCompanySuccess { companyId } } }`,
    );
    expect(created.mb.__typename).toBe("CreateContactSuccess");
    expect(created.co.__typename).toBe("CreateCompanySuccess");
    await executeOk(
      harness.gateway(),
      `mutation ($id: ID!) { updateCompany(input: { id: $id, name: "Rewritten Co" }) { __typename } }`,
      { id: created.co.companyId },
    );
    const before = requestCounts(harness);
    const data = await executeOk(harness.gateway(), MIRRORED_READ);
    expect(data.companies.edges.map((edge: Data) => edge.node.name)).toEqual(["Rewritten Co"]);
    expect(data.contacts.edges.map((edge: Data) => edge.node.companyName)).toEqual(["Written BV"]);
    // By id too: Moneybird's ids are beyond 2^53, and the mirror keys them exactly.
    const byId = await executeOk(
      harness.gateway(),
      `query ($id: ID!) @mirror(maxAgeSeconds: 60) { node(id: $id) { ... on MoneybirdContact { id companyName } } }`,
      { id: created.mb.contactId },
    );
    expect(byId.node).toEqual({ id: created.mb.contactId, companyName: "Written BV" });
    expect(clientRequestsSince(harness, before)).toEqual([]);
  });
});

describe("FreeAgent between sweeps", () => {
  const harness = useFaultHarness({ ...MIRROR_ENV, MIRROR_SWEEP_INTERVAL_S: "3600" });

  it("reads only the contacts updated since the last round (updated_since), and still sees an update within two intervals", async () => {
    const id = harness.fakes().FREEAGENT.seed({ organisation_name: "Free Before Ltd" });
    // The first round is the sweep (the gateway began before the seed); wait for one that sees the contact.
    await withinRounds(3, async () => {
      const data = await executeOk(harness.gateway(), MIRRORED_READ);
      expect(data.contacts.edges.map((edge: Data) => edge.node.displayName)).toEqual(["Free Before Ltd"]);
    });
    await upstreamOf(harness.fakes()).updateFreeAgentContact(id, { organisation_name: "Free After Ltd" });
    await withinRounds(2, async () => {
      const data = await executeOk(harness.gateway(), MIRRORED_READ);
      expect(data.contacts.edges.map((edge: Data) => edge.node.displayName)).toEqual(["Free After Ltd"]);
    });
    const syncLists = harness
      .fakes()
      .FREEAGENT.requests.filter((request) => String(request.headers["x-request-id"]).startsWith("mirror-"));
    expect(syncLists.length).toBeGreaterThan(1);
    expect(syncLists[0]?.query.get("updated_since")).toBeNull();
    expect(syncLists.slice(1).every((request) => request.query.get("updated_since") !== null)).toBe(true);
  });
});

describe("the budget share", () => {
  it("is never exceeded, measured at the fake per rate window, while clients' reads are answered at once", async ({
    onTestFinished,
  }) => {
    // 24 requests per 2 s: the sync may spend a quarter, 6 in any 2 s; 1000 contacts are 10 pages.
    const harness = await openFaultHarness(
      {
        ...MIRROR_ENV,
        MIRROR_INTERVAL_S: "3600",
        FREEAGENT_RATE_LIMITS: "24/2",
        // Pages of 100 contacts are over the fault tests' small cap.
        UPSTREAM_MAX_BODY_BYTES: String(8 * 1024 * 1024),
        MIRROR_BUDGET_SHARE: "0.25",
      },
      quietLogger,
      {
        seed: (fakes) => {
          for (let i = 0; i < 1000; i++) fakes.FREEAGENT.seed({ organisation_name: `Budget ${i}` });
        },
      },
    );
    onTestFinished(() => harness.close());
    const fake = harness.fakes().FREEAGENT;
    const contactRequests = () => fake.requests.filter((request) => request.path.startsWith("/v2/contacts"));
    const syncRequests = () =>
      contactRequests().filter((request) => String(request.headers["x-request-id"]).startsWith("mirror-"));
    // Clients read (live) while the round runs: each is answered, none waits for the sync's share.
    const answered: number[] = [];
    while (syncRequests().length < 10) {
      const started = Date.now();
      const data = await executeOk(
        harness.gateway(),
        `{ contacts(first: 5, filter: { providers: [FREEAGENT] }) { edges { node { id } } } }`,
      );
      expect(data.contacts.edges).toHaveLength(5);
      answered.push(Date.now() - started);
      await sleep(200);
    }
    await withinRounds(10, async () => {
      expect((await mirrorStates(harness.gateway())).FREEAGENT).toMatchObject({
        state: "SYNCED",
        records: 1000,
      });
    });
    expect(syncRequests()).toHaveLength(10);
    expect(maxInWindow(syncRequests(), 2000)).toBeLessThanOrEqual(6);
    expect(maxInWindow(contactRequests(), 2000)).toBeLessThanOrEqual(24);
    expect(answered.length).toBeGreaterThan(3);
  }, 40_000);
});

/** The `next` events' payloads of an SSE response, as they arrive. */
async function* sseEvents(response: Response): AsyncGenerator<Data> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
      const message = text.slice(0, end);
      text = text.slice(end + 2);
      if (/^event: next$/m.test(message)) yield JSON.parse(/^data: (.*)$/m.exec(message)?.[1] ?? "null");
    }
  }
}

describe("the changes subscription", () => {
  const harness = useFaultHarness(MIRROR_ENV);

  it("receives what the rounds bring from upstream, in order", { timeout: 20_000 }, async () => {
    const upstream = upstreamOf(harness.fakes());
    const abort = new AbortController();
    const response = await harness.gateway().yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: "subscription { changes { kind typename provider nodeId } }" }),
      signal: abort.signal,
    });
    const stream = sseEvents(response);
    const next = async () => (await stream.next()).value?.data?.changes;

    const id = await upstream.createMoneybirdContact({ company_name: "Streamed BV" });
    const created = await next();
    expect(created).toMatchObject({ kind: "CREATED", typename: "MoneybirdContact", provider: "MONEYBIRD" });
    await upstream.updateMoneybirdContact(id, { company_name: "Streamed Renamed BV" });
    expect(await next()).toEqual({ ...created, kind: "UPDATED" });
    await upstream.deleteMoneybirdContact(id);
    expect(await next()).toEqual({ ...created, kind: "DELETED" });
    abort.abort();
  });
});

describe("on a PostgreSQL store", () => {
  let harness: Awaited<ReturnType<typeof openFaultHarness>> | undefined;
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeEach(async () => {
    database = await createTestDatabase();
    harness = await openFaultHarness({ ...MIRROR_ENV, STORE_URL: database.url });
  });
  afterEach(async () => {
    await harness?.close();
    await database?.drop();
  });

  it("changes made upstream appear in the mirror, in search and in the change feed within two intervals", () =>
    upstreamChangesAppear(harness as FaultHarness));
});
