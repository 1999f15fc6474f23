import { CompiledQuery, Migrator, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import type { SearchHit } from "../../src/domain/index.ts";
import { BadUserInputError } from "../../src/errors.ts";
import { openDatabase } from "../../src/store/dialect.ts";
import { insertFreeAgentContact } from "../../src/store/freeagent.ts";
import type { LocalStore } from "../../src/store/index.ts";
import { openStore } from "../../src/store/index.ts";
import { MIGRATIONS, migrateToLatest } from "../../src/store/migrations.ts";
import { insertContactPerson, insertMoneybirdContact } from "../../src/store/moneybird.ts";
import { insertCompany } from "../../src/store/productive.ts";
import { createSearchSource, searchWords } from "../../src/store/search.ts";
import { writeIntoEarlierVersion } from "../support/earlier-store.ts";
import { useEmptyPostgresStores, useTestDatabase } from "../support/postgres.ts";

const ALL = ["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"] as const;
const PAGE = { offset: 0, limit: 20 };

/** `Kind:id` of each hit, in order. */
const found = (hits: SearchHit[]) => hits.map(({ node }) => `${node.kind}:${node.id}`);

for (const [dialect, openEmpty] of [
  ["SQLite", () => openStore({ url: ":memory:", seed: false })],
  ["PostgreSQL", useEmptyPostgresStores()],
] as const) {
  describe(`search (${dialect})`, () => {
    let store: LocalStore | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });
    const open = async () => {
      store = await openEmpty();
      return store;
    };
    const search = async (query: string, page = PAGE) =>
      (store as LocalStore).search(ALL).search(query, page);

    it("ranks a name match above a match in a description, an email or a note", async () => {
      const s = await open();
      const described = await s.companies.create({ name: "Acme Holding", description: "Buys from Zephyr" });
      const emailed = await s.freeAgentContacts.create({
        companyName: "Blue Ltd",
        email: "zephyr@blue.example",
      });
      const noted = await s.moneybirdContacts.create({ companyName: "Green BV" });
      await s.moneybirdContacts.addNote(noted.id, { note: "Ask Zephyr about the invoice" });
      const named = await s.companies.create({ name: "Zephyr Trading" });
      const { items, totalCount, hasNextPage } = await search("zephyr");
      expect(found(items)[0]).toBe(`Company:${named.id}`);
      expect(new Set(found(items).slice(1))).toEqual(
        new Set([
          `Company:${described.id}`,
          `FreeAgentContact:${emailed.id}`,
          `MoneybirdContact:${noted.id}`,
        ]),
      );
      expect(items[0]?.score).toBeGreaterThan(items[1]?.score ?? Number.POSITIVE_INFINITY);
      expect([totalCount, hasNextPage]).toEqual([4, false]);
    });

    it("folds accents and case, both ways, and matches the last word as a prefix", async () => {
      const s = await open();
      const muller = await s.moneybirdContacts.create({ firstName: "Jürgen", lastName: "Müller" });
      const cafe = await s.freeAgentContacts.create({ companyName: "CAFÉ Zoë" });
      expect(found((await search("muller")).items)).toEqual([`MoneybirdContact:${muller.id}`]);
      expect(found((await search("MÜLLER jurgen")).items)).toEqual([`MoneybirdContact:${muller.id}`]);
      expect(found((await search("café zoe")).items)).toEqual([`FreeAgentContact:${cafe.id}`]);
      expect(found((await search("jürgen mül")).items)).toEqual([`MoneybirdContact:${muller.id}`]);
      // Only the last word is a prefix; every word must match.
      expect(found((await search("mül jürgen")).items)).toEqual([]);
      expect(found((await search("muller zoe")).items)).toEqual([]);
    });

    it("finds Moneybird contact people as records of their own", async () => {
      const s = await open();
      const contact = await s.moneybirdContacts.create({ companyName: "Hoeve BV" });
      const person = await s.moneybirdContacts.createContactPerson(contact.id, {
        firstName: "Anouk",
        lastName: "Visser",
        department: "Finance",
      });
      const { items } = await search("anouk");
      expect(found(items)).toEqual([`ContactPerson:${person.id}`]);
      expect(items[0]?.node).toMatchObject({
        kind: "ContactPerson",
        contactId: contact.id,
        lastName: "Visser",
      });
      expect(items[0]?.node.raw).toMatchObject({ firstname: "Anouk" });
    });

    it("keeps the index in step with every write: create, update, delete", async () => {
      const s = await open();
      const company = await s.companies.create({ name: "Quokka Works" });
      expect(found((await search("quokka")).items)).toEqual([`Company:${company.id}`]);
      await s.companies.update(company.id, { name: "Wombat Works" });
      expect(found((await search("quokka")).items)).toEqual([]);
      expect(found((await search("wombat")).items)).toEqual([`Company:${company.id}`]);

      const contact = await s.freeAgentContacts.create({ companyName: "Numbat Ltd" });
      expect(found((await search("numbat")).items)).toEqual([`FreeAgentContact:${contact.id}`]);
      await s.freeAgentContacts.delete(contact.id);
      expect(found((await search("numbat")).items)).toEqual([]);

      const mb = await s.moneybirdContacts.create({ companyName: "Dingo BV" });
      const person = await s.moneybirdContacts.createContactPerson(mb.id, {
        firstName: "Kees",
        lastName: "Dingo",
      });
      expect(found((await search("dingo")).items)).toEqual(
        expect.arrayContaining([`MoneybirdContact:${mb.id}`, `ContactPerson:${person.id}`]),
      );
      await s.moneybirdContacts.deleteContactPerson(mb.id, person.id);
      expect(found((await search("dingo")).items)).toEqual([`MoneybirdContact:${mb.id}`]);
      await s.moneybirdContacts.delete(mb.id);
      expect(found((await search("dingo")).items)).toEqual([]);
    });

    it("reads punctuation as a separator and query syntax as text", async () => {
      const s = await open();
      const or = await s.companies.create({ name: "Or Near Not" });
      const plain = await s.companies.create({ name: "Plain Company" });
      for (const query of ["", "   ", "!!!", '"', "*", "()", "-+^:"]) {
        expect(await search(query)).toEqual({ items: [], hasNextPage: false, totalCount: 0 });
      }
      expect(found((await search("OR")).items)).toEqual([`Company:${or.id}`]);
      expect(found((await search("NEAR(")).items)).toEqual([`Company:${or.id}`]);
      expect(found((await search('"or" NOT')).items)).toEqual([`Company:${or.id}`]);
      expect(found((await search("plain OR or")).items)).toEqual([]);
      expect(found((await search("pla*")).items)).toEqual([`Company:${plain.id}`]);
      expect(found((await search("name:plain")).items)).toEqual([]);
    });

    it("pages in a fixed order, ties by type and id", async () => {
      const s = await open();
      const created: string[] = [];
      for (let i = 0; i < 5; i++)
        created.push(`Company:${(await s.companies.create({ name: `Tie ${i}` })).id}`);
      const first = await search("tie", { offset: 0, limit: 2 });
      expect(first.items[0]?.score).toBe(first.items[1]?.score);
      const second = await search("tie", { offset: 2, limit: 2 });
      const third = await search("tie", { offset: 4, limit: 2 });
      const walked = [...first.items, ...second.items, ...third.items];
      // Equal matches, so equal scores: in id order, each once.
      expect(found(walked)).toEqual(created);
      expect([first.hasNextPage, second.hasNextPage, third.hasNextPage]).toEqual([true, true, false]);
      expect(first.totalCount).toBe(5);
      expect((await search("tie", { offset: 10, limit: 2 })).items).toEqual([]);
    });

    it("searches only the providers it is given", async () => {
      const s = await open();
      await s.companies.create({ name: "Kiwi Co" });
      const contact = await s.freeAgentContacts.create({ companyName: "Kiwi Ltd" });
      const page = await s.search(["FREEAGENT"]).search("kiwi", PAGE);
      expect(found(page.items)).toEqual([`FreeAgentContact:${contact.id}`]);
      expect((await s.search([]).search("kiwi", PAGE)).items).toEqual([]);
    });

    it("refuses a query of more words than a search takes", async () => {
      await open();
      await expect(search(Array.from({ length: 33 }, (_, i) => `w${i}`).join(" "))).rejects.toThrow(
        BadUserInputError,
      );
    });
  });
}

describe("search words", () => {
  it("folds and splits as the index does", () => {
    expect(searchWords(' Müller-Lüdenscheidt "OR" Zoë*  NEAR( ')).toEqual([
      "muller",
      "ludenscheidt",
      "or",
      "zoe",
      "near",
    ]);
  });
});

/** The plan of the store's own search statement, as it sends it (with its parameters), on a new store at `url`. */
async function searchPlan(url: string): Promise<string> {
  const statements: CompiledQuery[] = [];
  const db = openDatabase({
    url,
    poolSize: 1,
    log: (event) => {
      if (event.level === "query") statements.push(event.query);
    },
  });
  try {
    await migrateToLatest(db);
    await createSearchSource(db, ALL).search("plan check", PAGE);
    const query = statements.at(-1) as CompiledQuery;
    const postgres = url.startsWith("postgres");
    return await db.connection().execute(async (connection) => {
      // As in postgres.test.ts: with sequential scans off, a plan without the index shows the scan anyway.
      if (postgres) await sql`set enable_seqscan = off`.execute(connection);
      const explain = postgres ? "explain" : "explain query plan";
      const { rows } = await connection.executeQuery<Record<string, string>>(
        CompiledQuery.raw(`${explain} ${query.sql}`, [...query.parameters]),
      );
      return rows.map((row) => row["QUERY PLAN"] ?? row.detail).join("\n");
    });
  } finally {
    await db.destroy();
  }
}

describe("search: the plan uses the full-text index", () => {
  it("SQLite: the FTS5 table's MATCH", async () => {
    expect(await searchPlan(":memory:")).toMatch(/SCAN search_fts VIRTUAL TABLE INDEX \d+:M/);
  });

  const url = useTestDatabase();
  it("PostgreSQL: the GIN index on the vector", async () => {
    expect(await searchPlan(url())).toMatch(/Bitmap Index Scan on search_documents_vector/);
  });
});

/** A store of the version before the index, holding records, then migrated: the index holds them. */
async function backfilledSearch(url: string): Promise<string[]> {
  const db = openDatabase({ url, poolSize: 1, log: undefined });
  try {
    const migrations = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < "0006"));
    const { error } = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
    }).migrateToLatest();
    if (error) throw error;
    const at = new Date("2025-01-01T00:00:00Z");
    await writeIntoEarlierVersion(
      db,
      ["productive_companies", "moneybird_contacts", "freeagent_contacts"],
      async (today) => {
        await insertCompany(today, { name: "Ocelot Partners" }, at);
        const contact = await insertMoneybirdContact(today, { companyName: "Ocelot BV" }, at);
        await insertContactPerson(today, contact.id, { firstName: "Ocelot", lastName: "Jansen" }, at);
        await insertFreeAgentContact(today, { companyName: "Ocelot Ltd" }, at);
      },
    );
    await migrateToLatest(db);
    return found((await createSearchSource(db, ALL).search("ocelot", PAGE)).items).map((hit) =>
      hit.replace(/:.*/, ""),
    );
  } finally {
    await db.destroy();
  }
}

describe("search: migrating a store that holds records fills the index", () => {
  const expected = ["Company", "ContactPerson", "FreeAgentContact", "MoneybirdContact"];
  it("SQLite", async () => {
    expect((await backfilledSearch(":memory:")).sort()).toEqual(expected);
  });
  const url = useTestDatabase();
  it("PostgreSQL", async () => {
    expect((await backfilledSearch(url())).sort()).toEqual(expected);
  });
});
