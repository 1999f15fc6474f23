import type { SelectQueryBuilder } from "kysely";
import type { Database, Db } from "../../src/store/database.ts";
import { contactListQuery as freeAgentListQuery } from "../../src/store/freeagent.ts";
import { contactListQuery as moneybirdListQuery } from "../../src/store/moneybird.ts";
import { companyListQuery, contactEntryListQuery } from "../../src/store/productive.ts";

const BY_NAME = { field: "NAME", direction: "ASC" } as const;

// biome-ignore lint/suspicious/noExplicitAny: any table's list query
export type ListQuery = SelectQueryBuilder<Database, any, object>;

/**
 * Every filter the schema offers, as the store's list query, with the index its count must search
 * (SQLite's name for a rowid lookup is "INTEGER PRIMARY KEY"; PostgreSQL names the primary key's index).
 * `since` is the instant of the time filters.
 */
export function listFilters(db: Db, since = "2024-01-01T00:00:00Z"): [string, ListQuery, string][] {
  return [
    ["companies ids", companyListQuery(db, { ids: ["1"] }, BY_NAME), "INTEGER PRIMARY KEY"],
    [
      "companies companyCode",
      companyListQuery(db, { companyCode: "X" }, BY_NAME),
      "productive_companies_code",
    ],
    ["companies vat", companyListQuery(db, { vat: "X" }, BY_NAME), "productive_companies_vat"],
    [
      "companies currency",
      companyListQuery(db, { defaultCurrency: "EUR" }, BY_NAME),
      "productive_companies_currency",
    ],
    [
      "companies status",
      companyListQuery(db, { status: "ARCHIVED" }, BY_NAME),
      "productive_companies_status",
    ],
    ["companies tags", companyListQuery(db, { tags: ["x"] }, BY_NAME), "productive_company_tags"],
    ["companies dueDays", companyListQuery(db, { dueDays: 30 }, BY_NAME), "productive_companies_due_days"],
    [
      "companies createdAfter",
      companyListQuery(db, { createdAfter: since }, BY_NAME),
      "productive_companies_created",
    ],
    [
      "companies createdBefore",
      companyListQuery(db, { createdBefore: since }, BY_NAME),
      "productive_companies_created",
    ],
    [
      "entries companyIds",
      contactEntryListQuery(db, { companyIds: ["1"] }),
      "productive_contact_entries_company",
    ],
    ["entries types", contactEntryListQuery(db, { types: ["EMAIL"] }), "productive_contact_entries_type"],
    [
      "entries contactableTypes",
      contactEntryListQuery(db, { contactableTypes: ["COMPANY"] }),
      "productive_contact_entries_contactable",
    ],
    ["Moneybird unarchived", moneybirdListQuery(db, {}), "moneybird_contacts_"],
    [
      "Moneybird firstName",
      moneybirdListQuery(db, { firstName: "x" }),
      "moneybird_contacts_unarchived_firstname",
    ],
    [
      "Moneybird lastName",
      moneybirdListQuery(db, { lastName: "x" }),
      "moneybird_contacts_unarchived_lastname",
    ],
    ["Moneybird createdAfter", moneybirdListQuery(db, { createdAfter: since }), "moneybird_contacts_created"],
    ["Moneybird updatedAfter", moneybirdListQuery(db, { updatedAfter: since }), "moneybird_contacts_updated"],
    ["FreeAgent ACTIVE", freeAgentListQuery(db, { view: "ACTIVE" }), "freeagent_contacts_status"],
    ["FreeAgent HIDDEN", freeAgentListQuery(db, { view: "HIDDEN" }), "freeagent_contacts_status"],
    ["FreeAgent CLIENTS", freeAgentListQuery(db, { view: "CLIENTS" }), "freeagent_contacts_is_client"],
    ["FreeAgent SUPPLIERS", freeAgentListQuery(db, { view: "SUPPLIERS" }), "freeagent_contacts_"],
    [
      "FreeAgent COMPLETED_PROJECTS",
      freeAgentListQuery(db, { view: "COMPLETED_PROJECTS" }),
      "freeagent_contacts_has_completed_projects",
    ],
    [
      "FreeAgent OPEN_CLIENTS",
      freeAgentListQuery(db, { view: "OPEN_CLIENTS" }),
      "freeagent_contacts_has_open_invoices",
    ],
    [
      "FreeAgent OPEN_SUPPLIERS",
      freeAgentListQuery(db, { view: "OPEN_SUPPLIERS" }),
      "freeagent_contacts_has_open_bills",
    ],
    [
      "FreeAgent updatedAfter",
      freeAgentListQuery(db, { view: "ALL", updatedAfter: since }),
      "freeagent_contacts_updated",
    ],
  ];
}
