import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import type {
  CompanySource,
  ContactEntrySource,
  FreeAgentContactSource,
  MoneybirdContactSource,
} from "../ports.ts";
import type { Database } from "./database.ts";
import { createFreeAgentContactSource } from "./freeagent.ts";
import { isEmpty, migrateToLatest } from "./migrations.ts";
import { createMoneybirdContactSource } from "./moneybird.ts";
import { createCompanySource, createContactEntrySource } from "./productive.ts";
import { seedDemoData } from "./seed.ts";

/** The embedded local store: every port, on SQLite. */
export interface LocalStore {
  companies: CompanySource;
  contactEntries: ContactEntrySource;
  moneybirdContacts: MoneybirdContactSource;
  freeAgentContacts: FreeAgentContactSource;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** A file path (its folder is created) or ":memory:". */
  url: string;
  /** Seed the demo data when the store is empty (default true). */
  seed?: boolean;
  /** Whether the Moneybird administration has Moneybird Payments (mandates) enabled (default true). */
  moneybirdPaymentsEnabled?: boolean;
  /** Called with the SQL of every statement the store runs (query logging, metrics, tests). */
  onQuery?: (sql: string) => void;
}

export async function openStore({
  url,
  seed = true,
  moneybirdPaymentsEnabled = true,
  onQuery,
}: OpenStoreOptions): Promise<LocalStore> {
  const inMemory = url === ":memory:";
  if (!inMemory) mkdirSync(dirname(url), { recursive: true });
  const database = new SQLite(url);
  if (!inMemory) database.pragma("journal_mode = WAL");
  database.pragma("foreign_keys = ON");

  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database }),
    log: onQuery
      ? (event) => {
          if (event.level === "query") onQuery(event.query.sql);
        }
      : undefined,
  });
  try {
    await migrateToLatest(db);
    if (seed && (await isEmpty(db))) await db.transaction().execute((trx) => seedDemoData(trx));
  } catch (error) {
    await db.destroy();
    throw error;
  }

  return {
    companies: createCompanySource(db),
    contactEntries: createContactEntrySource(db),
    moneybirdContacts: createMoneybirdContactSource(db, { paymentsEnabled: moneybirdPaymentsEnabled }),
    freeAgentContacts: createFreeAgentContactSource(db),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
