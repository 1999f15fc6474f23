import { CompiledQuery, type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/store/database.ts";
import { openDatabase } from "../../src/store/dialect.ts";
import { type LocalStore, openStore } from "../../src/store/index.ts";
import { listAll } from "../contract/support.ts";
import { useTestDatabase } from "../support/postgres.ts";
import { listFilters } from "./list-filters.ts";

/**
 * The PostgreSQL store against the SQLite one: the same seeded data in the same orders, the same
 * statements per call, and every list filter on an index. (The port contracts run on both
 * dialects in store.test.ts, the two-instance cases in test/shared-store.)
 */

/** Every list, in each order it offers, and the versions: a dialect that orders differently shows here. */
async function listsOf(store: LocalStore) {
  const companies = (field: "NAME" | "CREATED_AT" | "LAST_ACTIVITY_AT", direction: "ASC" | "DESC") =>
    listAll((page) => store.companies.list({}, { field, direction }, page));
  const freeAgent = (sort: "NAME" | "CREATED_AT" | "UPDATED_AT") =>
    listAll((page) =>
      store.freeAgentContacts.list({ view: "ALL", sort: { field: sort, direction: "ASC" } }, page),
    );
  return {
    companiesByName: await companies("NAME", "ASC"),
    companiesByNameDesc: await companies("NAME", "DESC"),
    companiesByActivity: await companies("LAST_ACTIVITY_AT", "DESC"),
    searched: await listAll((page) =>
      store.companies.list({ name: "an" }, { field: "NAME", direction: "ASC" }, page),
    ),
    contactEntries: await listAll((page) => store.contactEntries.list({}, page)),
    moneybird: await listAll((page) => store.moneybirdContacts.list({ includeArchived: true }, page)),
    moneybirdSearched: await listAll((page) => store.moneybirdContacts.list({ query: "VAN" }, page)),
    versions: await store.moneybirdContacts.listVersions({ includeArchived: true }),
    freeAgentByName: await freeAgent("NAME"),
    freeAgentByUpdate: await freeAgent("UPDATED_AT"),
  };
}

describe("the PostgreSQL store", () => {
  const url = useTestDatabase();
  const statements: string[] = [];
  let postgres: LocalStore;
  let sqlite: LocalStore;
  beforeAll(async () => {
    postgres = await openStore({ url: url(), onQuery: (statement) => statements.push(statement) });
    sqlite = await openStore({ url: ":memory:" });
  }, 60_000);
  afterAll(async () => {
    await postgres.close();
    await sqlite.close();
  });

  it("serves the same seeded data as SQLite, in the same orders", async () => {
    const [onPostgres, onSqlite] = [await listsOf(postgres), await listsOf(sqlite)];
    expect(onPostgres.searched.length).toBeGreaterThan(0);
    expect(onPostgres.moneybirdSearched.length).toBeGreaterThan(0);
    expect(onPostgres).toEqual(onSqlite);
  });

  it("reads each batch in one query, as on SQLite", async () => {
    const ids = onePerHundred(
      await listAll((page) => postgres.companies.list({}, { field: "NAME", direction: "ASC" }, page)),
    );
    statements.length = 0;
    await postgres.companies.getByIds(ids);
    await postgres.contactEntries.listByCompanyIds(ids, null);
    await postgres.moneybirdContacts.listVersions({});
    expect(statements).toHaveLength(3);
  });
});

const onePerHundred = (items: { id: string }[]) =>
  items.filter((_, i) => i % 100 === 0).map((item) => item.id);

describe("every list filter on PostgreSQL", () => {
  const url = useTestDatabase();
  let db: Kysely<Database>;
  beforeAll(async () => {
    await (await openStore({ url: url() })).close();
    // One connection, so the session setting holds for every plan; with sequential scans priced
    // out, a plan that still scans has no index to use (tiny tables would be scanned anyway).
    db = openDatabase({ url: url(), poolSize: 1, log: undefined });
    await sql`analyze`.execute(db);
    await sql`set enable_seqscan = off`.execute(db);
  }, 60_000);
  afterAll(() => db?.destroy());

  const plan = async (query: { compile(): { sql: string; parameters: readonly unknown[] } }) => {
    const { sql: text, parameters } = query.compile();
    const { rows } = await db.executeQuery<{ "QUERY PLAN": string }>(
      CompiledQuery.raw(`explain ${text}`, [...parameters]),
    );
    return rows.map((row) => row["QUERY PLAN"]).join(" | ");
  };

  // A range that matches little, as a client's "changed since my last sync" does: with most of
  // the rows in range, an index is rightly not worth it.
  const recently = "2100-01-01T00:00:00Z";

  it("each count searches its index and no page scans a table", async () => {
    const plans = [];
    for (const [name, query, sqliteIndex] of listFilters(db, recently)) {
      const index = sqliteIndex === "INTEGER PRIMARY KEY" ? "productive_companies_pkey" : sqliteIndex;
      const page = await plan(query.select(["domain", "record"]).limit(20));
      const count = await plan(query.clearOrderBy().select((eb) => eb.fn.countAll().as("count")));
      plans.push({
        name,
        pageScans: page.includes("Seq Scan"),
        countScans: count.includes("Seq Scan"),
        countUsesIndex: count.includes(index),
        count,
      });
    }
    const failing = plans.filter((p) => p.pageScans || p.countScans || !p.countUsesIndex);
    expect(failing).toEqual([]);
  });
});
