import type { SelectQueryBuilder } from "kysely";
import type { Page, PageRequest, RecordKind, Timestamp } from "../domain/index.ts";
import { BadUserInputError, NotFoundError } from "../errors.ts";
import { isIntegerId } from "../providers/shared/ids.ts";
import { quoteInput } from "../security/redaction.ts";
import type { Database, Db, SequenceName } from "./database.ts";

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

/** The ids that can name a stored record; any other string names nothing. */
export function storedIds(ids: readonly string[]): number[] {
  return ids.filter((id) => isIntegerId(id) && Number.isSafeInteger(Number(id))).map(Number);
}

/** The tables that keep one upstream record a row, under the record's id. */
export type RecordTable =
  | "productive_companies"
  | "productive_contact_entries"
  | "moneybird_contacts"
  | "freeagent_contacts";

/** `getByIds` in one query: an answer per requested id, in its order, null where nothing matched. */
export async function readByIds<T extends { id: string }>(
  db: Db,
  table: RecordTable,
  ids: readonly string[],
  read: (record: string) => T,
): Promise<(T | null)[]> {
  const rows = await db.selectFrom(table).select("record").where("id", "in", storedIds(ids)).execute();
  const byId = new Map(rows.map((row) => read(row.record)).map((item) => [item.id, item]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The stored record a write changes, or NotFoundError. */
export async function loadRecord<T>(db: Db, table: RecordTable, kind: RecordKind, id: string): Promise<T> {
  const [storedId] = storedIds([id]);
  const row =
    storedId === undefined
      ? undefined
      : await db.selectFrom(table).select("record").where("id", "=", storedId).executeTakeFirst();
  if (!row) throw new NotFoundError(kind, id);
  return JSON.parse(row.record) as T;
}

/**
 * A page of the records a query selects, with their total: the rows and the count are read in one
 * transaction, so a write in between cannot make `totalCount` and `hasNextPage` disagree with the
 * rows. `query` filters and orders; the page's window is applied here.
 */
export function readCountedPage<Table extends RecordTable, T>(
  db: Db,
  page: PageRequest,
  query: (trx: Db) => SelectQueryBuilder<Database, Table, object>,
  read: (record: string) => T,
): Promise<Page<T>> {
  return db.transaction().execute(async (trx) => {
    const selected = query(trx);
    const rows = await selected.select("record").limit(page.limit).offset(page.offset).execute();
    const { count } = await selected
      .clearOrderBy()
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    return {
      items: rows.map((row) => read(row.record)),
      hasNextPage: page.offset + rows.length < count,
      totalCount: count,
    };
  });
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
