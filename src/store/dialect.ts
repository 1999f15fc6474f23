import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import {
  type ColumnDefinitionBuilder,
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  type KyselyConfig,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type TransactionSettings,
} from "kysely";
import type pg from "pg";
import type { Database } from "./database.ts";

/**
 * Everything the store does differently on SQLite and on PostgreSQL, in one place: opening the
 * database, column types, locking, substring search and unique violations.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the schema of their time, not today's `Database`
type AnyDb = Kysely<any>;

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

export const isPostgres = (db: AnyDb) => db.getExecutor().adapter instanceof PostgresAdapter;

/** A second writer waits this long for SQLite's write lock before SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Write transactions take SQLite's write lock when they begin (`begin immediate`), so a second
 * process waits (busy_timeout) instead of failing to upgrade a read lock midway, and no two
 * read-modify-writes of one record interleave. Read-only transactions (a page and its count) begin
 * deferred and never wait for a writer.
 */
class ImmediateWriteSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings) {
    const begin = settings?.accessMode === "read only" ? "begin" : "begin immediate";
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

class ImmediateWriteSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SQLite.Database) {
    super({ database });
  }
  override createDriver() {
    return new ImmediateWriteSqliteDriver({ database: this.database });
  }
}

const INT8_OID = 20;

/** pg answers int8 (ids, epoch milliseconds, counts) as strings; the store's stay below 2^53, so numbers. */
const pgTypes = (driver: typeof pg) => ({
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? Number
      : driver.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
});

export interface DatabaseOptions {
  url: string;
  /** PostgreSQL connections at most (SQLite has one). */
  poolSize: number;
  log: KyselyConfig["log"];
}

/** A SQLite file (its folder is created) or ":memory:", or a PostgreSQL database by URL. */
export function openDatabase({ url, poolSize, log }: DatabaseOptions): Kysely<Database> {
  if (isPostgresUrl(url)) {
    // Loaded only for a PostgreSQL store: a SQLite gateway does not hold the driver's ~9 MB.
    const driver = createRequire(import.meta.url)("pg") as typeof pg;
    const pool = new driver.Pool({ connectionString: url, max: poolSize, types: pgTypes(driver) });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  }
  const inMemory = url === ":memory:";
  if (!inMemory) mkdirSync(dirname(url), { recursive: true });
  const database = new SQLite(url, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  if (!inMemory) database.pragma("journal_mode = WAL");
  database.pragma("foreign_keys = ON");
  return new Kysely<Database>({ dialect: new ImmediateWriteSqliteDialect(database), log });
}

/** Arbitrary key for the advisory lock that makes one instance at a time migrate and seed. */
const SETUP_LOCK_KEY = 7_301_140_014;

/**
 * Runs `setup` (migrations, seed) as the only instance doing so: on PostgreSQL under a session
 * advisory lock on one connection, so instances starting at once migrate and seed once; on SQLite
 * migrateToLatest holds the write lock and the later steps are write transactions, which serialize it.
 */
export async function exclusiveSetup(db: Kysely<Database>, setup: (db: Kysely<Database>) => Promise<void>) {
  if (!isPostgres(db)) return setup(db);
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${SETUP_LOCK_KEY})`.execute(connection);
    try {
      await setup(connection);
    } finally {
      await sql`select pg_advisory_unlock(${SETUP_LOCK_KEY})`.execute(connection);
    }
  });
}

/** Column types that differ: 64-bit integers, an auto-numbered key, text that sorts by code point. */
export function columnTypes(db: AnyDb) {
  const postgres = isPostgres(db);
  return {
    /** Ids (Moneybird's exceed 2^31) and epoch milliseconds; SQLite's integer is 64-bit already. */
    int64: postgres ? ("bigint" as const) : ("integer" as const),
    /** Sort keys order by code point, as on SQLite, whatever the database's locale. */
    sortKey: postgres ? sql`text collate "C"` : sql`text`,
    autoNumberedKey: postgres ? ("bigserial" as const) : ("integer" as const),
    autoNumbered: (column: ColumnDefinitionBuilder) =>
      postgres ? column.primaryKey() : column.primaryKey().autoIncrement(),
  };
}

/** The SQL function giving where a text first occurs in another (1-based, 0 when absent): substring filters. */
export const positionFunction = (db: AnyDb) => (isPostgres(db) ? "strpos" : "instr");

/**
 * A select whose row a write then changes: on PostgreSQL it locks the row until the transaction
 * ends, so concurrent writes of one record queue (no lost update, no write to a deleted record);
 * on SQLite the write transaction holds the database's write lock already.
 */
export function forWrite<Q extends { forUpdate(): Q }>(db: AnyDb, query: Q): Q {
  return isPostgres(db) ? query.forUpdate() : query;
}

/**
 * The `table.column` whose unique index a failed write broke, on either dialect
 * (PostgreSQL's 23505, SQLite's SQLITE_CONSTRAINT_UNIQUE), or null for any other error.
 */
export function violatedUniqueColumn(error: unknown): string | null {
  const { code, table, detail, message } = (error ?? {}) as Record<string, unknown>;
  if (code === "23505" && typeof table === "string" && typeof detail === "string") {
    const column = /^Key \(([^)]+)\)=/.exec(detail)?.[1];
    return column ? `${table}.${column}` : null;
  }
  if (code === "SQLITE_CONSTRAINT_UNIQUE" && typeof message === "string") {
    return /^UNIQUE constraint failed: (\S+)$/.exec(message)?.[1] ?? null;
  }
  return null;
}
