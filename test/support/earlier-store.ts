import type { Db } from "../../src/store/database.ts";
import { openDatabase } from "../../src/store/dialect.ts";
import { migrateToLatest } from "../../src/store/migrations.ts";
import type { RecordTable } from "../../src/store/support.ts";

/**
 * Writes records with today's store code, then copies their rows into `db`, a store migrated to an
 * earlier version, with only the columns that version has: today's writes set columns added since,
 * so they cannot write into an earlier version directly (migration tests).
 */
export async function writeIntoEarlierVersion(
  db: Db,
  tables: readonly RecordTable[],
  write: (today: Db) => Promise<void>,
): Promise<void> {
  const today = openDatabase({ url: ":memory:", poolSize: 1, log: undefined });
  try {
    await migrateToLatest(today);
    await write(today);
    const earlier = await db.introspection.getTables();
    for (const table of tables) {
      const columns = new Set(
        earlier.find((meta) => meta.name === table)?.columns.map((column) => column.name),
      );
      for (const row of await today.selectFrom(table).selectAll().execute()) {
        const values = Object.fromEntries(Object.entries(row).filter(([column]) => columns.has(column)));
        // The row of the earlier version; the type is today's.
        await db
          .insertInto(table)
          .values(values as never)
          .execute();
      }
    }
  } finally {
    await today.destroy();
  }
}
