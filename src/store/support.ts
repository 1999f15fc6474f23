import type { Expression, ExpressionBuilder, ReferenceExpression, SelectQueryBuilder, SqlBool } from "kysely";
import type { Page, PageRequest, RawRecord, RecordKind, Timestamp } from "../domain/index.ts";
import { BadUserInputError, NotFoundError } from "../errors.ts";
import { isIntegerId } from "../providers/shared/ids.ts";
import { quoteInput } from "../security/redaction.ts";
import type { Database, Db, SequenceName } from "./database.ts";
import { forWrite, isPostgres } from "./dialect.ts";

/** Takes the next `count` ids of a sequence; inside the caller's transaction, so a rolled-back write takes none. */
export async function nextIds(db: Db, sequence: SequenceName, count: number): Promise<number[]> {
  if (count === 0) return [];
  const { last_id } = await db
    .updateTable("id_sequences")
    .set((eb) => ({ last_id: eb("last_id", "+", count) }))
    .where("name", "=", sequence)
    .returning("last_id")
    .executeTakeFirstOrThrow();
  return Array.from({ length: count }, (_, i) => last_id - count + 1 + i);
}

export async function nextId(db: Db, sequence: SequenceName): Promise<number> {
  const [id] = await nextIds(db, sequence, 1);
  return id as number;
}

/** `column in (values)`; none matches nothing (PostgreSQL refuses an empty `in ()`). */
export function anyOf<TB extends keyof Database>(
  eb: ExpressionBuilder<Database, TB>,
  column: ReferenceExpression<Database, TB>,
  values: readonly (string | number)[],
): Expression<SqlBool> {
  return values.length === 0 ? eb.or([]) : eb(column, "in", values);
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * The ids that can name a stored record, as the 64-bit id columns compare them: a number below
 * 2^53, else its decimal text (a mirrored Moneybird id is beyond 2^53, where a number would round
 * it; SQLite and PostgreSQL both read such text as the exact integer). Any other string names nothing.
 */
export function storedIds(ids: readonly string[]): (number | string)[] {
  return ids
    .filter((id) => isIntegerId(id) && BigInt(id) <= INT64_MAX)
    .map((id) => (Number.isSafeInteger(Number(id)) ? Number(id) : id));
}

/** The tables that keep one upstream record a row, under the record's id. */
export type RecordTable =
  | "productive_companies"
  | "productive_contact_entries"
  | "moneybird_contacts"
  | "freeagent_contacts";

/** What a read takes from a record row: the mapped domain object and the record behind its `raw`. */
export interface StoredRow {
  domain: string;
  record: string;
}
const STORED_ROW = ["domain", "record"] as const;

/** The domain object as a row stores it: without `raw`, which the record column already holds. */
export function domainJson<T extends { raw: RawRecord }>(mapped: T): string {
  const { raw: _raw, ...rest } = mapped;
  return JSON.stringify(rest);
}

/** The stored record, parsed on first use and then kept: most queries never select `raw`. */
export function lazyRecord(record: string): () => RawRecord {
  let parsed: RawRecord | undefined;
  return () => {
    parsed ??= JSON.parse(record) as RawRecord;
    return parsed;
  };
}

/** Gives a domain object read from `domain` its `raw`, which is parsed only when something reads it. */
export function withRaw<T extends { raw: RawRecord }>(mapped: Omit<T, "raw">, raw: () => RawRecord): T {
  return Object.defineProperty(mapped, "raw", { get: raw, enumerable: true }) as T;
}

/**
 * A row the store wrote: its `domain` was mapped from the record, validated, when it was written,
 * so it is read as it is.
 */
export function readStoredRow<T extends { raw: RawRecord }>(row: StoredRow): T {
  return withRaw<T>(JSON.parse(row.domain) as Omit<T, "raw">, lazyRecord(row.record));
}

/** `getByIds` in one query: an answer per requested id, in its order, null where nothing matched. */
export async function readByIds<T extends { id: string }>(
  db: Db,
  table: RecordTable,
  ids: readonly string[],
  read: (row: StoredRow) => T,
): Promise<(T | null)[]> {
  const rows = await db
    .selectFrom(table)
    .select(STORED_ROW)
    .where((eb) => anyOf(eb, "id", storedIds(ids)))
    .execute();
  const byId = new Map(rows.map((row) => read(row)).map((item) => [item.id, item]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The stored record a write changes (locked for the rest of the transaction: forWrite), or NotFoundError. */
export async function loadRecord<T>(db: Db, table: RecordTable, kind: RecordKind, id: string): Promise<T> {
  const [storedId] = storedIds([id]);
  const row =
    storedId === undefined
      ? undefined
      : await forWrite(
          db,
          db
            .selectFrom(table)
            .select("record")
            .where((eb) => anyOf(eb, "id", [storedId])),
        ).executeTakeFirst();
  if (!row) throw new NotFoundError(kind, id);
  return JSON.parse(row.record) as T;
}

/**
 * A page of the records a query selects. With its total unless the caller said it needs none
 * (`countTotal: false`): then one row more than the page is read for `hasNextPage`, and no count.
 * The rows and the count are read in one transaction, so a write in between cannot make
 * `totalCount` and `hasNextPage` disagree with the rows (on PostgreSQL that takes a repeatable-read
 * snapshot; SQLite's read transaction is one). `query` filters and orders; the page's
 * window is applied here.
 */
export async function readPage<Table extends RecordTable, T>(
  db: Db,
  page: PageRequest,
  query: (db: Db) => SelectQueryBuilder<Database, Table, object>,
  read: (row: StoredRow) => T,
): Promise<Page<T>> {
  if (page.countTotal === false) {
    const rows = await query(db)
      .select(STORED_ROW)
      .limit(page.limit + 1)
      .offset(page.offset)
      .execute();
    return uncountedPage(rows.map(read), page);
  }
  return readSnapshot(db, async (trx) => {
    const selected = query(trx);
    const rows = await selected.select(STORED_ROW).limit(page.limit).offset(page.offset).execute();
    const { count } = await selected
      .clearOrderBy()
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    return {
      items: rows.map(read),
      hasNextPage: page.offset + rows.length < count,
      totalCount: count,
    };
  });
}

/**
 * Runs `read` in a read-only transaction that sees one state of the database: a page and its
 * count then agree (on PostgreSQL a repeatable-read snapshot; SQLite's read transaction is one).
 */
export function readSnapshot<T>(db: Db, read: (trx: Db) => Promise<T>): Promise<T> {
  const transaction = db.transaction().setAccessMode("read only");
  const reading = isPostgres(db) ? transaction.setIsolationLevel("repeatable read") : transaction;
  return reading.execute(read);
}

/** A page of a source that has no total: the query asked for one row more than the page holds. */
export function uncountedPage<T>(itemsPlusOne: T[], page: PageRequest): Page<T> {
  return {
    items: itemsPlusOne.slice(0, page.limit),
    hasNextPage: itemsPlusOne.length > page.limit,
    totalCount: null,
  };
}

/** Epoch milliseconds of a filter's timestamp, so instants compare whatever their offsets. */
export function instant(timestamp: Timestamp): number {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw new BadUserInputError(`not an ISO 8601 timestamp: ${quoteInput(timestamp)}`);
  return ms;
}

/**
 * Takes or renews `holder`'s lease `name` (a `mirror_lease` row) for `ttlMs`: false while another
 * holder's runs. Inside a writing transaction it fences the write: nothing is written by an
 * instance that lost the lease.
 */
export async function renewedLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const now = Date.now();
  const result = await db
    .updateTable("mirror_lease")
    .set({ holder, expires_at_ms: now + ttlMs })
    .where("name", "=", name)
    .where((eb) => eb.or([eb("holder", "=", holder), eb("expires_at_ms", "<", now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the lease up now (shutting down), so another instance takes over at once. */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db
    .updateTable("mirror_lease")
    .set({ holder: "", expires_at_ms: 0 })
    .where("name", "=", name)
    .where("holder", "=", holder)
    .execute();
}
