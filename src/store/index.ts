import { sql } from "kysely";
import type { Provider } from "../domain/index.ts";
import type {
  CompanySource,
  ContactEntrySource,
  FreeAgentContactSource,
  MirrorStore,
  MoneybirdContactSource,
  OrderedContactSource,
  SearchSource,
} from "../ports.ts";
import { createChangeSource, type StoreChangeSource } from "./changes.ts";
import { type CustomerTables, createCustomerStore } from "./customers.ts";
import type { Db } from "./database.ts";
import { exclusiveSetup, isPostgresUrl, openDatabase } from "./dialect.ts";
import { completeFreeAgentRows, createFreeAgentContactSource } from "./freeagent.ts";
import { isEmpty, migrateToLatest } from "./migrations.ts";
import { createMirrorStore, type MirrorStoreOptions } from "./mirror.ts";
import { completeMoneybirdRows, createMoneybirdContactSource } from "./moneybird.ts";
import { createOrderedContactSource } from "./ordered-contacts.ts";
import { completeProductiveRows, createCompanySource, createContactEntrySource } from "./productive.ts";
import { createSearchSource } from "./search.ts";
import { seedDemoData } from "./seed.ts";

/** The local store: every port, on SQLite or PostgreSQL. */
export interface LocalStore {
  companies: CompanySource;
  contactEntries: ContactEntrySource;
  moneybirdContacts: MoneybirdContactSource;
  freeAgentContacts: FreeAgentContactSource;
  changes: StoreChangeSource;
  /** The customer tables: the matcher's writes and the schema's reads (issue 16). */
  customers: CustomerTables;
  /** Search over the records of `providers` (those the store serves: the others' rows are not theirs). */
  search(providers: readonly Provider[]): SearchSource;
  /** Contacts in one order across the accounting providers among `providers` (those the store serves). */
  orderedContacts(providers: readonly Provider[]): OrderedContactSource;
  /** The mirror's writes into these same tables (src/mirror keeps a live provider's records here). */
  mirror(options: MirrorStoreOptions): MirrorStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** A SQLite file path (its folder is created) or ":memory:", or a postgres:// URL. */
  url: string;
  /** PostgreSQL connections at most (default 10). */
  poolSize?: number;
  /** Seed the demo data when the store is empty (default true). */
  seed?: boolean;
  /** Whether the Moneybird administration has Moneybird Payments (mandates) enabled (default true). */
  moneybirdPaymentsEnabled?: boolean;
  /** Called with the SQL of every statement the store runs and its duration (query logging, metrics, tests). */
  onQuery?: (sql: string, durationMs: number) => void;
  /** How long the change log keeps a change (default 7 days). */
  changesRetentionDays?: number;
}

/** Gives rows an earlier version wrote what reads now rely on (`domain`, tags, versions). */
async function completeStoredRows(db: Db): Promise<void> {
  await completeProductiveRows(db);
  await completeMoneybirdRows(db);
  await completeFreeAgentRows(db);
}

/** "CODE: message"; a refused connection to every address of a host name is an AggregateError without a message. */
function describeFailure(error: unknown): string {
  const { code, message, errors } = error as { code?: unknown; message?: string; errors?: Error[] };
  const text = message || errors?.[0]?.message || String(error);
  return typeof code === "string" && !text.includes(code) ? `${code}: ${text}` : text;
}

/** A PostgreSQL store that cannot be opened: unreachable, refused, or failing to migrate. */
export class StoreOpenError extends Error {
  override name = "StoreOpenError";
}

export async function openStore({
  url,
  poolSize = 10,
  seed = true,
  moneybirdPaymentsEnabled = true,
  onQuery,
  changesRetentionDays = 7,
}: OpenStoreOptions): Promise<LocalStore> {
  const db = openDatabase({
    url,
    poolSize,
    log: onQuery
      ? (event) => {
          if (event.level === "query") onQuery(event.query.sql, event.queryDurationMillis);
        }
      : undefined,
  });
  let changes: StoreChangeSource;
  try {
    await exclusiveSetup(db, async (setup) => {
      await migrateToLatest(setup);
      await setup.transaction().execute(completeStoredRows);
      if (!seed) return;
      // Decided inside the seeding transaction: of instances opening an empty store at once, one seeds.
      await setup.transaction().execute(async (trx) => {
        if (await isEmpty(trx)) await seedDemoData(trx);
      });
    });
    changes = await createChangeSource(db, { retentionDays: changesRetentionDays });
  } catch (error) {
    await db.destroy();
    if (!isPostgresUrl(url)) throw error;
    throw new StoreOpenError(`cannot open it as a PostgreSQL store (${describeFailure(error)})`, {
      cause: error,
    });
  }

  return {
    companies: createCompanySource(db),
    contactEntries: createContactEntrySource(db),
    moneybirdContacts: createMoneybirdContactSource(db, { paymentsEnabled: moneybirdPaymentsEnabled }),
    freeAgentContacts: createFreeAgentContactSource(db),
    changes,
    customers: createCustomerStore(db),
    search: (providers) => createSearchSource(db, providers),
    orderedContacts: (providers) => createOrderedContactSource(db, providers),
    mirror: (options) => createMirrorStore(db, options),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      changes.close();
      await db.destroy();
    },
  };
}
