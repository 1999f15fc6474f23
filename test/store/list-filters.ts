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
    ["companies companyIds", companyListQuery(db, { companyIds: ["1"] }, BY_NAME), "INTEGER PRIMARY KEY"],
    [
      "companies defaultSubsidiaryIds",
      companyListQuery(db, { defaultSubsidiaryIds: ["1"] }, BY_NAME),
      "productive_companies_default_subsidiary",
    ],
    [
      "companies subsidiaryIds",
      companyListQuery(db, { subsidiaryIds: ["1"] }, BY_NAME),
      "productive_companies_default_subsidiary",
    ],
    [
      "companies defaultTaxRateIds",
      companyListQuery(db, { defaultTaxRateIds: ["1"] }, BY_NAME),
      "productive_companies_default_tax_rate",
    ],
    [
      "companies createdAt",
      companyListQuery(db, { createdAt: { gtEq: since } }, BY_NAME),
      "productive_companies_created",
    ],
    [
      "companies archivedAt",
      companyListQuery(db, { archivedAt: { lt: since } }, BY_NAME),
      "productive_companies_archived_at",
    ],
    [
      "companies lastActivityAt",
      companyListQuery(db, { lastActivityAt: { eq: since } }, BY_NAME),
      "productive_companies_activity",
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
      // Either index led by contactable_type serves it (the planner may take the owner's).
      "productive_contact_entries_",
    ],
    [
      "entries personIds",
      contactEntryListQuery(db, { personIds: ["1"] }),
      "productive_contact_entries_typed_owner",
    ],
    [
      "entries contactableIds",
      contactEntryListQuery(db, { contactableIds: ["1"] }),
      "productive_contact_entries_owner",
    ],
    ["Moneybird unarchived", moneybirdListQuery(db, {}), "moneybird_contacts_"],
    // Position searches, like query's: the unarchived contacts' index, then each row's line test.
    [
      "Moneybird todo",
      moneybirdListQuery(db, { todo: "contact_email_delivery_failed" }),
      "moneybird_contacts_",
    ],
    [
      "Moneybird contactField",
      moneybirdListQuery(db, { contactField: "city", contactValue: "x" }),
      "moneybird_contacts_",
    ],
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
