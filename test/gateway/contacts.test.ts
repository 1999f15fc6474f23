import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { UpstreamError } from "../../src/errors.ts";
import { type ConnectionPage, nodesOfWalk, useGateway, walkConnection } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

interface ContactRow {
  id: string;
  provider: "MONEYBIRD" | "FREEAGENT";
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  address: { city: string | null } | null;
  raw: Record<string, unknown>;
  status?: string;
}

const CONTACTS = `
  query Contacts($first: Int, $after: String, $filter: ContactFilter) {
    contacts(first: $first, after: $after, filter: $filter) {
      totalCount
      edges {
        cursor
        node {
          id provider displayName firstName lastName archived createdAt updatedAt address { city } raw
          ... on FreeAgentContact { status }
        }
      }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

const gateway = useGateway("all");
afterEach(() => {
  vi.restoreAllMocks();
});

const walk = (first: number, filter?: Record<string, unknown>) =>
  walkConnection<ContactRow>(gateway(), CONTACTS, "contacts", first, { filter });

async function walkContacts(first: number, filter?: Record<string, unknown>): Promise<ContactRow[]> {
  return nodesOfWalk(await walk(first, filter), first);
}

const ids = (contacts: ContactRow[]) => contacts.map((contact) => contact.id);
const decodeCursor = (cursor: string) => Buffer.from(cursor, "base64").toString("utf8");
const time = (timestamp: string) => Date.parse(timestamp);

describe("contacts: the merged connection", () => {
  let moneybird: ContactRow[];
  let freeAgent: ContactRow[];
  beforeAll(async () => {
    moneybird = await walkContacts(100, { providers: ["MONEYBIRD"] });
    freeAgent = await walkContacts(100, { providers: ["FREEAGENT"] });
  });

  it("walks Moneybird's contacts, then FreeAgent's, to the end: no duplicates, no gaps", async () => {
    const pages = await walk(25);
    const merged = nodesOfWalk(pages, 25);
    expect(ids(merged)).toEqual([...ids(moneybird), ...ids(freeAgent)]);

    const cursors = pages.flatMap((page) => page.edges.map((edge) => decodeCursor(edge.cursor)));
    expect(cursors).toEqual([
      ...moneybird.map((_, offset) => `contacts:MONEYBIRD:${offset}`),
      ...freeAgent.map((_, offset) => `contacts:FREEAGENT:${offset}`),
    ]);
    expect(pages.every((page) => page.totalCount === null)).toBe(true);
  });

  it("counts only where every selected provider counts: null with Moneybird, a number for FreeAgent alone", async () => {
    const first = (filter: Record<string, unknown>) => executeOk(gateway(), CONTACTS, { first: 1, filter });
    expect((await first({ providers: ["MONEYBIRD"] })).contacts.totalCount).toBeNull();
    expect((await first({ providers: ["MONEYBIRD", "FREEAGENT"] })).contacts.totalCount).toBeNull();
    expect((await first({ providers: ["FREEAGENT"] })).contacts.totalCount).toBe(freeAgent.length);
    expect(moneybird.length).toBeGreaterThan(100);
    expect(freeAgent.length).toBeGreaterThan(100);
  });

  it("does not call FreeAgent for a page Moneybird fills", async () => {
    const freeAgentList = vi.spyOn(gateway().sources.freeAgentContacts, "list");
    const moneybirdList = vi.spyOn(gateway().sources.moneybirdContacts, "list");
    const page = (await executeOk(gateway(), CONTACTS, { first: 20 })).contacts;
    expect(page.edges).toHaveLength(20);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(moneybirdList).toHaveBeenCalledTimes(1);
    expect(freeAgentList).not.toHaveBeenCalled();
  });

  it("fills the page where Moneybird runs out from FreeAgent, with one call to each", async () => {
    const moneybirdCursor = await cursorOf({ providers: ["MONEYBIRD"] }, moneybird.length - 6);
    const freeAgentList = vi.spyOn(gateway().sources.freeAgentContacts, "list");
    const page = (await executeOk(gateway(), CONTACTS, { first: 20, after: moneybirdCursor })).contacts;
    expect(ids(page.edges.map((edge: { node: ContactRow }) => edge.node))).toEqual([
      ...ids(moneybird.slice(-5)),
      ...ids(freeAgent.slice(0, 15)),
    ]);
    expect(freeAgentList).toHaveBeenCalledTimes(1);
    expect(freeAgentList.mock.calls[0]?.[1]).toEqual({ offset: 0, limit: 15 });
  });

  it("asks FreeAgent for one contact to know whether a page ending at Moneybird's last has a next", async () => {
    const moneybirdCursor = await cursorOf({ providers: ["MONEYBIRD"] }, moneybird.length - 21);
    const freeAgentList = vi.spyOn(gateway().sources.freeAgentContacts, "list");
    const page = (await executeOk(gateway(), CONTACTS, { first: 20, after: moneybirdCursor })).contacts;
    expect(ids(page.edges.map((edge: { node: ContactRow }) => edge.node))).toEqual(ids(moneybird.slice(-20)));
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(freeAgentList.mock.calls.map((call) => call[1])).toEqual([{ offset: 0, limit: 1 }]);
  });

  /** The cursor of the contact at `offset` in the connection that `filter` selects. */
  async function cursorOf(filter: Record<string, unknown>, offset: number): Promise<string> {
    const pages: ConnectionPage<ContactRow>[] = await walk(100, filter);
    const edge = pages.flatMap((page) => page.edges)[offset];
    if (!edge) throw new Error(`no contact at offset ${offset}`);
    return edge.cursor;
  }

  describe("never skips a failing provider: the page ends before it, and resuming reaches it", () => {
    it("Moneybird unavailable on the first page: contacts null with UPSTREAM_UNAVAILABLE, FreeAgent not skipped to", async () => {
      vi.spyOn(gateway().sources.moneybirdContacts, "list").mockRejectedValue(
        new UpstreamError("MONEYBIRD", "UNAVAILABLE", "Moneybird answered 503"),
      );
      const freeAgentList = vi.spyOn(gateway().sources.freeAgentContacts, "list");
      const result = await execute(gateway(), CONTACTS, { first: 10 });
      expect(result.data.contacts).toBeNull();
      expect(result.errors).toEqual([
        {
          message: "Moneybird answered 503",
          path: ["contacts"],
          extensions: { code: "UPSTREAM_UNAVAILABLE", provider: "MONEYBIRD" },
        },
      ]);
      expect(freeAgentList).not.toHaveBeenCalled();
    });

    it("FreeAgent rate-limited where Moneybird runs out: Moneybird's rest, hasNextPage, RATE_LIMITED; the next page reaches FreeAgent", async () => {
      const moneybirdCursor = await cursorOf({}, moneybird.length - 4);
      const failing = vi
        .spyOn(gateway().sources.freeAgentContacts, "list")
        .mockRejectedValueOnce(new UpstreamError("FREEAGENT", "RATE_LIMITED", "FreeAgent answered 429", 60));
      const result = await execute(gateway(), CONTACTS, { first: 10, after: moneybirdCursor });
      const page = result.data.contacts;
      expect(ids(page.edges.map((edge: { node: ContactRow }) => edge.node))).toEqual(
        ids(moneybird.slice(-3)),
      );
      expect(page.pageInfo.hasNextPage).toBe(true);
      expect(result.errors).toEqual([
        {
          message: "FreeAgent answered 429",
          path: ["contacts"],
          extensions: { code: "RATE_LIMITED", provider: "FREEAGENT", retryAfterSeconds: 60 },
        },
      ]);

      const next = await executeOk(gateway(), CONTACTS, { first: 10, after: page.pageInfo.endCursor });
      expect(ids(next.contacts.edges.map((edge: { node: ContactRow }) => edge.node))).toEqual(
        ids(freeAgent.slice(0, 10)),
      );
      expect(failing).toHaveBeenCalledTimes(2);
    });

    it("FreeAgent failing on the look-ahead after a page Moneybird filled exactly: hasNextPage stays true", async () => {
      const moneybirdCursor = await cursorOf({}, moneybird.length - 6);
      vi.spyOn(gateway().sources.freeAgentContacts, "list").mockRejectedValueOnce(
        new UpstreamError("FREEAGENT", "UNAVAILABLE", "FreeAgent answered 503"),
      );
      const result = await execute(gateway(), CONTACTS, { first: 5, after: moneybirdCursor });
      expect(ids(result.data.contacts.edges.map((edge: { node: ContactRow }) => edge.node))).toEqual(
        ids(moneybird.slice(-5)),
      );
      expect(result.data.contacts.pageInfo.hasNextPage).toBe(true);
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["UPSTREAM_UNAVAILABLE"]);
    });

    it("the only selected provider failing leaves contacts null with its error", async () => {
      vi.spyOn(gateway().sources.freeAgentContacts, "list").mockRejectedValue(
        new UpstreamError("FREEAGENT", "UNAUTHORIZED", "FreeAgent refused the token"),
      );
      const result = await execute(gateway(), CONTACTS, { filter: { providers: ["FREEAGENT"] } });
      expect(result.data.contacts).toBeNull();
      expect(result.errors?.map((error) => error.extensions)).toEqual([
        { code: "UPSTREAM_UNAUTHORIZED", provider: "FREEAGENT" },
      ]);
    });
  });

  describe("refuses with BAD_USER_INPUT, before calling any provider", () => {
    it.each([
      ["query while FreeAgent is selected", { filter: { query: "bakker" } }],
      ["firstName while FreeAgent is selected", { filter: { firstName: "Iris" } }],
      [
        "lastName while FreeAgent is selected",
        { filter: { providers: ["MONEYBIRD", "FREEAGENT"], lastName: "Bos" } },
      ],
      ["createdAfter while FreeAgent is selected", { filter: { createdAfter: "2024-01-01T00:00:00Z" } }],
      ["freeAgentView while Moneybird is selected", { filter: { freeAgentView: "CLIENTS" } }],
      ["freeAgentSort while Moneybird is selected", { filter: { freeAgentSort: { field: "CREATED_AT" } } }],
      ["PRODUCTIVE as a provider", { filter: { providers: ["PRODUCTIVE"] } }],
      [
        "includeArchived together with freeAgentView",
        { filter: { providers: ["FREEAGENT"], includeArchived: true, freeAgentView: "ALL" } },
      ],
      ["over-limit first", { first: 101 }],
      ["a cursor that is not one", { after: "b2Zmc2V0OjM=" }],
      [
        "a FreeAgent cursor when only Moneybird is selected",
        { filter: { providers: ["MONEYBIRD"] }, after: Buffer.from("FREEAGENT:3").toString("base64") },
      ],
    ])("%s", async (_name, variables) => {
      const moneybirdList = vi.spyOn(gateway().sources.moneybirdContacts, "list");
      const freeAgentList = vi.spyOn(gateway().sources.freeAgentContacts, "list");
      const result = await execute(gateway(), CONTACTS, variables);
      expect(result.data.contacts).toBeNull();
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
      expect(moneybirdList).not.toHaveBeenCalled();
      expect(freeAgentList).not.toHaveBeenCalled();
    });
  });
});

describe("contacts: Moneybird's filters", () => {
  let everyone: ContactRow[];
  let active: ContactRow[];
  const moneybirdOnly = (filter: Record<string, unknown>) =>
    walkContacts(100, { providers: ["MONEYBIRD"], ...filter });

  beforeAll(async () => {
    everyone = await moneybirdOnly({ includeArchived: true });
    active = everyone.filter((contact) => !contact.archived);
  });

  it("leaves archived contacts out unless includeArchived", async () => {
    expect(active.length).toBeLessThan(everyone.length);
    expect(ids(await moneybirdOnly({}))).toEqual(ids(active));
    expect(ids(await moneybirdOnly({ includeArchived: false }))).toEqual(ids(active));
  });

  it("query: a full-text search", async () => {
    const found = await moneybirdOnly({ query: "UTRECHT" });
    const inUtrecht = active.filter((contact) => contact.address?.city === "Utrecht");
    expect(inUtrecht.length).toBeGreaterThan(0);
    expect(ids(found)).toEqual(expect.arrayContaining(ids(inUtrecht)));
    expect(found.length).toBeLessThan(active.length);
    for (const contact of found) {
      expect(contact.archived).toBe(false);
      expect(JSON.stringify(contact.raw).toLowerCase()).toContain("utrecht");
    }
  });

  it("firstName and lastName: exact, in any case", async () => {
    const iris = active.filter((contact) => contact.firstName === "Iris");
    expect(iris.length).toBeGreaterThan(0);
    expect(ids(await moneybirdOnly({ firstName: "iRIS" }))).toEqual(ids(iris));

    const deVries = active.filter((contact) => contact.lastName === "de Vries");
    expect(deVries.length).toBeGreaterThan(0);
    expect(ids(await moneybirdOnly({ lastName: "DE VRIES" }))).toEqual(ids(deVries));
    expect(await moneybirdOnly({ lastName: "Vries" })).toEqual([]);
  });

  it("createdAfter and updatedAfter: exclusive", async () => {
    const pivot = active[Math.floor(active.length / 2)] as ContactRow;
    const createdLater = active.filter((contact) => time(contact.createdAt) > time(pivot.createdAt));
    expect(ids(await moneybirdOnly({ createdAfter: pivot.createdAt }))).toEqual(ids(createdLater));

    const updatedLater = active.filter((contact) => time(contact.updatedAt) > time(pivot.updatedAt));
    expect(updatedLater.length).toBeGreaterThan(0);
    expect(ids(await moneybirdOnly({ updatedAfter: pivot.updatedAt }))).toEqual(ids(updatedLater));
  });
});

describe("contacts: FreeAgent's filters", () => {
  let everyone: ContactRow[];
  const freeAgentOnly = (filter: Record<string, unknown>) =>
    walkContacts(100, { providers: ["FREEAGENT"], ...filter });

  beforeAll(async () => {
    everyone = await freeAgentOnly({ freeAgentView: "ALL" });
  });

  it("shows active contacts by default; HIDDEN the hidden (archived) ones; includeArchived all", async () => {
    const activeOnes = everyone.filter((contact) => contact.status === "Active");
    const hidden = everyone.filter((contact) => contact.status === "Hidden");
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.every((contact) => contact.archived)).toBe(true);
    expect(ids(await freeAgentOnly({}))).toEqual(ids(activeOnes));
    expect(ids(await freeAgentOnly({ freeAgentView: "HIDDEN" }))).toEqual(ids(hidden));
    expect(ids(await freeAgentOnly({ includeArchived: true }))).toEqual(ids(everyone));
  });

  it("narrows to a role with the other views", async () => {
    for (const view of ["CLIENTS", "SUPPLIERS", "ACTIVE_PROJECTS"]) {
      const found = await freeAgentOnly({ freeAgentView: view });
      expect(found.length, view).toBeGreaterThan(0);
      expect(found.length, view).toBeLessThan(everyone.length);
      expect(ids(everyone), view).toEqual(expect.arrayContaining(ids(found)));
    }
  });

  it("sorts by creation or update, either way", async () => {
    const newestFirst = await freeAgentOnly({ freeAgentSort: { field: "CREATED_AT", direction: "DESC" } });
    const created = newestFirst.map((contact) => time(contact.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const byUpdate = await freeAgentOnly({ freeAgentSort: { field: "UPDATED_AT" } });
    const updated = byUpdate.map((contact) => time(contact.updatedAt));
    expect(updated).toEqual([...updated].sort((a, b) => a - b));
  });

  it("updatedAfter: inclusive", async () => {
    const activeOnes = everyone.filter((contact) => contact.status === "Active");
    const pivot = activeOnes[Math.floor(activeOnes.length / 2)] as ContactRow;
    const found = await freeAgentOnly({ updatedAfter: pivot.updatedAt });
    expect(ids(found)).toContain(pivot.id);
    expect(ids(found)).toEqual(
      ids(activeOnes.filter((contact) => time(contact.updatedAt) >= time(pivot.updatedAt))),
    );
  });
});
