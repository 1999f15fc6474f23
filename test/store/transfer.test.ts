import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerMatcher } from "../../src/contacts/customers/matcher.ts";
import { PROVIDERS } from "../../src/domain/common.ts";
import { openStore } from "../../src/store/index.ts";
import { exportStoreTo, importStoreFrom, StoreImportError } from "../../src/store/transfer.ts";
import { useTestDatabase } from "../support/postgres.ts";

/**
 * `npm run store:export` / `store:import` (src/store/transfer.ts): a seeded store with customers
 * and a manual decision, exported and imported into a new SQLite file and a new PostgreSQL
 * database, reads the same; a target that is not empty, or of another migration, is refused
 * and left as it was.
 */

const BIG_ID = "9007199254740993";

/** The file's lines, written by exportStoreTo. */
async function exported(url: string): Promise<string[]> {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  await exportStoreTo(url, out);
  return chunks.join("").split("\n").filter(Boolean);
}

async function* linesOf(lines: readonly string[]) {
  yield* lines;
}

/** Each table's rows, in a fixed order, without what an import renumbers (the log position). */
function rowsByTable(lines: readonly string[]): Record<string, string[]> {
  const tables: Record<string, string[]> = {};
  for (const line of lines.slice(1)) {
    const { table, row } = JSON.parse(line);
    if (table === "customer_state") Object.assign(row, { through_sequence: 0, matched_at_ms: 0 });
    tables[table] = [...(tables[table] ?? []), JSON.stringify(row, Object.keys(row).sort())];
  }
  for (const rows of Object.values(tables)) rows.sort();
  return tables;
}

describe("exporting and importing the store", () => {
  let folder: string;
  let source: string;
  let lines: string[];
  const postgres = useTestDatabase();

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "store-transfer-"));
    source = join(folder, "source.sqlite");
    const store = await openStore({ url: source });
    const matcher = await startCustomerMatcher({
      store: store.customers,
      changes: store.changes,
      providers: PROVIDERS,
      warn: () => {},
    });
    const [first, second] = (
      await store.companies.list({}, { field: "NAME", direction: "ASC" }, { offset: 0, limit: 2 })
    ).items;
    await matcher.decide({
      kind: "LINK",
      nodeIds: [`Company:${first?.id}`, `Company:${second?.id}`],
      from: null,
      madeBy: "api-key",
    });
    await matcher.stop();
    await store.close();
    // A mirrored Moneybird id beyond 2^53, which a number would round.
    const database = new SQLite(source);
    const row = database.prepare("select * from moneybird_contacts order by id limit 1").get() as Record<
      string,
      unknown
    >;
    const columns = Object.keys(row);
    database
      .prepare(
        `insert into moneybird_contacts (${columns.join(", ")}) values (${columns.map((c) => `@${c}`).join(", ")})`,
      )
      .run({
        ...row,
        id: BIG_ID,
        customer_id: "BIG-1",
        record: JSON.stringify({ ...JSON.parse(String(row.record)), id: BIG_ID, customer_id: "BIG-1" }),
        domain: JSON.stringify({ ...JSON.parse(String(row.domain)), id: BIG_ID, customerId: "BIG-1" }),
      });
    database.close();
    lines = await exported(source);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("exports every table the gateway keeps, customers and decisions included, a big id exactly", () => {
    const header = JSON.parse(lines[0] as string);
    expect(header).toMatchObject({
      format: "contacts-gateway-store",
      version: 1,
      migration: "0010_customers",
    });
    const tables = rowsByTable(lines);
    for (const table of [
      "productive_companies",
      "moneybird_contacts",
      "freeagent_contacts",
      "customers",
      "customer_links",
      "customer_decisions",
    ]) {
      expect(tables[table]?.length, table).toBeGreaterThan(0);
    }
    expect(tables.changes).toBeUndefined();
    expect(tables.search_documents).toBeUndefined();
    expect(lines.some((line) => line.includes(`"id":"${BIG_ID}"`))).toBe(true);
  });

  for (const target of ["SQLite", "PostgreSQL"] as const) {
    it(`imports into a new ${target} store that then reads the same`, async () => {
      const url = target === "SQLite" ? join(folder, "target.sqlite") : postgres();
      await importStoreFrom(url, linesOf(lines));
      expect(rowsByTable(await exported(url))).toEqual(rowsByTable(lines));

      const [before, after] = [
        await openStore({ url: source, seed: false }),
        await openStore({ url, seed: false }),
      ];
      try {
        const page = { offset: 0, limit: 5 };
        const order = { field: "NAME", direction: "ASC" } as const;
        const [sourceCompanies, targetCompanies] = await Promise.all(
          [before, after].map((s) => s.companies.list({}, order, page)),
        );
        expect(targetCompanies?.totalCount).toBe(sourceCompanies?.totalCount);
        expect(targetCompanies?.items.map((c) => c.name)).toEqual(sourceCompanies?.items.map((c) => c.name));
        // The search index is rebuilt from the imported rows by their triggers.
        const hits = await after.search(PROVIDERS).search(sourceCompanies?.items[0]?.name ?? "", page);
        expect(hits.items.length).toBeGreaterThan(0);
        expect((await after.moneybirdContacts.getByIds([BIG_ID]))[0]?.id).toBe(BIG_ID);
        const customers = await after.customers.list({ minProviders: 3 }, page);
        expect(customers.totalCount).toBe(
          (await before.customers.list({ minProviders: 3 }, page)).totalCount,
        );
        expect((await after.customers.decisions()).map((d) => d.kind)).toEqual(["LINK"]);
      } finally {
        await before.close();
        await after.close();
      }

      // Again into the same store: refused, and nothing changes.
      const again = importStoreFrom(url, linesOf(lines));
      await expect(again).rejects.toThrow(StoreImportError);
      await expect(again).rejects.toThrow(/not empty/);
      expect(rowsByTable(await exported(url))).toEqual(rowsByTable(lines));
    });
  }

  it("refuses a file of another migration, writing nothing", async () => {
    const url = join(folder, "other.sqlite");
    const header = { ...JSON.parse(lines[0] as string), migration: "0009_mirror" };
    await expect(importStoreFrom(url, linesOf([JSON.stringify(header), ...lines.slice(1)]))).rejects.toThrow(
      StoreImportError,
    );
    const store = await openStore({ url, seed: false });
    try {
      expect((await store.customers.list({}, { offset: 0, limit: 1 })).totalCount).toBe(0);
    } finally {
      await store.close();
    }
  });
});
