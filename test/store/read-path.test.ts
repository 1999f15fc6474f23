import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PageRequest } from "../../src/domain/index.ts";
import { contactFromRecord as freeAgentContactFromRecord } from "../../src/providers/freeagent/mapping.ts";
import { ContactRecord as FreeAgentContactRecord } from "../../src/providers/freeagent/records.ts";
import { contactFromRecord as moneybirdContactFromRecord } from "../../src/providers/moneybird/mapping.ts";
import { ContactRecord as MoneybirdContactRecord } from "../../src/providers/moneybird/records.ts";
import { companyFromRecord, contactEntryFromRecord } from "../../src/providers/productive/mapping.ts";
import { CompanyRecord, ContactEntryRecord } from "../../src/providers/productive/records.ts";
import type { Database } from "../../src/store/database.ts";
import { type LocalStore, openStore } from "../../src/store/index.ts";
import { MIGRATIONS, migrateToLatest } from "../../src/store/migrations.ts";
import { contactListQuery as moneybirdListQuery } from "../../src/store/moneybird.ts";
import { listAll } from "../contract/support.ts";
import { openGateway } from "../support/gateway.ts";
import { executeOk } from "../support/graphql.ts";
import { listFilters } from "./list-filters.ts";

const BY_NAME = { field: "NAME", direction: "ASC" } as const;

/** Everything the record tables serve, read through the ports. */
async function recordsOf(store: LocalStore) {
  return {
    companies: await listAll((page) => store.companies.list({}, BY_NAME, page)),
    contactEntries: await listAll((page) => store.contactEntries.list({}, page)),
    moneybird: await listAll((page) => store.moneybirdContacts.list({ includeArchived: true }, page)),
    versions: await store.moneybirdContacts.listVersions({ includeArchived: true }),
    freeAgent: await listAll((page) => store.freeAgentContacts.list({ view: "ALL" }, page)),
  };
}

describe("reads of rows the store wrote", () => {
  let store: LocalStore;
  let records: Awaited<ReturnType<typeof recordsOf>>;
  beforeAll(async () => {
    store = await openStore({ url: ":memory:" });
    records = await recordsOf(store);
  });
  afterAll(() => store.close());

  it("equal the validated mapping of their record, raw included", () => {
    for (const company of records.companies) {
      expect(company).toStrictEqual(companyFromRecord(CompanyRecord.parse(company.raw), company.raw));
    }
    for (const entry of records.contactEntries) {
      expect(entry).toStrictEqual(contactEntryFromRecord(ContactEntryRecord.parse(entry.raw), entry.raw));
    }
    for (const contact of records.moneybird) {
      const mapped = moneybirdContactFromRecord(MoneybirdContactRecord.parse(contact.raw), contact.raw);
      expect(contact).toStrictEqual(mapped);
      contact.contactPersons.forEach((person, i) => {
        expect(person.raw).toBe((contact.raw.contact_people as unknown[])[i]);
      });
    }
    for (const contact of records.freeAgent) {
      expect(contact).toStrictEqual(
        freeAgentContactFromRecord(FreeAgentContactRecord.parse(contact.raw), contact.raw),
      );
    }
  });

  it("do not run the record schemas", async () => {
    const schemas = [CompanyRecord, ContactEntryRecord, MoneybirdContactRecord, FreeAgentContactRecord];
    const spies = schemas.map((schema) => vi.spyOn(schema, "parse"));
    try {
      const pick = (items: { id: string }[]) => items.slice(0, 20).map((item) => item.id);
      await store.companies.getByIds(pick(records.companies));
      await store.contactEntries.listByCompanyIds(pick(records.companies), null);
      await store.contactEntries.getByIds(pick(records.contactEntries));
      await store.moneybirdContacts.getByIds(pick(records.moneybird));
      await store.freeAgentContacts.list({}, { offset: 0, limit: 20 });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe("totalCount", () => {
  it("is counted only when asked for", async () => {
    const statements: string[] = [];
    const store = await openStore({ url: ":memory:", onQuery: (statement) => statements.push(statement) });
    try {
      const counts = () => statements.filter((statement) => statement.includes("count(*)")).length;
      const uncounted = { offset: 0, limit: 5, countTotal: false };
      for (const read of [
        () => store.companies.list({}, BY_NAME, uncounted),
        () => store.contactEntries.list({}, uncounted),
        () => store.freeAgentContacts.list({}, uncounted),
      ]) {
        statements.length = 0;
        const page = await read();
        expect(statements).toHaveLength(1);
        expect(counts()).toBe(0);
        expect(page).toMatchObject({ totalCount: null, hasNextPage: true });
        expect(page.items).toHaveLength(5);
      }
      statements.length = 0;
      const counted = await store.companies.list({}, BY_NAME, { offset: 0, limit: 5 });
      expect(counts()).toBe(1);
      expect(counted.totalCount).toBeGreaterThan(5);
    } finally {
      await store.close();
    }
  });

  it("is asked for by a connection exactly when the query selects it", async () => {
    const gateway = await openGateway();
    try {
      const companies = vi.spyOn(gateway.sources.companies, "list");
      const entries = vi.spyOn(gateway.sources.contactEntries, "list");
      const asked = () =>
        [companies, entries].map((spy) => (spy.mock.lastCall?.at(-1) as PageRequest | undefined)?.countTotal);
      await executeOk(
        gateway,
        "{ companies(first: 2) { edges { node { id } } } contactEntries(first: 2) { pageInfo { hasNextPage } } }",
      );
      expect(asked()).toEqual([false, false]);
      await executeOk(
        gateway,
        "{ companies(first: 2) { ...total } contactEntries(first: 2) { ... on ContactEntryConnection { totalCount } } } fragment total on CompanyConnection { totalCount }",
      );
      expect(asked()).toEqual([true, true]);
    } finally {
      await gateway.close();
    }
  });
});

describe("side data", () => {
  it("follows a company's tags and a contact's version through create, update and delete", async () => {
    const store = await openStore({ url: ":memory:", seed: false });
    try {
      const tagged = async (tag: string) =>
        (await store.companies.list({ tags: [tag] }, BY_NAME, { offset: 0, limit: 10 })).items.map(
          (c) => c.id,
        );
      const company = await store.companies.create({ name: "Tagged", tags: ["a", "b", "a"] });
      expect([await tagged("a"), await tagged("b")]).toEqual([[company.id], [company.id]]);
      await store.companies.update(company.id, { tags: ["c"] });
      expect([await tagged("a"), await tagged("c")]).toEqual([[], [company.id]]);
      await store.companies.update(company.id, { tags: null });
      expect(await tagged("c")).toEqual([]);

      const contacts = store.moneybirdContacts;
      const versions = () => contacts.listVersions({ includeArchived: true });
      const contact = await contacts.create({ companyName: "Versioned B.V." });
      expect(await versions()).toEqual([{ id: contact.id, version: contact.version }]);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // versions are epoch seconds
      const person = await contacts.createContactPerson(contact.id, { firstName: "A", lastName: "B" });
      const [changed] = await contacts.getByIds([contact.id]);
      expect(changed?.version).toBeGreaterThan(contact.version);
      expect(changed?.contactPersons.map((p) => p.id)).toEqual([person.id]);
      expect(await versions()).toEqual([{ id: contact.id, version: changed?.version }]);
      await contacts.delete(contact.id);
      expect(await versions()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe("a store file of the previous version (migration 0001 only)", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "store-migration-"));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** Copies a current store's rows into a file migrated to 0001, as the previous version wrote them. */
  async function previousVersionCopy(current: string, url: string): Promise<void> {
    const database = new SQLite(url);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    const first = { "0001_initial": MIGRATIONS["0001_initial"] as (typeof MIGRATIONS)[string] };
    const { error } = await new Migrator({
      db,
      provider: { getMigrations: async () => first },
    }).migrateToLatest();
    await db.destroy();
    if (error) throw error;
    const copy = new SQLite(url);
    copy.exec(`attach database '${current}' as current`);
    const tables = copy
      .prepare("select name from main.sqlite_master where type = 'table' and name not like 'kysely%'")
      .pluck()
      .all() as string[];
    for (const table of tables) {
      const columns = (
        copy.prepare(`select name from pragma_table_info('${table}')`).pluck().all() as string[]
      )
        .map((column) => `"${column}"`)
        .join(", ");
      copy.exec(
        `delete from main."${table}"; insert into main."${table}" (${columns}) select ${columns} from current."${table}"`,
      );
    }
    copy.close();
  }

  it("migrates forward and reads as the store that wrote it", async () => {
    const current = join(folder, "current.sqlite");
    const store = await openStore({ url: current });
    const expected = await recordsOf(store);
    await store.close();

    const previous = join(folder, "previous.sqlite");
    await previousVersionCopy(current, previous);
    const migrated = await openStore({ url: previous });
    try {
      expect(await recordsOf(migrated)).toStrictEqual(expected);
      const tag = expected.companies.find((company) => company.tags.length > 0)?.tags[0] as string;
      const tagged = await listAll((page) => migrated.companies.list({ tags: [tag] }, BY_NAME, page));
      expect(tagged.map((c) => c.id).sort()).toEqual(
        expected.companies
          .filter((c) => c.tags.includes(tag))
          .map((c) => c.id)
          .sort(),
      );
    } finally {
      await migrated.close();
    }
  });
});

describe("every list filter", () => {
  const database = new SQLite(":memory:");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  beforeAll(() => migrateToLatest(db));
  afterAll(() => db.destroy());

  const plan = (query: { compile(): { sql: string; parameters: readonly unknown[] } }) => {
    const { sql, parameters } = query.compile();
    return (database.prepare(`explain query plan ${sql}`).all(...parameters) as { detail: string }[])
      .map((row) => row.detail)
      .join(" | ");
  };
  const filters = listFilters(db);

  it.each(filters)(
    "%s: the count searches its index and the page never scans the table",
    (_name, query, index) => {
      const page = plan(query.select(["domain", "record"]).limit(20));
      const count = plan(query.clearOrderBy().select((eb) => eb.fn.countAll().as("count")));
      expect(page).not.toMatch(/SCAN \w+( |$)(?!USING)/);
      expect(count).toMatch(/SEARCH/);
      expect(count).toContain(index);
    },
  );

  it("listVersions reads the versions from an index, never a record", () => {
    for (const includeArchived of [false, true]) {
      expect(plan(moneybirdListQuery(db, { includeArchived }).select(["id", "version"]))).toContain(
        "COVERING INDEX",
      );
    }
  });
});
