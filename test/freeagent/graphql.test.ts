import { createRequire } from "node:module";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createContext } from "../../src/context.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import type { UpstreamRequestEvent } from "../../src/http/upstream-client.ts";
import { schema } from "../../src/schema/index.ts";
import { FreeAgentContactNode } from "../../src/schema/refs.ts";
import { unreachedRateLimitsEnv } from "../fakes/exchange.ts";
import { type FakeFreeAgent, startFakeFreeAgent } from "../fakes/freeagent.ts";
import { type FakeMoneybird, startFakeMoneybird } from "../fakes/moneybird.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

/**
 * FreeAgent served live, through the whole gateway: the merged `contacts` connection across a live
 * Moneybird and a live FreeAgent (and with the store serving Moneybird), by-id batching, writes,
 * the token refresh, and the upstream requests each of them costs.
 */

// The schema is built by Pothos with graphql's CommonJS build, which is what Node loads for the
// packages in node_modules; the test runner would hand this file the ESM build, another realm.
const { graphql } = createRequire(import.meta.url)("graphql") as typeof import("graphql");

const MONEYBIRD_CONTACTS = 25;
const FREEAGENT_CONTACTS = 23;

const freeAgentEnv = (fake: FakeFreeAgent) => ({
  FREEAGENT_ACCESS_TOKEN: fake.config.accessToken,
  FREEAGENT_REFRESH_TOKEN: fake.config.refresh?.refreshToken,
  FREEAGENT_CLIENT_ID: fake.config.refresh?.clientId,
  FREEAGENT_CLIENT_SECRET: fake.config.refresh?.clientSecret,
  FREEAGENT_BASE_URL: fake.origin,
  FREEAGENT_RATE_LIMITS: unreachedRateLimitsEnv("FREEAGENT"),
});
const moneybirdEnv = (fake: FakeMoneybird) => ({
  MONEYBIRD_API_TOKEN: fake.config.apiToken,
  MONEYBIRD_ADMINISTRATION_ID: fake.config.administrationId,
  MONEYBIRD_BASE_URL: fake.origin,
  MONEYBIRD_RATE_LIMITS: unreachedRateLimitsEnv("MONEYBIRD"),
});

async function startGateway(env: Record<string, string | undefined>) {
  const events: UpstreamRequestEvent[] = [];
  const gateway = await createGateway({
    logger: quietLogger,
    config: loadConfig({ STORE_URL: ":memory:", ...env }),
    upstream: { onRequest: (event) => events.push(event) },
  });
  const requests = (provider: UpstreamRequestEvent["provider"]) =>
    events.filter((event) => event.provider === provider).map((event) => `${event.method} ${event.url}`);
  return { gateway, events, requests };
}

const CONTACTS = /* GraphQL */ `
  query Contacts($filter: ContactFilter, $first: Int, $after: String) {
    contacts(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id provider remoteId displayName } }
    }
  }
`;

interface Edge {
  cursor: string;
  node: { id: string; provider: string; remoteId: string; displayName: string };
}
interface ContactsPage {
  totalCount: number | null;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Edge[];
}

const decodeCursor = (cursor: string) => Buffer.from(cursor, "base64").toString("utf8");

/** Walks the merged connection to its end; checks cursors run provider by provider, offset by offset. */
async function walkContacts(gateway: Gateway, first: number, filter?: Record<string, unknown>) {
  const edges: Edge[] = [];
  const pages: ContactsPage[] = [];
  let after: string | null = null;
  do {
    const data: { contacts: ContactsPage } = await executeOk(gateway, CONTACTS, { filter, first, after });
    pages.push(data.contacts);
    edges.push(...data.contacts.edges);
    if (data.contacts.pageInfo.hasNextPage) expect(data.contacts.edges).toHaveLength(first);
    after = data.contacts.pageInfo.hasNextPage ? data.contacts.pageInfo.endCursor : null;
  } while (after);
  const offsets = new Map<string, number>();
  for (const { cursor, node } of edges) {
    const next = offsets.get(node.provider) ?? 0;
    expect(decodeCursor(cursor)).toBe(`contacts:${node.provider}:${next}`);
    offsets.set(node.provider, next + 1);
  }
  return { edges, pages };
}

describe("FreeAgent live in the gateway, beside a live Moneybird", () => {
  let moneybird: FakeMoneybird;
  let freeAgent: FakeFreeAgent;
  let live: Awaited<ReturnType<typeof startGateway>>;
  let moneybirdOrder: string[];
  let freeAgentOrder: string[];

  beforeAll(async () => {
    [moneybird, freeAgent] = await Promise.all([startFakeMoneybird(), startFakeFreeAgent()]);
    live = await startGateway({ ...moneybirdEnv(moneybird), ...freeAgentEnv(freeAgent) });
    for (let i = 0; i < MONEYBIRD_CONTACTS; i++) {
      await live.gateway.sources.moneybirdContacts.create({ companyName: `Moneybird ${i}` });
    }
    for (let i = 0; i < FREEAGENT_CONTACTS; i++) freeAgent.seed({ organisation_name: `FreeAgent ${i}` });
    const everyone = { offset: 0, limit: 100 };
    moneybirdOrder = (await live.gateway.sources.moneybirdContacts.list({}, everyone)).items.map((c) => c.id);
    freeAgentOrder = (await live.gateway.sources.freeAgentContacts.list({}, everyone)).items.map((c) => c.id);
  });

  afterAll(async () => {
    await live.gateway.close();
    await Promise.all([moneybird.close(), freeAgent.close()]);
  });

  beforeEach(() => {
    live.events.length = 0;
  });

  afterEach(() => {
    expect(moneybird.violations).toEqual([]);
  });

  it.each([20, 7, 48, 100])(
    "walks the merged connection in pages of %i: Moneybird's order, then FreeAgent's, no gaps, no duplicates",
    async (first) => {
      const { edges, pages } = await walkContacts(live.gateway, first);

      expect(edges.map((e) => `${e.node.provider}:${e.node.remoteId}`)).toEqual([
        ...moneybirdOrder.map((id) => `MONEYBIRD:${id}`),
        ...freeAgentOrder.map((id) => `FREEAGENT:${id}`),
      ]);
      expect(new Set(edges.map((e) => e.node.id)).size).toBe(MONEYBIRD_CONTACTS + FREEAGENT_CONTACTS);
      // Moneybird cannot count, so neither can the merged connection.
      expect(pages.map((page) => page.totalCount)).toEqual(pages.map(() => null));
    },
  );

  it("asks FreeAgent's first page alongside Moneybird's while its budget has room, and no page beyond", async () => {
    const first: { contacts: ContactsPage } = await executeOk(live.gateway, CONTACTS, { first: 20 });
    expect(first.contacts.edges.every((e) => e.node.provider === "MONEYBIRD")).toBe(true);
    // Asked ahead, unused (Moneybird filled the page): its answer is dropped when it comes.
    await vi.waitFor(() =>
      expect(live.requests("FREEAGENT")).toEqual(["GET /v2/contacts?page=1&per_page=20"]),
    );

    live.events.length = 0;
    const second: { contacts: ContactsPage } = await executeOk(live.gateway, CONTACTS, {
      first: 20,
      after: first.contacts.pageInfo.endCursor,
    });
    // The 5 Moneybird contacts left, then FreeAgent's first 15, from the one page asked ahead.
    expect(live.requests("FREEAGENT")).toEqual(["GET /v2/contacts?page=1&per_page=20"]);
    expect(second.contacts.edges.map((e) => e.node.remoteId)).toEqual([
      ...moneybirdOrder.slice(20),
      ...freeAgentOrder.slice(0, 15),
    ]);
    expect(second.contacts.pageInfo.hasNextPage).toBe(true);

    live.events.length = 0;
    const third: { contacts: ContactsPage } = await executeOk(live.gateway, CONTACTS, {
      first: 20,
      after: Buffer.from("contacts:FREEAGENT:14").toString("base64"),
    });
    // FreeAgent's contacts 15..34 are not a page of 20; one page of 35 holds them.
    expect(live.requests("FREEAGENT")).toEqual(["GET /v2/contacts?page=1&per_page=35"]);
    expect(live.requests("MONEYBIRD")).toEqual([]);
    expect(third.contacts.edges.map((e) => e.node.remoteId)).toEqual(freeAgentOrder.slice(15));
  });

  it("asks FreeAgent only after Moneybird, and for what the page still needs, while its budget is low", async () => {
    // 20 per minute leaves 6 at once: fewer than the reserve that asking ahead keeps.
    const lean = await startGateway({
      ...moneybirdEnv(moneybird),
      ...freeAgentEnv(freeAgent),
      FREEAGENT_RATE_LIMITS: "20/60",
    });
    try {
      const first: { contacts: ContactsPage } = await executeOk(lean.gateway, CONTACTS, { first: 20 });
      expect(lean.requests("FREEAGENT")).toEqual([]);

      await executeOk(lean.gateway, CONTACTS, { first: 20, after: first.contacts.pageInfo.endCursor });
      expect(lean.requests("FREEAGENT")).toEqual(["GET /v2/contacts?page=1&per_page=15"]);
    } finally {
      await lean.gateway.close();
    }
  });

  it("serves FreeAgent alone with its count, view and sort", async () => {
    const hidden = freeAgent.seed({ organisation_name: "Hidden one", status: "Hidden" });
    const filter = {
      providers: ["FREEAGENT"],
      freeAgentView: "HIDDEN",
      freeAgentSort: { field: "UPDATED_AT", direction: "DESC" },
    };

    const data: { contacts: ContactsPage } = await executeOk(live.gateway, CONTACTS, { filter, first: 10 });

    expect(data.contacts).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false } });
    expect(data.contacts.edges.map((e) => e.node.remoteId)).toEqual([hidden]);
    expect(live.requests("FREEAGENT")).toEqual([
      "GET /v2/contacts?view=hidden&sort=-updated_at&page=1&per_page=10",
    ]);
    const all: { contacts: ContactsPage } = await executeOk(live.gateway, CONTACTS, {
      filter: { providers: ["FREEAGENT"], includeArchived: true },
      first: 0,
    });
    expect(all.contacts.totalCount).toBe(FREEAGENT_CONTACTS + 1);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ freeAgentView: "ALL" }, "FreeAgent-only filter while Moneybird is selected"],
    [{ providers: ["FREEAGENT"], query: "Acme" }, "Moneybird-only filter while FreeAgent is selected"],
    [{ providers: ["FREEAGENT"], createdAfter: "2024-01-01T00:00:00Z" }, "Moneybird-only createdAfter"],
  ])("refuses %j with BAD_USER_INPUT before any upstream call (%s)", async (filter) => {
    const result = await execute(live.gateway, CONTACTS, { filter, first: 5 });

    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(live.events).toEqual([]);
  });

  it("loads nodes by id with one GET per distinct id, null for a missing one", async () => {
    const ids = [freeAgentOrder[0], freeAgentOrder[1], freeAgentOrder[0], "999999", freeAgentOrder[2]];
    const globalIds = ids.map((id) => Buffer.from(`FreeAgentContact:${id}`).toString("base64"));

    const result = await execute(
      live.gateway,
      "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on FreeAgentContact { remoteId } } }",
      {
        ids: globalIds,
      },
    );

    expect(result.data.nodes.map((node: { remoteId: string } | null) => node?.remoteId ?? null)).toEqual([
      ids[0],
      ids[1],
      ids[0],
      null,
      ids[4],
    ]);
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
    expect(live.requests("FREEAGENT").sort()).toEqual(
      [...new Set(ids)].map((id) => `GET /v2/contacts/${id}`).sort(),
    );
  });

  it("primes the by-id loader with list results: a contact seen in a list costs no further call", async () => {
    const context = createContext(live.gateway.sources);
    const listed = await graphql({
      schema,
      source: "{ contacts(filter: { providers: [FREEAGENT] }, first: 3) { edges { node { remoteId } } } }",
      contextValue: context,
    });
    const firstId = (listed.data as { contacts: { edges: { node: { remoteId: string } }[] } }).contacts
      .edges[0]?.node.remoteId;

    const loaded = await FreeAgentContactNode.getDataloader(context).load(firstId as string);

    expect(loaded.id).toBe(firstId);
    expect(live.requests("FREEAGENT")).toEqual(["GET /v2/contacts?page=1&per_page=3"]);
  });

  it("creates, updates, archives (hides) and deletes through FreeAgent with the documented calls", async () => {
    const created = await executeOk(
      live.gateway,
      `mutation { createContact(input: { provider: FREEAGENT, firstName: "Ann", lastName: "Lee", mobile: "0612" }) {
        __typename ... on CreateContactSuccess { contact { id remoteId displayName ... on FreeAgentContact { mobile status } } }
      } }`,
    );
    const contact = created.createContact.contact;
    expect(contact).toMatchObject({ displayName: "Ann Lee", mobile: "0612", status: "Active" });

    const updated = await executeOk(
      live.gateway,
      `mutation($id: ID!) { updateContact(input: { id: $id, mobile: null, email: "ann@example.com" }) {
        ... on UpdateContactSuccess { contact { email ... on FreeAgentContact { mobile } } }
      } }`,
      { id: contact.id },
    );
    expect(updated.updateContact.contact).toEqual({ email: "ann@example.com", mobile: null });

    const archived = await executeOk(
      live.gateway,
      `mutation($id: ID!) { archiveContact(id: $id) { ... on ArchiveContactSuccess { contact { archived } } } }`,
      { id: contact.id },
    );
    expect(archived.archiveContact.contact).toEqual({ archived: true });

    const deleted = await executeOk(
      live.gateway,
      `mutation($id: ID!) { deleteContact(id: $id) { ... on DeleteContactSuccess { deletedId archived } } }`,
      { id: contact.id },
    );
    expect(deleted.deleteContact).toEqual({ deletedId: contact.id, archived: false });
    expect(live.requests("FREEAGENT")).toEqual([
      "POST /v2/contacts",
      `PUT /v2/contacts/${contact.remoteId}`,
      `GET /v2/contacts/${contact.remoteId}`,
      `PUT /v2/contacts/${contact.remoteId}`,
      `GET /v2/contacts/${contact.remoteId}`,
      `DELETE /v2/contacts/${contact.remoteId}`,
    ]);
    expect(freeAgent.contactRequests().find((r) => r.method === "PUT")?.body).toEqual({
      contact: { email: "ann@example.com", mobile: null },
    });
  });

  it("answers FreeAgent's validation failure as a ValidationError on the input, in either error shape", async () => {
    for (const shape of ["array", "object"] as const) {
      freeAgent.setErrorShape(shape);
      const result = await executeOk(
        live.gateway,
        `mutation { createContact(input: { provider: FREEAGENT, firstName: "Ann" }) {
          __typename ... on ValidationError { fieldErrors { path message } }
        } }`,
      );
      expect(result.createContact).toEqual({
        __typename: "ValidationError",
        fieldErrors: [{ path: ["input", "lastName"], message: "Last name can't be blank" }],
      });
    }
    freeAgent.setErrorShape("array");
  });

  it("refreshes an expired token once for concurrent requests, and reports a refused refresh per provider", async () => {
    freeAgent.expireAccessToken();
    const tokenCallsBefore = freeAgent.tokenRequests().length;
    const filter = { providers: ["FREEAGENT"] };

    const pages = await Promise.all(
      [1, 2, 3].map((first) => executeOk(live.gateway, CONTACTS, { filter, first })),
    );

    expect(pages.map((page) => page.contacts.edges.length)).toEqual([1, 2, 3]);
    expect(freeAgent.tokenRequests().length - tokenCallsBefore).toBe(1);

    freeAgent.expireAccessToken();
    freeAgent.failTokenRefresh(true);
    const result = await execute(live.gateway, CONTACTS, {
      first: 30,
      after: Buffer.from("contacts:MONEYBIRD:9").toString("base64"),
    });
    freeAgent.failTokenRefresh(false);

    // Moneybird's last 15 contacts are served; FreeAgent's failure is reported beside them.
    expect(result.data.contacts.edges).toHaveLength(MONEYBIRD_CONTACTS - 10);
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.provider])).toEqual([
      ["UPSTREAM_UNAUTHORIZED", "FREEAGENT"],
    ]);
    expect(JSON.stringify(result)).not.toContain(freeAgent.refreshToken());
  });
});

describe("FreeAgent live beside the stored Moneybird", () => {
  let freeAgent: FakeFreeAgent;
  let mixed: Awaited<ReturnType<typeof startGateway>>;
  let freeAgentOrder: string[];

  beforeAll(async () => {
    freeAgent = await startFakeFreeAgent();
    for (let i = 0; i < FREEAGENT_CONTACTS; i++) freeAgent.seed({ organisation_name: `FreeAgent ${i}` });
    mixed = await startGateway(freeAgentEnv(freeAgent));
    const everyone = { offset: 0, limit: 100 };
    freeAgentOrder = (await mixed.gateway.sources.freeAgentContacts.list({}, everyone)).items.map(
      (c) => c.id,
    );
  });

  afterAll(async () => {
    await mixed.gateway.close();
    await freeAgent.close();
  });

  it("walks both to the end, without a count (the store counts no better than Moneybird), and shows the backends", async () => {
    const stored: string[] = [];
    for (let offset = 0, more = true; more; offset += 100) {
      const page = await mixed.gateway.sources.moneybirdContacts.list({}, { offset, limit: 100 });
      stored.push(...page.items.map((contact) => contact.id));
      more = page.hasNextPage;
    }
    mixed.events.length = 0;

    const { edges, pages } = await walkContacts(mixed.gateway, 100);

    expect(edges.map((e) => `${e.node.provider}:${e.node.remoteId}`)).toEqual([
      ...stored.map((id) => `MONEYBIRD:${id}`),
      ...freeAgentOrder.map((id) => `FREEAGENT:${id}`),
    ]);
    expect(pages.map((page) => page.totalCount)).toEqual(pages.map(() => null));
    // FreeAgent is called only by the page where the stored Moneybird contacts run out, and after it.
    const freeAgentPages = pages.filter((page) => page.edges.some((e) => e.node.provider === "FREEAGENT"));
    expect(mixed.requests("FREEAGENT")).toHaveLength(freeAgentPages.length);

    const { providers } = await executeOk(mixed.gateway, "{ providers { provider backend healthy } }");
    expect(providers).toEqual([
      { provider: "PRODUCTIVE", backend: "STORE", healthy: true },
      { provider: "MONEYBIRD", backend: "STORE", healthy: true },
      { provider: "FREEAGENT", backend: "LIVE", healthy: true },
    ]);
    expect(mixed.requests("FREEAGENT").at(-1)).toBe("GET /v2/contacts?per_page=1");
  });
});
