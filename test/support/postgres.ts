import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { type LocalStore, type OpenStoreOptions, openStore } from "../../src/store/index.ts";
import { MONEYBIRD_FIRST_ID } from "../../src/store/migrations.ts";
import { createTestDatabase } from "./postgres-databases.ts";

/** A fresh database for the test file (created before its tests, dropped after): its URL. */
export function useTestDatabase(): () => string {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error("the test database exists only inside the file's tests");
    return database.url;
  };
}

/**
 * Empty stores on the file's database, one after another: each open empties every table and
 * restarts the id sequences, so a test starts as on a new `:memory:` store without a new database.
 */
export function useEmptyPostgresStores(): (options?: Omit<OpenStoreOptions, "url">) => Promise<LocalStore> {
  const url = useTestDatabase();
  return async (options = {}) => {
    const store = await openStore({ url: url(), seed: false, ...options });
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `select table_name as name from information_schema.tables
          where table_schema = 'public' and table_name not like 'kysely_%' and table_name <> 'id_sequences'`,
      );
      await client.query(`truncate ${rows.map((row) => row.name).join(", ")} restart identity`);
      await client.query(
        "update id_sequences set last_id = case when name = 'moneybird' then $1::bigint - 1 else 0 end",
        [MONEYBIRD_FIRST_ID],
      );
    } finally {
      await client.end();
    }
    return store;
  };
}
