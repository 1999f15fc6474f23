import { once } from "node:events";
import { existsSync } from "node:fs";
import { type Kysely, sql } from "kysely";
import type { Database, Db } from "./database.ts";
import { isPostgres, isPostgresUrl, openDatabase } from "./dialect.ts";
import { migrateToLatest } from "./migrations.ts";
import { readSnapshot, storedIds } from "./support.ts";

/**
 * The store as JSON lines, to back it up or move it (SQLite to PostgreSQL too): a header, then a
 * `{table, row}` line per row of the tables below. What triggers derive (search documents, the
 * change log) is rebuilt by the import's inserts; the leases belong to running instances.
 */

export const STORE_FORMAT = "contacts-gateway-store";
export const STORE_FORMAT_VERSION = 1;

export interface StoreHeader {
  format: typeof STORE_FORMAT;
  version: typeof STORE_FORMAT_VERSION;
  /** The latest migration the exported store had applied: an import needs the same schema. */
  migration: string;
  exportedAt: string;
}

/** Exported tables with the key their rows are read in, ordered so every reference points back. */
const TABLES = [
  ["id_sequences", ["name"]],
  ["productive_companies", ["id"]],
  ["productive_company_tags", ["company_id", "tag"]],
  ["productive_contact_entries", ["id"]],
  ["moneybird_contacts", ["id"]],
  ["moneybird_additional_charges", ["id"]],
  ["moneybird_payments_mandates", ["contact_id"]],
  ["moneybird_mandate_requests", ["id"]],
  ["freeagent_contacts", ["id"]],
  ["mirror_state", ["provider"]],
  ["customers", ["id"]],
  ["customer_links", ["node_id"]],
  ["customer_decisions", ["id"]],
  ["customer_state", ["name"]],
] as const satisfies readonly (readonly [keyof Database, readonly string[]])[];

type ExportedTable = (typeof TABLES)[number][0];
const EXPORTED = new Set<string>(TABLES.map(([table]) => table));

/**
 * Columns that may hold Moneybird ids beyond 2^53, which both drivers would read as rounded
 * numbers: exported as text, written back as text only where a number would round.
 */
const INT64_COLUMNS: Readonly<Partial<Record<ExportedTable, ReadonlySet<string>>>> = {
  id_sequences: new Set(["last_id"]),
  moneybird_contacts: new Set(["id"]),
  moneybird_additional_charges: new Set(["id", "contact_id"]),
  moneybird_payments_mandates: new Set(["contact_id"]),
  moneybird_mandate_requests: new Set(["contact_id"]),
};

/** Rows per query: well under either dialect's limit on bound parameters, even for wide tables. */
const PAGE_SIZE = 500;

type Value = string | number | null;
type Row = Record<string, Value>;
/** Tables named at run time: the columns are checked against the database's own. */
type DynamicDb = Kysely<Record<string, Row>>;

/** An import the target store refuses: nothing of the file was written. */
export class StoreImportError extends Error {
  override name = "StoreImportError";
}

export interface TransferSummary {
  migration: string;
  /** Rows per exported table. */
  rows: Record<string, number>;
}

async function latestMigration(db: Db): Promise<string> {
  const { rows } = await sql<{ name: string }>`
    select name from kysely_migration order by name desc limit 1`.execute(db);
  const name = rows[0]?.name;
  if (name === undefined) throw new Error("not a migrated store: no migration applied");
  return name;
}

/** Every exported table's columns, as the database has them (a later migration's included). */
async function tableColumns(db: Db): Promise<Map<string, Set<string>>> {
  const tables = await db.introspection.getTables();
  return new Map(
    tables
      .filter((table) => EXPORTED.has(table.name))
      .map((table) => [table.name, new Set(table.columns.map((column) => column.name))]),
  );
}

/**
 * Writes the store's lines to `write` (awaited, so a slow output holds the reading back), all read
 * in one snapshot: references between the tables hold in the file as in the store.
 */
export async function exportStore(db: Db, write: (line: string) => unknown): Promise<TransferSummary> {
  // Introspection runs on a pool connection of its own: read before the transaction holds the pool's one.
  const columns = await tableColumns(db);
  return readSnapshot(db, async (trx) => {
    const migration = await latestMigration(trx);
    const header: StoreHeader = {
      format: STORE_FORMAT,
      version: STORE_FORMAT_VERSION,
      migration,
      exportedAt: new Date().toISOString(),
    };
    await write(JSON.stringify(header));
    const rows: Record<string, number> = {};
    for (const [table, key] of TABLES) {
      const int64 = INT64_COLUMNS[table];
      const selected = [...(columns.get(table) ?? [])].map((column) =>
        int64?.has(column)
          ? sql<string>`cast(${sql.ref(column)} as text)`.as(column)
          : sql.ref(column).as(column),
      );
      rows[table] = 0;
      // Pages by offset inside the snapshot, which keeps them consistent: no cursor on either driver.
      for (let offset = 0; ; offset += PAGE_SIZE) {
        const ordered = key.reduce(
          (query, column) => query.orderBy(sql.ref(column)),
          (trx as unknown as DynamicDb).selectFrom(table).select(selected),
        );
        const page = await ordered.limit(PAGE_SIZE).offset(offset).execute();
        for (const row of page) await write(JSON.stringify({ table, row }));
        rows[table] += page.length;
        if (page.length < PAGE_SIZE) break;
      }
    }
    return { migration, rows };
  });
}

/** The header line, or why it is not one. */
function parseHeader(line: unknown, lineNumber: number, migration: string): StoreHeader {
  const header = line as Partial<StoreHeader> | null;
  if (header?.format !== STORE_FORMAT || typeof header.migration !== "string") {
    throw new StoreImportError(`malformed line ${lineNumber}: not a ${STORE_FORMAT} header`);
  }
  if (header.version !== STORE_FORMAT_VERSION) {
    throw new StoreImportError(
      `unsupported format version ${String(header.version)} (this gateway reads ${STORE_FORMAT_VERSION})`,
    );
  }
  if (header.migration !== migration) {
    throw new StoreImportError(
      `different migration: the file is of ${header.migration}, the store of ${migration} (migrate both to the same version)`,
    );
  }
  return header as StoreHeader;
}

/** A row line's table and row, checked against the target's columns, 64-bit ids as the columns compare them. */
function parseRow(
  line: unknown,
  lineNumber: number,
  columns: Map<string, Set<string>>,
): { table: ExportedTable; row: Row } {
  const { table, row } = (line ?? {}) as { table?: unknown; row?: unknown };
  if (typeof table !== "string" || typeof row !== "object" || row === null || Array.isArray(row)) {
    throw new StoreImportError(`malformed line ${lineNumber}: not a {table, row} line`);
  }
  const known = columns.get(table);
  if (!known) throw new StoreImportError(`line ${lineNumber}: unknown table ${table}`);
  const int64 = INT64_COLUMNS[table as ExportedTable];
  const parsed: Row = {};
  for (const [column, value] of Object.entries(row)) {
    if (!known.has(column))
      throw new StoreImportError(`line ${lineNumber}: unknown column ${table}.${column}`);
    if (value !== null && typeof value !== "string" && typeof value !== "number") {
      throw new StoreImportError(
        `malformed line ${lineNumber}: ${table}.${column} is neither text, a number nor null`,
      );
    }
    if (int64?.has(column) && typeof value === "string") {
      const [id] = storedIds([value]);
      if (id === undefined)
        throw new StoreImportError(`malformed line ${lineNumber}: ${table}.${column} is not an integer`);
      parsed[column] = id;
    } else {
      parsed[column] = value;
    }
  }
  return { table: table as ExportedTable, row: parsed };
}

/**
 * Imports exported lines, in one transaction (a refused or failed import writes nothing), into a
 * store migrated to the file's migration whose exported tables are empty but for the id sequences
 * migrations fill (the file's replace them).
 */
export async function importStore(
  db: Db,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<TransferSummary> {
  // Introspection runs on a pool connection of its own: read before the transaction holds the pool's one.
  const columns = await tableColumns(db);
  return db.transaction().execute(async (trx) => {
    const migration = await latestMigration(trx);
    const dynamic = trx as unknown as DynamicDb;
    let header: StoreHeader | undefined;
    const rows: Record<string, number> = {};
    let batch: { table: ExportedTable; rows: Row[] } | undefined;
    const flush = async () => {
      if (!batch) return;
      await dynamic.insertInto(batch.table).values(batch.rows).execute();
      batch = undefined;
    };

    let lineNumber = 0;
    for await (const text of lines) {
      lineNumber += 1;
      if (text.trim() === "") continue;
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        throw new StoreImportError(`malformed line ${lineNumber}: not JSON`);
      }
      if (!header) {
        header = parseHeader(line, lineNumber, migration);
        await refuseUnlessEmpty(trx);
        await trx.deleteFrom("id_sequences").execute();
        continue;
      }
      const { table, row } = parseRow(line, lineNumber, columns);
      if (batch?.table !== table || batch.rows.length >= PAGE_SIZE) await flush();
      batch ??= { table, rows: [] };
      batch.rows.push(row);
      rows[table] = (rows[table] ?? 0) + 1;
    }
    if (!header) throw new StoreImportError("no header: the file is empty");
    await flush();
    await settleImported(trx);
    return { migration, rows };
  });
}

async function refuseUnlessEmpty(db: Db): Promise<void> {
  for (const [table] of TABLES) {
    if (table === "id_sequences") continue;
    const row = await (db as unknown as DynamicDb)
      .selectFrom(table)
      .select(sql<number>`1`.as("one"))
      .limit(1)
      .executeTakeFirst();
    if (row)
      throw new StoreImportError(`the store is not empty: ${table} has rows (import into a new store)`);
  }
}

/** What the imported rows mean in the new store: its own change log, and numbering past their ids. */
async function settleImported(db: Db): Promise<void> {
  if (isPostgres(db)) {
    // The change-log triggers are deferred to commit: fire them now, so the head below counts them.
    await sql`set constraints all immediate`.execute(db);
    await sql`select setval(pg_get_serial_sequence('moneybird_mandate_requests', 'id'),
                            coalesce(max(id), 0) + 1, false) from moneybird_mandate_requests`.execute(db);
  }
  // The matcher's position was in the old store's log; the new log starts with the imported rows.
  const { head } = await db
    .selectFrom("changes")
    .select((eb) => eb.fn.max("sequence").as("head"))
    .executeTakeFirstOrThrow();
  await db
    .updateTable("customer_state")
    .set({ through_sequence: head ?? 0 })
    .execute();
}

/** Opens a store to export or import without seeding it (an import needs it empty). */
function open(url: string): Kysely<Database> {
  return openDatabase({ url, poolSize: 1, log: undefined });
}

/** Exports the store at `url` (not migrated: the file says which migration it has) to `out`. */
export async function exportStoreTo(url: string, out: NodeJS.WritableStream): Promise<TransferSummary> {
  // openDatabase would create a missing SQLite file: a mistyped path would export "nothing".
  if (!isPostgresUrl(url) && url !== ":memory:" && !existsSync(url)) throw new Error(`no store at ${url}`);
  const db = open(url);
  try {
    return await exportStore(db, async (line) => {
      if (!out.write(`${line}\n`)) await once(out, "drain");
    });
  } finally {
    await db.destroy();
  }
}

/** Migrates the store at `url` (creating it) and imports `lines` into it. */
export async function importStoreFrom(url: string, lines: AsyncIterable<string>): Promise<TransferSummary> {
  const db = open(url);
  try {
    await migrateToLatest(db);
    return await importStore(db, lines);
  } finally {
    await db.destroy();
  }
}
