import { type Kysely, type Migration, Migrator, sql } from "kysely";
import { contactNameKey } from "../domain/index.ts";
import { listParameterColumns, VALUE_FILTERS, valueFilterColumns } from "../providers/moneybird/rules.ts";
import type { Database } from "./database.ts";
import { columnTypes, isPostgres } from "./dialect.ts";
import { createSearchIndex } from "./search-index.ts";

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

  /**
   * Issue 13: the company filters on default subsidiary, tax rate and archiving time get columns;
   * a contact entry may belong to any contactable (company_id null unless a company owns it,
   * contactable_id its owner). The rows' `domain` is reset so opening the store maps them again
   * (completeStoredRows), which fills the new columns and the domain's new fields.
   */
  "0004_productive_coverage": {
    async up(db) {
      const t = columnTypes(db);
      for (const column of ["default_subsidiary_id", "default_tax_rate_id", "archived_at_ms"]) {
        await db.schema.alterTable("productive_companies").addColumn(column, t.int64).execute();
      }
      await index(db, "productive_companies_default_subsidiary", "productive_companies", [
        "default_subsidiary_id",
      ]);
      await index(db, "productive_companies_default_tax_rate", "productive_companies", [
        "default_tax_rate_id",
      ]);
      await index(db, "productive_companies_archived_at", "productive_companies", ["archived_at_ms", "id"]);

      if (isPostgres(db)) {
        await db.schema
          .alterTable("productive_contact_entries")
          .alterColumn("company_id", (c) => c.dropNotNull())
          .execute();
        await db.schema
          .alterTable("productive_contact_entries")
          .addColumn("contactable_id", t.int64)
          .execute();
      } else {
        // SQLite cannot drop a NOT NULL: the table is copied into one without it.
        await db.schema
          .createTable("productive_contact_entries_0004")
          .addColumn("id", t.int64, (c) => c.primaryKey())
          .addColumn("record", "text", (c) => c.notNull())
          .addColumn("domain", "text")
          .addColumn("company_id", t.int64, (c) => c.references("productive_companies.id"))
          .addColumn("contactable_id", t.int64)
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("contactable_type", "text", (c) => c.notNull())
          .execute();
        await sql`insert into productive_contact_entries_0004 (id, record, company_id, type, contactable_type)
          select id, record, company_id, type, contactable_type from productive_contact_entries`.execute(db);
        await db.schema.dropTable("productive_contact_entries").execute();
        await db.schema
          .alterTable("productive_contact_entries_0004")
          .renameTo("productive_contact_entries")
          .execute();
        await index(db, "productive_contact_entries_company", "productive_contact_entries", [
          "company_id",
          "id",
        ]);
        await index(db, "productive_contact_entries_type", "productive_contact_entries", ["type", "id"]);
        await index(db, "productive_contact_entries_contactable", "productive_contact_entries", [
          "contactable_type",
          "id",
        ]);
      }
      await index(db, "productive_contact_entries_owner", "productive_contact_entries", [
        "contactable_id",
        "id",
      ]);
      // The filters by an owner of one type (personIds, …) search both columns.
      await index(db, "productive_contact_entries_typed_owner", "productive_contact_entries", [
        "contactable_type",
        "contactable_id",
        "id",
      ]);
      for (const table of ["productive_companies", "productive_contact_entries"]) {
        await db.updateTable(table).set({ domain: null }).execute();
      }
    },
  },

  /**
   * Issue 13: the Moneybird contact list's `todo` and `contact_field`/`contact_value` parameters
   * read a column each (listParameterColumns), filled here from the stored records. They are
   * searched by position, like search_text, so an index would not serve them.
   */
  "0005_moneybird_freeagent_coverage": {
    async up(db) {
      for (const column of ["todo_types", "field_values"]) {
        await db.schema.alterTable("moneybird_contacts").addColumn(column, "text").execute();
      }
      const rows = await db.selectFrom("moneybird_contacts").select(["id", "record"]).execute();
      for (const row of rows) {
        await db
          .updateTable("moneybird_contacts")
          .set(listParameterColumns(JSON.parse(row.record)))
          .where("id", "=", row.id)
          .execute();
      }
    },
  },

  /** Issue 15: the search index over every searchable record, kept by triggers (search-index.ts). */
  "0006_search": { up: createSearchIndex },

  /**
   * Issue 15: the change log, a row per insert, update or delete of a record (and of each contact
   * person and note inside a Moneybird contact's record), written by triggers in the writing
   * transaction. An update that leaves the record as it was (a sync writing what is stored, the
   * `domain` filled at open) writes none.
   */
  "0007_changes": {
    async up(db) {
      const t = columnTypes(db);
      await db.schema
        .createTable("changes")
        .addColumn("sequence", t.autoNumberedKey, t.autoNumbered)
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("provider", "text", (c) => c.notNull())
        .addColumn("typename", "text", (c) => c.notNull())
        .addColumn("remote_id", "text", (c) => c.notNull())
        .addColumn("at_ms", t.int64, (c) => c.notNull())
        .execute();
      await index(db, "changes_at", "changes", ["at_ms"]);
      await db.schema
        .createTable("changes_horizon")
        .addColumn("pruned_through", t.int64, (c) => c.notNull())
        .execute();
      for (const statement of isPostgres(db) ? postgresChangeTriggers() : sqliteChangeTriggers()) {
        await sql.raw(statement).execute(db);
      }
    },
  },

  /**
   * `contacts(orderBy: NAME)`: both contact tables get the same name key (contactNameKey), so one
   * query orders them together; filled here from each row's `domain` (a row without one yet gets
   * it when opening the store maps it, completeStoredRows).
   */
  "0008_contact_name_key": {
    async up(db) {
      const t = columnTypes(db);
      // Moneybird's led by its lists' default condition (unarchived), so that side of the union
      // reads in order; FreeAgent's by name alone, so its status counts keep their own index.
      for (const [table, columns] of [
        ["moneybird_contacts", ["archived", "name_key", "id"]],
        ["freeagent_contacts", ["name_key", "id"]],
      ] as const) {
        await db.schema.alterTable(table).addColumn("name_key", t.sortKey).execute();
        await index(db, `${table}_name_key`, table, [...columns]);
        const rows = await db
          .selectFrom(table)
          .select(["id", "domain"])
          .where("domain", "is not", null)
          .execute();
        for (const row of rows) {
          await db
            .updateTable(table)
            .set({ name_key: contactNameKey(JSON.parse(row.domain)) })
            .where("id", "=", row.id)
            .execute();
        }
      }
    },
  },

  /** Issue 15: the mirror's progress per provider, and the lease that lets one instance sync. */
  "0009_mirror": {
    async up(db) {
      const t = columnTypes(db);
      await db.schema
        .createTable("mirror_state")
        .addColumn("provider", "text", (c) => c.primaryKey())
        .addColumn("synced_at_ms", t.int64)
        .addColumn("swept_at_ms", t.int64)
        .addColumn("cursor_ms", t.int64)
        .addColumn("attempted_at_ms", t.int64)
        .addColumn("last_error", "text")
        .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable("mirror_lease")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("expires_at_ms", t.int64, (c) => c.notNull())
        .execute();
      await db.insertInto("mirror_lease").values({ name: "sync", holder: "", expires_at_ms: 0 }).execute();
    },
  },

  /**
   * Issue 16: customers across the providers. `customer_links` is a record's link (its customer,
   * evidence, confidence, when made), `customers` the groups with a stable id, `customer_decisions`
   * what people decided by hand (kept for good: the matcher replays them in order), `customer_state`
   * the change-log position the links reflect; the `customers` lease lets one instance match.
   * Customer ids come from `id_sequences` (`customers`): never reused, so a global id keeps naming one customer.
   */
  "0010_customers": {
    async up(db) {
      const t = columnTypes(db);
      await db.schema
        .createTable("customers")
        .addColumn("id", t.int64, (c) => c.primaryKey())
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("name_key", t.sortKey, (c) => c.notNull())
        .addColumn("providers", "text", (c) => c.notNull())
        .addColumn("provider_count", "integer", (c) => c.notNull())
        .addColumn("record_count", "integer", (c) => c.notNull())
        .addColumn("conflicts", "text", (c) => c.notNull())
        .addColumn("created_at_ms", t.int64, (c) => c.notNull())
        .addColumn("updated_at_ms", t.int64, (c) => c.notNull())
        .execute();
      await index(db, "customers_name_key", "customers", ["name_key", "id"]);
      await db.schema
        .createTable("customer_links")
        .addColumn("node_id", "text", (c) => c.primaryKey())
        .addColumn("customer_id", t.int64, (c) => c.notNull())
        .addColumn("provider", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("record_id", "text", (c) => c.notNull())
        .addColumn("matched_by", "text", (c) => c.notNull())
        .addColumn("confidence_milli", "integer", (c) => c.notNull())
        .addColumn("manual", "integer", (c) => c.notNull())
        .addColumn("linked_at_ms", t.int64, (c) => c.notNull())
        .addColumn("pairs", "text", (c) => c.notNull())
        .addColumn("conflicts", "text", (c) => c.notNull())
        .execute();
      await index(db, "customer_links_customer", "customer_links", ["customer_id", "node_id"]);
      await db.schema
        .createTable("customer_decisions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("node_ids", "text", (c) => c.notNull())
        .addColumn("from_node_id", "text")
        .addColumn("made_at", "text", (c) => c.notNull())
        .addColumn("made_by", "text", (c) => c.notNull())
        .addColumn("applied", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await index(db, "customer_decisions_made_at", "customer_decisions", ["made_at", "id"]);
      await db.schema
        .createTable("customer_state")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("through_sequence", t.int64, (c) => c.notNull())
        .addColumn("matched_at_ms", t.int64, (c) => c.notNull())
        .execute();
      await db
        .insertInto("id_sequences")
        .values({ name: "customers", last_id: 0 })
        .onConflict((oc) => oc.column("name").doNothing())
        .execute();
      await db
        .insertInto("mirror_lease")
        .values({ name: "customers", holder: "", expires_at_ms: 0 })
        .execute();
    },
  },
};

/** The record tables the change log follows, and what their rows are in the graph. */
const CHANGE_TABLES = [
  { table: "productive_companies", provider: "PRODUCTIVE", typename: "Company" },
  { table: "productive_contact_entries", provider: "PRODUCTIVE", typename: "ContactEntry" },
  { table: "moneybird_contacts", provider: "MONEYBIRD", typename: "MoneybirdContact" },
  { table: "freeagent_contacts", provider: "FREEAGENT", typename: "FreeAgentContact" },
] as const;

/** The records a Moneybird contact's record holds, each a node of its own (`contactId/id`). */
const NESTED_CHANGES = [
  { key: "contact_people", typename: "ContactPerson" },
  { key: "notes", typename: "ContactNote" },
] as const;

/**
 * SQLite: write transactions hold the database's write lock from their start (`begin immediate`),
 * so the autoincrement sequence is in commit order already.
 */
function sqliteChangeTriggers(): string[] {
  const now = "cast(unixepoch('subsec') * 1000 as integer)";
  const insert = "insert into changes (kind, provider, typename, remote_id, at_ms)";
  // The nested records created, changed and removed between two versions of a contact's record.
  const nested = (key: string, typename: string, before: string, after: string) => {
    const items = (row: string) => `json_each(${row}.record, '$.${key}')`;
    const absent = (row: string, item: string) =>
      `not exists (select 1 from ${items(row)} other where other.value ->> 'id' = ${item}.value ->> 'id')`;
    const id = (row: string, item: string) => `${row}.id || '/' || (${item}.value ->> 'id') as remote_id`;
    const parts = [
      after &&
        `select 'CREATED' as kind, ${id(after, "item")} from ${items(after)} item${before ? ` where ${absent(before, "item")}` : ""}`,
      before &&
        after &&
        `select 'UPDATED' as kind, ${id(after, "item")} from ${items(after)} item join ${items(before)} other on other.value ->> 'id' = item.value ->> 'id' where other.value <> item.value`,
      before &&
        `select 'DELETED' as kind, ${id(before, "item")} from ${items(before)} item${after ? ` where ${absent(after, "item")}` : ""}`,
    ].filter(Boolean);
    return `${insert} select kind, 'MONEYBIRD', '${typename}', remote_id, ${now} from (${parts.join(" union all ")});`;
  };
  return CHANGE_TABLES.flatMap(({ table, provider, typename }) => {
    const own = (kind: string, row: string) =>
      `${insert} values ('${kind}', '${provider}', '${typename}', cast(${row}.id as text), ${now});`;
    const inner = (before: string, after: string) =>
      table === "moneybird_contacts"
        ? NESTED_CHANGES.map((n) => nested(n.key, n.typename, before, after)).join(" ")
        : "";
    return [
      `create trigger ${table}_created after insert on ${table} begin ${own("CREATED", "new")} ${inner("", "new")} end`,
      `create trigger ${table}_updated after update of record on ${table} when old.record is not new.record begin ${own("UPDATED", "new")} ${inner("old", "new")} end`,
      `create trigger ${table}_deleted after delete on ${table} begin ${own("DELETED", "old")} ${inner("old", "")} end`,
    ];
  });
}

/** Arbitrary key of the transaction lock that puts PostgreSQL's change log in commit order. */
const CHANGES_LOCK_KEY = 7_301_150_015;

/**
 * PostgreSQL: concurrent transactions take sequence values in any order and commit in another, so
 * a reader could see position 11 before 10 commits and pass 10 by. The triggers are deferred to
 * commit time and take a transaction lock there: the log's writers queue at their commits only
 * (holding their record locks already, so no deadlock), and positions are taken in commit order.
 */
function postgresChangeTriggers(): string[] {
  const now = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
  const constraintTrigger = (name: string, table: string, call: string) =>
    `create constraint trigger ${name} after insert or update or delete on ${table}
       deferrable initially deferred for each row execute function ${call}`;
  return [
    `create function record_change() returns trigger language plpgsql as $$
     begin
       if tg_op = 'UPDATE' and old.record = new.record then return null; end if;
       perform pg_advisory_xact_lock(${CHANGES_LOCK_KEY});
       insert into changes (kind, provider, typename, remote_id, at_ms) values (
         case tg_op when 'INSERT' then 'CREATED' when 'UPDATE' then 'UPDATED' else 'DELETED' end,
         tg_argv[0], tg_argv[1], (case when tg_op = 'DELETE' then old.id else new.id end)::text, ${now});
       return null;
     end $$`,
    // tg_argv: the nested records' key in the contact's record, and their typename.
    `create function record_nested_changes() returns trigger language plpgsql as $$
     declare
       before_items jsonb := '[]';
       after_items jsonb := '[]';
       contact_id text := (case when tg_op = 'DELETE' then old.id else new.id end)::text;
     begin
       if tg_op = 'UPDATE' and old.record = new.record then return null; end if;
       if tg_op <> 'INSERT' and jsonb_typeof(old.record::jsonb -> tg_argv[0]) = 'array' then
         before_items := old.record::jsonb -> tg_argv[0];
       end if;
       if tg_op <> 'DELETE' and jsonb_typeof(new.record::jsonb -> tg_argv[0]) = 'array' then
         after_items := new.record::jsonb -> tg_argv[0];
       end if;
       perform pg_advisory_xact_lock(${CHANGES_LOCK_KEY});
       insert into changes (kind, provider, typename, remote_id, at_ms)
       select kind, 'MONEYBIRD', tg_argv[1], contact_id || '/' || item_id, ${now} from (
         select 'CREATED' as kind, item ->> 'id' as item_id from jsonb_array_elements(after_items) item
          where not exists (select 1 from jsonb_array_elements(before_items) other where other ->> 'id' = item ->> 'id')
         union all
         select 'UPDATED', item ->> 'id' from jsonb_array_elements(after_items) item
           join jsonb_array_elements(before_items) other on other ->> 'id' = item ->> 'id' where other <> item
         union all
         select 'DELETED', item ->> 'id' from jsonb_array_elements(before_items) item
          where not exists (select 1 from jsonb_array_elements(after_items) other where other ->> 'id' = item ->> 'id')
       ) nested;
       return null;
     end $$`,
    // Triggers of one event fire in name order: the contact's own change before its people's and notes'.
    ...CHANGE_TABLES.map(({ table, provider, typename }) =>
      constraintTrigger(`${table}_changes`, table, `record_change('${provider}', '${typename}')`),
    ),
    ...NESTED_CHANGES.map(({ key, typename }) =>
      constraintTrigger(
        `moneybird_contacts_changes_${key}`,
        "moneybird_contacts",
        `record_nested_changes('${key}', '${typename}')`,
      ),
    ),
  ];
}

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
