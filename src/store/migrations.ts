import { type Kysely, type Migration, Migrator, sql } from "kysely";
import type { Database } from "./database.ts";

/** Moneybird's ids are large; the store's stay below 2^53 so they survive a JSON number round trip. */
export const MONEYBIRD_FIRST_ID = 4_960_814_100_000_001;

/** Versioned schema changes, applied in name order at open; add a new entry, never edit an applied one. */
const MIGRATIONS: Record<string, Migration> = {
  "0001_initial": {
    async up(db) {
      await db.schema
        .createTable("id_sequences")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("last_id", "integer", (c) => c.notNull())
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
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("record", "text", (c) => c.notNull())
        .addColumn("name_key", "text", (c) => c.notNull())
        .addColumn("company_code", "text")
        .addColumn("billing_name_key", "text")
        .addColumn("vat", "text")
        .addColumn("default_currency", "text")
        .addColumn("domain_key", "text")
        .addColumn("due_days", "integer")
        .addColumn("archived", "integer", (c) => c.notNull())
        .addColumn("created_at_ms", "integer", (c) => c.notNull())
        .addColumn("last_activity_at_ms", "integer")
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
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("record", "text", (c) => c.notNull())
        .addColumn("company_id", "integer", (c) => c.notNull().references("productive_companies.id"))
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
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("record", "text", (c) => c.notNull())
        .addColumn("search_text", "text", (c) => c.notNull())
        .addColumn("firstname_key", "text", (c) => c.notNull())
        .addColumn("lastname_key", "text", (c) => c.notNull())
        .addColumn("customer_id", "text", (c) => c.notNull().unique())
        .addColumn("archived", "integer", (c) => c.notNull())
        .addColumn("created_at_ms", "integer", (c) => c.notNull())
        .addColumn("updated_at_ms", "integer", (c) => c.notNull())
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
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("contact_id", "integer", (c) => c.notNull().references("moneybird_contacts.id"))
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
        .addColumn("contact_id", "integer", (c) =>
          c.primaryKey().references("moneybird_contacts.id").onDelete("cascade"),
        )
        .addColumn("record", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("moneybird_mandate_requests")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("contact_id", "integer", (c) =>
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
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("record", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("sort_name", "text", (c) => c.notNull())
        .addColumn("active_projects_count", "integer", (c) => c.notNull())
        .addColumn("is_client", "integer", (c) => c.notNull())
        .addColumn("is_supplier", "integer", (c) => c.notNull())
        .addColumn("has_completed_projects", "integer", (c) => c.notNull())
        .addColumn("has_open_invoices", "integer", (c) => c.notNull())
        .addColumn("has_open_bills", "integer", (c) => c.notNull())
        .addColumn("created_at_ms", "integer", (c) => c.notNull())
        .addColumn("updated_at_ms", "integer", (c) => c.notNull())
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
};

/** Brings the schema to the latest version; a no-op when it already is. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** Whether the store holds no records yet (the condition for seeding). */
export async function isEmpty(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ empty: number }>`
    select not exists (select 1 from productive_companies)
       and not exists (select 1 from moneybird_contacts)
       and not exists (select 1 from freeagent_contacts) as empty`.execute(db);
  return rows[0]?.empty === 1;
}
