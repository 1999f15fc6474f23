import { type Kysely, type Migration, Migrator, sql } from "kysely";
import { VALUE_FILTERS, valueFilterColumns } from "../providers/moneybird/rules.ts";
import type { Database } from "./database.ts";
import { columnTypes, isPostgres } from "./dialect.ts";

/** Moneybird's ids are large; the store's stay below 2^53 so they survive a JSON number round trip. */
export const MONEYBIRD_FIRST_ID = 4_960_814_100_000_001;

/** The tables that keep an upstream record a row (and, since 0002, its mapped `domain`). */
const RECORD_TABLES = [
  "productive_companies",
  "productive_contact_entries",
  "moneybird_contacts",
  "freeagent_contacts",
] as const;

// biome-ignore lint/suspicious/noExplicitAny: a migration runs on the schema of its time, not today's `Database`
async function index(db: Kysely<any>, name: string, table: string, columns: string[]): Promise<void> {
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}

/** Versioned schema changes, applied in name order at open; add a new entry, never edit an applied one (tests run a prefix of them to make an earlier version's store). */
export const MIGRATIONS: Record<string, Migration> = {
  "0001_initial": {
    async up(db) {
      const t = columnTypes(db);
      await db.schema
        .createTable("id_sequences")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("last_id", t.int64, (c) => c.notNull())
        .execute();
      await db
        .insertInto("id_sequences")
        .values([
          { name: "productive_companies", last_id: 0 },
          { name: "productive_contact_entries", last_id: 0 },
          { name: "moneybird", last_id: MONEYBIRD_FIRST_ID - 1 },
          { name: "freeagent_contacts", last_id: 0 },
        ])
        .execute();

      await db.schema
        .createTable("productive_companies")
        .addColumn("id", t.int64, (c) => c.primaryKey())
        .addColumn("record", "text", (c) => c.notNull())
        .addColumn("name_key", t.sortKey, (c) => c.notNull())
        .addColumn("company_code", "text")
        .addColumn("billing_name_key", "text")
        .addColumn("vat", "text")
        .addColumn("default_currency", "text")
        .addColumn("domain_key", "text")
        .addColumn("due_days", "integer")
        .addColumn("archived", "integer", (c) => c.notNull())
        .addColumn("created_at_ms", t.int64, (c) => c.notNull())
        .addColumn("last_activity_at_ms", t.int64)
        .execute();
      await db.schema
        .createIndex("productive_companies_name")
        .on("productive_companies")
        .columns(["name_key", "id"])
        .execute();
      await db.schema
        .createIndex("productive_companies_created")
        .on("productive_companies")
        .columns(["created_at_ms", "id"])
        .execute();
      await db.schema
        .createIndex("productive_companies_activity")
        .on("productive_companies")
        .columns(["last_activity_at_ms", "id"])
        .execute();
      await db.schema
        .createIndex("productive_companies_code")
        .on("productive_companies")
        .column("company_code")
        .execute();
      await db.schema
        .createIndex("productive_companies_domain")
        .on("productive_companies")
        .column("domain_key")
        .unique()
        .execute();

      await db.schema
        .createTable("productive_contact_entries")
        .addColumn("id", t.int64, (c) => c.primaryKey())
        .addColumn("record", "text", (c) => c.notNull())
        .addColumn("company_id", t.int64, (c) => c.notNull().references("productive_companies.id"))
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("contactable_type", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("productive_contact_entries_company")
        .on("productive_contact_entries")
        .columns(["company_id", "id"])
        .execute();

      await db.schema
        .createTable("moneybird_contacts")
        .addColumn("id", t.int64, (c) => c.primaryKey())
        .addColumn("record", "text", (c) => c.notNull())
        .addColumn("search_text", "text", (c) => c.notNull())
        .addColumn("firstname_key", "text", (c) => c.notNull())
        .addColumn("lastname_key", "text", (c) => c.notNull())
        .addColumn("customer_id", "text", (c) => c.notNull().unique())
        .addColumn("archived", "integer", (c) => c.notNull())
        .addColumn("created_at_ms", t.int64, (c) => c.notNull())
        .addColumn("updated_at_ms", t.int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("moneybird_contacts_firstname")
        .on("moneybird_contacts")
        .column("firstname_key")
        .execute();
      await db.schema
        .createIndex("moneybird_contacts_lastname")
        .on("moneybird_contacts")
        .column("lastname_key")
        .execute();

      await db.schema
        .createTable("moneybird_additional_charges")
        .addColumn("id", t.int64, (c) => c.primaryKey())
        .addColumn("contact_id", t.int64, (c) => c.notNull().references("moneybird_contacts.id"))
        .addColumn("billed", "integer", (c) => c.notNull())
        .addColumn("record", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("moneybird_additional_charges_contact")
        .on("moneybird_additional_charges")
        .columns(["contact_id", "id"])
        .execute();

      await db.schema
        .createTable("moneybird_payments_mandates")
        .addColumn("contact_id", t.int64, (c) =>
          c.primaryKey().references("moneybird_contacts.id").onDelete("cascade"),
        )
        .addColumn("record", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("moneybird_mandate_requests")
        .addColumn("id", t.autoNumberedKey, t.autoNumbered)
        .addColumn("contact_id", t.int64, (c) =>
          c.notNull().references("moneybird_contacts.id").onDelete("cascade"),
        )
        .addColumn("email_message", "text")
        .addColumn("identity_id", "text")
        .addColumn("url", "text")
        .addColumn("requested_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("moneybird_mandate_requests_contact")
        .on("moneybird_mandate_requests")
        .column("contact_id")
        .execute();

      await db.schema
        .createTable("freeagent_contacts")
        .addColumn("id", t.int64, (c) => c.primaryKey())
        .addColumn("record", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("sort_name", t.sortKey, (c) => c.notNull())
        .addColumn("active_projects_count", "integer", (c) => c.notNull())
        .addColumn("is_client", "integer", (c) => c.notNull())
        .addColumn("is_supplier", "integer", (c) => c.notNull())
        .addColumn("has_completed_projects", "integer", (c) => c.notNull())
        .addColumn("has_open_invoices", "integer", (c) => c.notNull())
        .addColumn("has_open_bills", "integer", (c) => c.notNull())
        .addColumn("created_at_ms", t.int64, (c) => c.notNull())
        .addColumn("updated_at_ms", t.int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("freeagent_contacts_name")
        .on("freeagent_contacts")
        .columns(["sort_name", "id"])
        .execute();
      await db.schema
        .createIndex("freeagent_contacts_created")
        .on("freeagent_contacts")
        .columns(["created_at_ms", "id"])
        .execute();
      await db.schema
        .createIndex("freeagent_contacts_updated")
        .on("freeagent_contacts")
        .columns(["updated_at_ms", "id"])
        .execute();
    },
  },

  /**
   * Issue 12: reads take the mapped `domain` instead of validating and mapping the record; every
   * list filter gets an index; tags a side table; Moneybird's version a column. Rows written
   * before have no `domain`, tags or version yet: opening the store fills them (completeStoredRows).
   */
  "0002_read_path": {
    async up(db) {
      const t = columnTypes(db);
      for (const table of RECORD_TABLES) {
        await db.schema.alterTable(table).addColumn("domain", "text").execute();
      }
      await db.schema.alterTable("moneybird_contacts").addColumn("version", t.int64).execute();

      await db.schema
        .createTable("productive_company_tags")
        .addColumn("company_id", t.int64, (c) =>
          c.notNull().references("productive_companies.id").onDelete("cascade"),
        )
        .addColumn("tag", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("productive_company_tags_pk", ["tag", "company_id"])
        .execute();
      await index(db, "productive_company_tags_company", "productive_company_tags", ["company_id"]);

      await index(db, "productive_companies_status", "productive_companies", ["archived", "name_key", "id"]);
      await index(db, "productive_companies_vat", "productive_companies", ["vat"]);
      await index(db, "productive_companies_currency", "productive_companies", ["default_currency"]);
      await index(db, "productive_companies_due_days", "productive_companies", ["due_days"]);
      await index(db, "productive_contact_entries_type", "productive_contact_entries", ["type", "id"]);
      await index(db, "productive_contact_entries_contactable", "productive_contact_entries", [
        "contactable_type",
        "id",
      ]);
      // listVersions reads no row: these cover the versions of unarchived contacts, and of all, in id order.
      await index(db, "moneybird_contacts_archived", "moneybird_contacts", ["archived", "id", "version"]);
      await index(db, "moneybird_contacts_versions", "moneybird_contacts", ["id", "version"]);
      // Every list but includeArchived's has archived = 0: with it first, each filter is one index search.
      await index(db, "moneybird_contacts_unarchived_firstname", "moneybird_contacts", [
        "archived",
        "firstname_key",
      ]);
      await index(db, "moneybird_contacts_unarchived_lastname", "moneybird_contacts", [
        "archived",
        "lastname_key",
      ]);
      await index(db, "moneybird_contacts_created", "moneybird_contacts", ["archived", "created_at_ms"]);
      await index(db, "moneybird_contacts_updated", "moneybird_contacts", ["archived", "updated_at_ms"]);
      await index(db, "freeagent_contacts_status", "freeagent_contacts", ["status", "sort_name", "id"]);
      for (const role of [
        "is_client",
        "is_supplier",
        "active_projects_count",
        "has_completed_projects",
        "has_open_invoices",
        "has_open_bills",
      ] as const) {
        await index(db, `freeagent_contacts_${role}`, "freeagent_contacts", [role]);
      }
    },
  },

  /**
   * Issue 13: Moneybird's filter keys that select by an attribute's value (contact_type,
   * delivery_method, …) get a column each, filled here from the stored records.
   */
  "0003_moneybird_coverage": {
    async up(db) {
      for (const column of Object.keys(VALUE_FILTERS)) {
        await db.schema.alterTable("moneybird_contacts").addColumn(column, "text").execute();
        await index(db, `moneybird_contacts_${column}`, "moneybird_contacts", ["archived", column]);
      }
      await db.schema.alterTable("moneybird_mandate_requests").addColumn("workflow_id", "text").execute();
      const rows = await db.selectFrom("moneybird_contacts").select(["id", "record"]).execute();
      for (const row of rows) {
        await db
          .updateTable("moneybird_contacts")
          .set(valueFilterColumns(JSON.parse(row.record)))
          .where("id", "=", row.id)
          .execute();
      }
    },
  },
};

/** Brings the schema to the latest version; a no-op when it already is. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrate = async (on: Kysely<Database>) => {
    const migrator = new Migrator({ db: on, provider: { getMigrations: async () => MIGRATIONS } });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  };
  if (isPostgres(db)) return migrate(db);
  // Kysely runs SQLite migrations outside any transaction and locks them within its process only,
  // so a second process starting at once would run them again ("table … already exists"). Under
  // SQLite's write lock, taken up front, it waits for the first and then finds them done.
  await db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      await migrate(connection);
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}

/** Whether the store holds no records yet (the condition for seeding). */
export async function isEmpty(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ empty: number }>`
    select case when not exists (select 1 from productive_companies)
       and not exists (select 1 from moneybird_contacts)
       and not exists (select 1 from freeagent_contacts) then 1 else 0 end as empty`.execute(db);
  return rows[0]?.empty === 1;
}
