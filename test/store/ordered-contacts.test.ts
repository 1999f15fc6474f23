import { Migrator } from "kysely";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Contact, ContactOrder, OrderedContactFilter, PageRequest } from "../../src/domain/index.ts";
import { openDatabase } from "../../src/store/dialect.ts";
import { insertFreeAgentContact } from "../../src/store/freeagent.ts";
import { type LocalStore, openStore } from "../../src/store/index.ts";
import { MIGRATIONS, migrateToLatest } from "../../src/store/migrations.ts";
import { insertMoneybirdContact } from "../../src/store/moneybird.ts";
import { createOrderedContactSource } from "../../src/store/ordered-contacts.ts";
import { writeIntoEarlierVersion } from "../support/earlier-store.ts";
import { useEmptyPostgresStores, useTestDatabase } from "../support/postgres.ts";

const BOTH = ["MONEYBIRD", "FREEAGENT"] as const;
const ALL = { offset: 0, limit: 100 };
const NAME_ASC: ContactOrder = { field: "NAME", direction: "ASC" };

/** `PROVIDER:name` of each contact, in order. */
const named = (contacts: Contact[]) =>
  contacts.map(
    (contact) => `${contact.provider}:${contact.companyName ?? `${contact.firstName} ${contact.lastName}`}`,
  );

for (const [dialect, openEmpty] of [
  ["SQLite", () => openStore({ url: ":memory:", seed: false })],
  ["PostgreSQL", useEmptyPostgresStores()],
] as const) {
  describe(`ordered contacts (${dialect})`, () => {
    let store: LocalStore | undefined;
    afterEach(async () => {
      vi.useRealTimers();
      await store?.close();
      store = undefined;
    });
    /** Writes from now on happen a minute apart (FreeAgent's timestamps are whole seconds). */
    let minute = 0;
    const nextMinute = () => {
      minute += 1;
      vi.setSystemTime(Date.UTC(2025, 0, 1) + minute * 60_000);
    };
    const list = (
      order: ContactOrder,
      filter: OrderedContactFilter = {},
      page: PageRequest = ALL,
      providers: readonly ("MONEYBIRD" | "FREEAGENT")[] = BOTH,
    ) =>
      (store as LocalStore).orderedContacts(["MONEYBIRD", "FREEAGENT"]).list(filter, order, providers, page);

    /** Contacts of both providers with names that interleave, differ in case and accents, and tie. */
    async function openWithContacts() {
      store = await openEmpty();
      const s = store;
      vi.useFakeTimers({ toFake: ["Date"] });
      const created: Contact[] = [];
      for (const [provider, input] of [
        ["MONEYBIRD", { companyName: "Zeeman BV" }],
        ["FREEAGENT", { companyName: "école Ltd" }],
        ["MONEYBIRD", { firstName: "Émile", lastName: "Bakker" }],
        ["FREEAGENT", { firstName: "anna", lastName: "Appel" }],
        ["MONEYBIRD", { companyName: "Same Name" }],
        ["FREEAGENT", { companyName: "SAME NAME" }],
        ["MONEYBIRD", { companyName: "same name" }],
      ] as const) {
        nextMinute();
        created.push(
          provider === "MONEYBIRD"
            ? await s.moneybirdContacts.create(input)
            : await s.freeAgentContacts.create(input),
        );
      }
      return created;
    }

    it("orders both providers by the folded display name, ties by provider then id, in either direction", async () => {
      await openWithContacts();
      const ascending = await list(NAME_ASC);
      expect(named(ascending.items)).toEqual([
        "FREEAGENT:anna Appel",
        "FREEAGENT:école Ltd",
        "MONEYBIRD:Émile Bakker",
        "FREEAGENT:SAME NAME",
        "MONEYBIRD:Same Name",
        "MONEYBIRD:same name",
        "MONEYBIRD:Zeeman BV",
      ]);
      expect([ascending.totalCount, ascending.hasNextPage]).toEqual([7, false]);
      const descending = await list({ field: "NAME", direction: "DESC" });
      expect(named(descending.items)).toEqual([
        "MONEYBIRD:Zeeman BV",
        "FREEAGENT:SAME NAME",
        "MONEYBIRD:Same Name",
        "MONEYBIRD:same name",
        "MONEYBIRD:Émile Bakker",
        "FREEAGENT:école Ltd",
        "FREEAGENT:anna Appel",
      ]);
    });

    it("orders by created and updated time across providers, pages by offset, counts or not", async () => {
      const created = await openWithContacts();
      const byCreated = await list({ field: "CREATED_AT", direction: "DESC" });
      expect(byCreated.items.map((contact) => contact.id)).toEqual(
        created.map((contact) => contact.id).reverse(),
      );
      // An update moves the first-created contact to the end of UPDATED_AT ASC.
      const first = created[0] as Contact;
      nextMinute();
      await (store as LocalStore).moneybirdContacts.update(first.id, { companyName: "Zeeman Holding BV" });
      const byUpdated = await list({ field: "UPDATED_AT", direction: "ASC" });
      expect(byUpdated.items.at(-1)?.id).toBe(first.id);

      const pages = [
        await list(NAME_ASC, {}, { offset: 0, limit: 3 }),
        await list(NAME_ASC, {}, { offset: 3, limit: 3 }),
        await list(NAME_ASC, {}, { offset: 6, limit: 3, countTotal: false }),
      ];
      expect(pages.map((page) => [page.items.length, page.hasNextPage, page.totalCount])).toEqual([
        [3, true, 7],
        [3, true, 7],
        [1, false, null],
      ]);
      const paged = pages.flatMap((page) => page.items.map((contact) => contact.id));
      expect(paged).toEqual((await list(NAME_ASC)).items.map((contact) => contact.id));
      const uncounted = await list(NAME_ASC, {}, { offset: 0, limit: 3, countTotal: false });
      expect([uncounted.hasNextPage, uncounted.totalCount]).toEqual([true, null]);
    });

    it("applies providers, includeArchived, createdAfter and updatedAfter, and reads raw", async () => {
      const created = await openWithContacts();
      const s = store as LocalStore;
      const [zeeman, ecole, emile] = created as [Contact, Contact, Contact];
      nextMinute();
      await s.moneybirdContacts.archive(zeeman.id);
      await s.freeAgentContacts.update(ecole.id, { status: "Hidden" });
      const shown = await list(NAME_ASC);
      expect(shown.items.map((contact) => contact.id)).not.toContain(zeeman.id);
      expect(shown.items.map((contact) => contact.id)).not.toContain(ecole.id);
      expect(shown.totalCount).toBe(5);
      expect((await list(NAME_ASC, { includeArchived: true })).totalCount).toBe(7);

      expect(named((await list(NAME_ASC, {}, ALL, ["FREEAGENT"])).items)).toEqual([
        "FREEAGENT:anna Appel",
        "FREEAGENT:SAME NAME",
      ]);
      expect(await list(NAME_ASC, {}, ALL, [])).toEqual({ items: [], hasNextPage: false, totalCount: 0 });

      // Exclusive, and applied to FreeAgent's rows too (the gateway asks it of Moneybird alone).
      expect(named((await list(NAME_ASC, { createdAfter: emile.createdAt as string })).items)).toEqual([
        "FREEAGENT:anna Appel",
        "FREEAGENT:SAME NAME",
        "MONEYBIRD:Same Name",
        "MONEYBIRD:same name",
      ]);
      // FreeAgent's updated_since is inclusive, Moneybird's updated_after exclusive, as their own lists.
      const lastFreeAgent = created[5] as Contact;
      const updated = await list(NAME_ASC, { updatedAfter: lastFreeAgent.updatedAt as string });
      expect(named(updated.items)).toEqual(["FREEAGENT:SAME NAME", "MONEYBIRD:same name"]);

      const [mb, fa] = [
        shown.items.find((c) => c.provider === "MONEYBIRD"),
        shown.items.find((c) => c.provider === "FREEAGENT"),
      ];
      expect(mb?.raw).toMatchObject({ id: mb?.id });
      expect(fa?.raw).toMatchObject({ url: expect.stringContaining(`/contacts/${fa?.id}`) });
    });

    it("covers the providers it was made for", async () => {
      store = await openEmpty();
      const source = store.orderedContacts(["FREEAGENT"]);
      expect([source.covers("FREEAGENT"), source.covers("MONEYBIRD")]).toEqual([true, false]);
    });
  });
}

/** A store of the version before the name key, holding contacts, then migrated: the key is filled. */
async function migratedNames(url: string): Promise<string[]> {
  const db = openDatabase({ url, poolSize: 1, log: undefined });
  try {
    const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < "0008"));
    const { error } = await new Migrator({
      db,
      provider: { getMigrations: async () => before },
    }).migrateToLatest();
    if (error) throw error;
    const at = new Date("2025-01-01T00:00:00Z");
    await writeIntoEarlierVersion(db, ["moneybird_contacts", "freeagent_contacts"], async (today) => {
      await insertMoneybirdContact(today, { companyName: "Ölfabriek BV" }, at);
      await insertFreeAgentContact(today, { firstName: "Nora", lastName: "Oak" }, at);
    });
    await migrateToLatest(db);
    const { items } = await createOrderedContactSource(db, BOTH).list({}, NAME_ASC, BOTH, ALL);
    return named(items);
  } finally {
    await db.destroy();
  }
}

describe("ordered contacts: migrating a store", () => {
  it("SQLite", async () => {
    expect(await migratedNames(":memory:")).toEqual(["FREEAGENT:Nora Oak", "MONEYBIRD:Ölfabriek BV"]);
  });
  const url = useTestDatabase();
  it("PostgreSQL", async () => {
    expect(await migratedNames(url())).toEqual(["FREEAGENT:Nora Oak", "MONEYBIRD:Ölfabriek BV"]);
  });
});
