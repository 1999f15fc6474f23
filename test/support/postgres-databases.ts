import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

/**
 * Throwaway databases on CI's PostgreSQL (.ci/run starts it), for the tests and the bench's
 * `--store postgres`: no vitest here, so the bench can use it too.
 */

/** CI's PostgreSQL (.ci/run starts it): trust auth on loopback, a `test` database to connect to first. */
const SERVER = "postgres://postgres@127.0.0.1:5432";

async function onServer<T>(statement: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/test` });
  await client.connect();
  try {
    return await statement(client);
  } finally {
    await client.end();
  }
}

/** A new empty database; its URL, and a function that drops it (whoever is still connected). */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gw_test_${randomBytes(6).toString("hex")}`;
  await onServer((client) => client.query(`create database ${name}`));
  return {
    url: `${SERVER}/${name}`,
    drop: async () => {
      await onServer(async (client) => {
        // pg's pool resolves its end() before its sockets have closed: a forced drop meanwhile would
        // terminate them, and their clients, no longer listened to, report it as an unhandled error.
        for (let waited = 0; waited < 2000; waited += 50) {
          const { rows } = await client.query<{ open: string }>(
            "select count(*) as open from pg_stat_activity where datname = $1",
            [name],
          );
          if (Number(rows[0]?.open) === 0) break;
          await sleep(50);
        }
        await client.query(`drop database if exists ${name} with (force)`);
      });
    },
  };
}
