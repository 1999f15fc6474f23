import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway } from "../../src/gateway.ts";
import { type ConnectionPage, nodesOfWalk, useGateway, walkConnection } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

interface ContactRow {
  id: string;
  remoteId: string;
  provider: "MONEYBIRD" | "FREEAGENT";
  displayName: string;
  createdAt: string;
  updatedAt: string;
}

const CONTACTS = `
  query Contacts($first: Int, $after: String, $filter: ContactFilter, $orderBy: ContactOrder) {
    contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { cursor node { id remoteId provider displayName createdAt updatedAt } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

type Field = "NAME" | "CREATED_AT" | "UPDATED_AT";
type Direction = "ASC" | "DESC";

const gateway = useGateway("all");
afterEach(() => {
  vi.restoreAllMocks();
});

const walk = async (
  first: number,
  variables: { filter?: Record<string, unknown>; orderBy?: { field: Field; direction: Direction } },
) => nodesOfWalk(await walkConnection<ContactRow>(gateway(), CONTACTS, "contacts", first, variables), first);

/** The order the gateway promises, computed here from the listed fields: key, then provider, then id. */
function sortedAs(contacts: ContactRow[], field: Field, direction: Direction): ContactRow[] {
  const key = (contact: ContactRow): string | number => {
    if (field === "CREATED_AT") return Date.parse(contact.createdAt);
    if (field === "UPDATED_AT") return Date.parse(contact.updatedAt);
    return contact.displayName
      .toLowerCase()
      .normalize("NFD")
      .replace(/\p{Mn}/gu, "");
  };
  const compare = (a: ContactRow, b: ContactRow) => {
    const [ka, kb] = [key(a), key(b)];
    if (ka !== kb) return (ka < kb ? -1 : 1) * (direction === "ASC" ? 1 : -1);
    if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
    return Number(a.remoteId) - Number(b.remoteId);
  };
  return [...contacts].sort(compare);
}

const ids = (contacts: ContactRow[]) => contacts.map((contact) => contact.id);
const sortedIds = (contacts: ContactRow[]) => ids(contacts).sort();

describe("contacts(orderBy:): one order across Moneybird and FreeAgent, from the store", () => {
  let all: ContactRow[];
  beforeAll(async () => {
    all = await walk(100, {});
  });

  it("the seeded store has both providers' contacts", () => {
    expect(new Set(all.map((contact) => contact.provider))).toEqual(new Set(["MONEYBIRD", "FREEAGENT"]));
  });

  describe.each([
    ["NAME", "ASC"],
    ["NAME", "DESC"],
    ["CREATED_AT", "ASC"],
    ["CREATED_AT", "DESC"],
    ["UPDATED_AT", "ASC"],
    ["UPDATED_AT", "DESC"],
  ] as const)("%s %s", (field, direction) => {
    it("orders every contact of the unordered list, walked page by page without gaps or repeats", async () => {
      // 7 a page: pages that end inside runs of one provider and across them.
      const ordered = await walk(7, { orderBy: { field, direction } });
      expect(ids(ordered)).toEqual(ids(sortedAs(all, field, direction)));
      // Interleaved, not one provider after the other.
      const switches = ordered.filter((contact, i) => i > 0 && contact.provider !== ordered[i - 1]?.provider);
      expect(switches.length).toBeGreaterThan(1);
    });
  });

  it("counts the whole list, and serves a page without counting when totalCount is not selected", async () => {
    const orderBy = { field: "NAME", direction: "ASC" };
    const counted = await executeOk(gateway(), CONTACTS, { first: 5, orderBy });
    expect(counted.contacts.totalCount).toBe(all.length);
    const uncounted = await executeOk(
      gateway(),
      `query ($orderBy: ContactOrder) { contacts(first: 5, orderBy: $orderBy) { edges { node { id } } pageInfo { hasNextPage } } }`,
      { orderBy },
    );
    expect(uncounted.contacts.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(
      counted.contacts.edges.map((edge: { node: { id: string } }) => edge.node.id),
    );
    expect(uncounted.contacts.pageInfo.hasNextPage).toBe(true);
  });

  it.each([
    ["providers", { providers: ["FREEAGENT"] }],
    ["includeArchived", { includeArchived: true }],
    ["updatedAfter", { updatedAfter: "2024-06-01T00:00:00Z" }],
    ["createdAfter with Moneybird alone", { providers: ["MONEYBIRD"], createdAfter: "2024-06-01T00:00:00Z" }],
  ])("applies %s as the unordered list does", async (_name, filter) => {
    const unordered = await walk(100, { filter });
    const ordered = await walk(9, { filter, orderBy: { field: "NAME", direction: "ASC" } });
    expect(sortedIds(ordered)).toEqual(sortedIds(unordered));
    expect(ids(ordered)).toEqual(ids(sortedAs(unordered, "NAME", "ASC")));
  });

  it("includeArchived adds archived Moneybird and hidden FreeAgent contacts", async () => {
    const archived = await walk(100, { filter: { includeArchived: true } });
    const added = archived.filter((contact) => !ids(all).includes(contact.id));
    expect(new Set(added.map((contact) => contact.provider))).toEqual(new Set(["MONEYBIRD", "FREEAGENT"]));
  });

  it("primes the by-id loaders: a listed contact asked for again in the request is not read again", async () => {
    const byIds = [
      vi.spyOn(gateway().sources.moneybirdContacts, "getByIds"),
      vi.spyOn(gateway().sources.freeAgentContacts, "getByIds"),
    ];
    const data = await executeOk(
      gateway(),
      `{ contacts(first: 30, orderBy: { field: NAME, direction: ASC }) {
           edges { node { id ... on MoneybirdContact { contactPersons { edges { node { contact { id } } } } } } }
         } }`,
    );
    expect(data.contacts.edges).toHaveLength(30);
    for (const spy of byIds) expect(spy).not.toHaveBeenCalled();
  });
});

describe("contacts(orderBy:): cursors", () => {
  const page = async (variables: Record<string, unknown>) =>
    (await executeOk(gateway(), CONTACTS, { first: 3, ...variables })).contacts as ConnectionPage<ContactRow>;
  const refused = async (variables: Record<string, unknown>) => {
    const result = await execute(gateway(), CONTACTS, { first: 3, ...variables });
    expect(result.data.contacts).toBeNull();
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    return result.errors?.[0]?.message;
  };
  const NAME_ASC = { field: "NAME", direction: "ASC" };

  it("are opaque, and not the merged list's", async () => {
    const ordered = await page({ orderBy: NAME_ASC });
    const merged = await page({});
    const text = (cursor: string | null) => Buffer.from(cursor ?? "", "base64").toString("utf8");
    expect(text(ordered.pageInfo.endCursor)).toBe("contacts:NAME:ASC:2");
    expect(text(merged.pageInfo.endCursor)).not.toBe(text(ordered.pageInfo.endCursor));
  });

  it("continue where the page ended", async () => {
    const first = await page({ orderBy: NAME_ASC, first: 4 });
    const second = await page({ orderBy: NAME_ASC, first: 2, after: first.edges[1]?.cursor });
    expect(second.edges.map((edge) => edge.node.id)).toEqual(
      first.edges.slice(2).map((edge) => edge.node.id),
    );
    expect(second.pageInfo.hasPreviousPage).toBe(true);
  });

  it("refuses a cursor of another order, of the unordered list, a mangled one, and the reverse", async () => {
    const byName = (await page({ orderBy: NAME_ASC })).pageInfo.endCursor;
    const merged = (await page({})).pageInfo.endCursor;
    expect(await refused({ orderBy: { field: "NAME", direction: "DESC" }, after: byName })).toMatch(
      /is not a cursor of this connection/,
    );
    expect(
      await refused({ orderBy: { field: "CREATED_AT", direction: "ASC" }, after: byName }),
    ).toBeDefined();
    expect(await refused({ orderBy: NAME_ASC, after: merged })).toBeDefined();
    expect(await refused({ after: byName })).toBeDefined();
    expect(await refused({ orderBy: NAME_ASC, after: "not a cursor" })).toBeDefined();
    expect(
      await refused({ orderBy: NAME_ASC, after: Buffer.from("contacts:NAME:ASC:x").toString("base64") }),
    ).toBeDefined();
  });
});

describe("contacts(orderBy:): refused with BAD_USER_INPUT, before any read", () => {
  const NAME_ASC = { field: "NAME", direction: "ASC" };
  it.each([
    ["query", { query: "bv" }, /orderBy cannot be combined with query/],
    ["firstName and lastName", { firstName: "a", lastName: "b" }, /firstName, lastName/],
    ["freeAgentView", { providers: ["FREEAGENT"], freeAgentView: "CLIENTS" }, /freeAgentView/],
    ["freeAgentSort", { providers: ["FREEAGENT"], freeAgentSort: { field: "NAME" } }, /freeAgentSort/],
    ["contactType", { providers: ["MONEYBIRD"], contactType: "COMPANY" }, /contactType/],
    [
      "createdAfter with FreeAgent selected",
      { createdAfter: "2024-01-01T00:00:00Z" },
      /createdAfter can only filter MONEYBIRD/,
    ],
    ["Productive", { providers: ["PRODUCTIVE"] }, /companies/],
  ])("%s", async (_name, filter, message) => {
    const store = gateway().sources.orderedContacts;
    const list = store && vi.spyOn(store, "list");
    const result = await execute(gateway(), CONTACTS, { first: 3, filter, orderBy: NAME_ASC });
    expect(result.data.contacts).toBeNull();
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(list).not.toHaveBeenCalled();
  });
});

describe("contacts(orderBy:) with Moneybird served live", () => {
  let closeLive: (() => Promise<void>) | undefined;
  const openLive = async () => {
    const gateway = await createGateway({
      config: loadConfig({
        STORE_URL: ":memory:",
        MONEYBIRD_API_TOKEN: "token",
        MONEYBIRD_ADMINISTRATION_ID: "123456789",
        MONEYBIRD_BASE_URL: "http://127.0.0.1:9",
      }),
      logger: quietLogger,
    });
    closeLive = () => gateway.close();
    return gateway;
  };
  afterEach(async () => {
    await closeLive?.();
    closeLive = undefined;
  });

  it("refuses an order that needs Moneybird, naming it and what to ask instead, without calling it", async () => {
    const gateway = await openLive();
    const moneybirdList = vi.spyOn(gateway.sources.moneybirdContacts, "list");
    const result = await execute(gateway, CONTACTS, {
      first: 3,
      orderBy: { field: "NAME", direction: "ASC" },
    });
    expect(result.data.contacts).toBeNull();
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.message).toMatch(/Moneybird is served live/);
    expect(result.errors?.[0]?.message).toMatch(/@mirror\(maxAgeSeconds/);
    expect(result.errors?.[0]?.message).toMatch(/providers: \[FREEAGENT\]/);
    expect(moneybirdList).not.toHaveBeenCalled();
  });

  it("orders the providers the store serves", async () => {
    const gateway = await openLive();
    const { contacts } = await executeOk(gateway, CONTACTS, {
      first: 5,
      filter: { providers: ["FREEAGENT"] },
      orderBy: { field: "CREATED_AT", direction: "DESC" },
    });
    expect(contacts.edges.length).toBe(5);
    const times = contacts.edges.map((edge: { node: ContactRow }) => Date.parse(edge.node.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
