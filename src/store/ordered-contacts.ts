import { sql } from "kysely";
import type {
  Contact,
  ContactOrder,
  FreeAgentContact,
  OrderedContactFilter,
  Page,
  Provider,
} from "../domain/index.ts";
import type { OrderedContactSource } from "../ports.ts";
import type { Db } from "./database.ts";
import { contactListQuery as freeAgentListQuery } from "./freeagent.ts";
import { contactListQuery as moneybirdListQuery, readContact } from "./moneybird.ts";
import { instant, readSnapshot, readStoredRow, type StoredRow, uncountedPage } from "./support.ts";

/** The column each order reads; both contact tables have all three (name_key since 0008). */
const ORDER_COLUMN = {
  NAME: "name_key",
  CREATED_AT: "created_at_ms",
  UPDATED_AT: "updated_at_ms",
} as const;

interface OrderedRow extends StoredRow {
  provider: Contact["provider"];
}

const readOrderedRow = (row: OrderedRow): Contact =>
  row.provider === "MONEYBIRD" ? readContact(row) : readStoredRow<FreeAgentContact>(row);

/**
 * A provider's rows, filtered as its own list filters them (contactListQuery), with the order key
 * and provider beside each; selected from a derived table, so both providers' queries have one
 * type and can be joined by `union all` (both dialects flatten it away).
 */
function providerRows(
  db: Db,
  provider: Contact["provider"],
  filter: OrderedContactFilter,
  order: ContactOrder,
) {
  const columns = [
    sql<Contact["provider"]>`${provider}`.as("provider"),
    sql<string | number>`${sql.ref(ORDER_COLUMN[order.field])}`.as("sort_key"),
    "id",
    "domain",
    "record",
  ] as const;
  const { includeArchived, createdAfter, updatedAfter } = filter;
  const freeAgent = () => {
    const listed = freeAgentListQuery(db, {
      view: includeArchived ? "ALL" : "ACTIVE",
      updatedAfter,
    }).clearOrderBy();
    return createdAfter === undefined ? listed : listed.where("created_at_ms", ">", instant(createdAfter));
  };
  const rows =
    provider === "MONEYBIRD"
      ? moneybirdListQuery(db, { includeArchived, createdAfter, updatedAfter }).clearOrderBy().select(columns)
      : freeAgent().select(columns);
  return db.selectFrom(rows.as("rows")).selectAll();
}

/**
 * One statement a page over both contact tables: ordered by the key, then provider, then id, so
 * equal keys (the same name, a bulk import's timestamps) still page without gaps or repeats. The
 * total is a second statement in the same snapshot, as readPage counts.
 */
export function createOrderedContactSource(db: Db, providers: readonly Provider[]): OrderedContactSource {
  return {
    covers: (provider) => providers.includes(provider),
    async list(filter, order, selected, page): Promise<Page<Contact>> {
      const [head, ...tail] = selected;
      if (!head) return { items: [], hasNextPage: false, totalCount: 0 };
      const listed = (on: Db) =>
        tail.reduce(
          (union, provider) => union.unionAll(providerRows(on, provider, filter, order)),
          providerRows(on, head, filter, order),
        );
      const direction = order.direction === "ASC" ? "asc" : "desc";
      const pageRows = async (on: Db, limit: number) =>
        (
          await listed(on)
            .orderBy("sort_key", direction)
            .orderBy("provider")
            .orderBy("id")
            .limit(limit)
            .offset(page.offset)
            .execute()
        ).map(readOrderedRow);
      if (page.countTotal === false) return uncountedPage(await pageRows(db, page.limit + 1), page);
      return readSnapshot(db, async (trx) => {
        const items = await pageRows(trx, page.limit);
        const { count } = await trx
          .selectFrom(listed(trx).as("listed"))
          .select((eb) => eb.fn.countAll<number>().as("count"))
          .executeTakeFirstOrThrow();
        return { items, hasNextPage: page.offset + items.length < count, totalCount: count };
      });
    },
  };
}
