import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import {
  type Company,
  type CompanyContactDetails,
  type CompanyFilter,
  type CompanyOrder,
  type ContactableType,
  type ContactEntry,
  type ContactEntryFilter,
  type ContactEntryOwner,
  type ContactEntryType,
  type CreateCompany,
  type CreateContactEntry,
  DATE_OPERATORS,
  entryOwner,
  type PageRequest,
  type ProductiveDateFilter,
  type UpdateCompany,
  type UpdateContactEntry,
} from "../domain/index.ts";
import { ValidationError } from "../errors.ts";
import type { CompanySource, ContactEntrySource } from "../ports.ts";
import {
  companyAttributes,
  companyFromRecord,
  contactEntryAttributes,
  contactEntryFromRecord,
  fieldErrorsFromJsonApi,
} from "../providers/productive/mapping.ts";
import {
  CompanyRecord,
  ContactEntryRecord,
  companyRelationships,
  contactEntryRelationships,
  EMPTY_COMPANY_ATTRIBUTES,
  EMPTY_CONTACT_ENTRY_ATTRIBUTES,
  type JsonApiErrors,
} from "../providers/productive/records.ts";
import {
  assertFilterSendable,
  assertOwnerId,
  blankAttribute,
  companyErrors,
  domainKey,
} from "../providers/productive/rules.ts";
import { foldCase, isBlank } from "../providers/shared/text.ts";
import type { Database, Db } from "./database.ts";
import { positionFunction, violatedUniqueColumn } from "./dialect.ts";
import {
  anyOf,
  domainJson,
  instant,
  loadRecord,
  nextId,
  nextIds,
  readByIds,
  readPage,
  readStoredRow,
  type StoredRow,
  storedIds,
} from "./support.ts";

/** The organization every record of the store belongs to (Productive records name theirs). */
const ORGANIZATION_ID = "1";

type Attributes = Record<string, unknown>;
type StoredResource = {
  id: string;
  type: string;
  attributes: Attributes;
  relationships: Record<string, unknown>;
};

/** Productive's 422 body, converted exactly as the REST adapter converts it, so both give the same paths. */
function assertNoErrors(errors: JsonApiErrors["errors"]): void {
  if (errors.length > 0) throw new ValidationError(fieldErrorsFromJsonApi({ errors }));
}

async function domainTaken(db: Db, domain: unknown, companyId: number): Promise<boolean> {
  if (typeof domain !== "string") return false;
  const owner = await db
    .selectFrom("productive_companies")
    .select("id")
    .where("domain_key", "=", domainKey(domain))
    .where("id", "!=", companyId)
    .executeTakeFirst();
  return owner !== undefined;
}

async function assertValidCompany(db: Db, attributes: Attributes, companyId: number): Promise<void> {
  assertNoErrors(companyErrors(attributes, await domainTaken(db, attributes.domain, companyId)));
}

/**
 * Writes a valid company's row. The check above answers every failing field at once; the unique
 * index on `domain_key` decides between concurrent writes of one domain (another instance's among
 * them), and its violation answers as the check would have: "domain already taken".
 */
async function writeCompanyRow(attributes: Attributes, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (violatedUniqueColumn(error) === "productive_companies.domain_key") {
      assertNoErrors(companyErrors(attributes, true));
    }
    throw error;
  }
}

function assertValidContactEntry(attributes: Attributes): void {
  if (isBlank(attributes.name)) assertNoErrors([blankAttribute("name")]);
}

/** Like Productive: the name's first letters in capitals and its digits, numbered when already used. */
async function generateCompanyCode(db: Db, name: string): Promise<string> {
  const letters = name
    .normalize("NFD")
    .toUpperCase()
    .replace(/[^A-Z]/g, "")
    .slice(0, 4);
  const base = (letters || "COMP") + name.replace(/\D/g, "");
  const used = new Set(
    (
      await db
        .selectFrom("productive_companies")
        .select("company_code")
        .where("company_code", "like", `${base}%`)
        .execute()
    ).map((row) => row.company_code),
  );
  if (!used.has(base)) return base;
  let suffix = 2;
  while (used.has(`${base}${suffix}`)) suffix++;
  return `${base}${suffix}`;
}

/** Writes validate and map the record; reads take the `domain` a write stored (readStoredRow). */
const toCompany = (record: StoredResource) => companyFromRecord(CompanyRecord.parse(record), record);
const toContactEntry = (record: StoredResource) =>
  contactEntryFromRecord(ContactEntryRecord.parse(record), record);
const readCompany = (row: StoredRow) => readStoredRow<Company>(row);
const readContactEntry = (row: StoredRow) => readStoredRow<ContactEntry>(row);

const storedId = (id: string | null) => (id === null ? null : Number(id));

/** The company a record is, and the row that stores it. */
function companyRow(record: StoredResource) {
  const company = toCompany(record);
  return { company, columns: companyColumns(company) };
}

/** The columns of a company's row: its `raw` is the record it was mapped from (a mirror's, the provider's answer). */
export function companyColumns(company: Company) {
  return {
    record: JSON.stringify(company.raw),
    domain: domainJson(company),
    name_key: foldCase(company.name),
    company_code: company.companyCode,
    billing_name_key: company.billingName === null ? null : foldCase(company.billingName),
    vat: company.vat,
    default_currency: company.defaultCurrency,
    domain_key: company.domain === null ? null : domainKey(company.domain),
    due_days: company.dueDays,
    archived: company.status === "ARCHIVED" ? 1 : 0,
    created_at_ms: Date.parse(company.createdAt),
    last_activity_at_ms: company.lastActivityAt === null ? null : Date.parse(company.lastActivityAt),
    default_subsidiary_id: storedId(company.defaultSubsidiaryId),
    default_tax_rate_id: storedId(company.defaultTaxRateId),
    archived_at_ms: company.archivedAt === null ? null : Date.parse(company.archivedAt),
  };
}

function contactEntryRow(record: StoredResource) {
  const entry = toContactEntry(record);
  return { entry, columns: contactEntryColumns(entry) };
}

/** The columns of a contact entry's row, from the entry and the record it was mapped from (its `raw`). */
export function contactEntryColumns(entry: ContactEntry) {
  // The company an adapter's answer included is a record of its own, stored in its own row.
  const { company: _included, ...stored } = entry;
  return {
    record: JSON.stringify(entry.raw),
    domain: domainJson(stored),
    company_id: storedId(entry.companyId),
    contactable_id: Number(entry.contactableId),
    type: entry.type,
    contactable_type: entry.contactableType,
  };
}

const loadCompany = (db: Db, id: string) =>
  loadRecord<StoredResource>(db, "productive_companies", "Company", id);
const loadContactEntry = (db: Db, id: string) =>
  loadRecord<StoredResource>(db, "productive_contact_entries", "ContactEntry", id);

/** Keeps the tags side table in step with the company's `tag_list`. */
export async function saveCompanyTags(db: Db, company: Company): Promise<void> {
  const companyId = Number(company.id);
  await db.deleteFrom("productive_company_tags").where("company_id", "=", companyId).execute();
  const tags = [...new Set(company.tags)];
  if (tags.length > 0) {
    await db
      .insertInto("productive_company_tags")
      .values(tags.map((tag) => ({ company_id: companyId, tag })))
      .execute();
  }
}

async function saveCompany(db: Db, record: StoredResource): Promise<Company> {
  const { company, columns } = companyRow(record);
  await writeCompanyRow(record.attributes, () =>
    db.updateTable("productive_companies").set(columns).where("id", "=", Number(company.id)).execute(),
  );
  await saveCompanyTags(db, company);
  return company;
}

async function saveContactEntry(db: Db, record: StoredResource): Promise<ContactEntry> {
  const { entry, columns } = contactEntryRow(record);
  await db
    .updateTable("productive_contact_entries")
    .set(columns)
    .where("id", "=", Number(entry.id))
    .execute();
  return entry;
}

/**
 * Fills `domain` and the tags of rows written before they existed (a store of an earlier version),
 * validating each record as a write does.
 */
export async function completeProductiveRows(db: Db): Promise<void> {
  const companies = await db
    .selectFrom("productive_companies")
    .select("record")
    .where("domain", "is", null)
    .execute();
  for (const { record } of companies) await saveCompany(db, JSON.parse(record) as StoredResource);
  const entries = await db
    .selectFrom("productive_contact_entries")
    .select("record")
    .where("domain", "is", null)
    .execute();
  for (const { record } of entries) await saveContactEntry(db, JSON.parse(record) as StoredResource);
}

/** A valid contact entry record of its owner. */
function contactEntryResource(id: number, owner: ContactEntryOwner, attributes: Attributes): StoredResource {
  const record = {
    id: String(id),
    type: "contact_entries",
    attributes: { ...EMPTY_CONTACT_ENTRY_ATTRIBUTES, ...attributes },
    relationships: contactEntryRelationships(ORGANIZATION_ID, owner),
  };
  assertValidContactEntry(record.attributes);
  return record;
}

async function insertContactEntryRows(db: Db, records: StoredResource[]): Promise<ContactEntry[]> {
  const rows = records.map(contactEntryRow);
  if (rows.length > 0) {
    await db
      .insertInto("productive_contact_entries")
      .values(rows.map(({ entry, columns }) => ({ id: Number(entry.id), ...columns })))
      .execute();
  }
  return rows.map(({ entry }) => entry);
}

/** The contact entries a company's `contact` attribute stands for, with the labels Productive's UI uses. */
function contactDetailEntries(companyId: string, contact: CompanyContactDetails): CreateContactEntry[] {
  const entry = (type: ContactEntryType, label: string, name: string | null | undefined) => ({
    companyId,
    type,
    name: name || label,
  });
  return [
    ...(contact.emails ?? []).map((e) => ({ ...entry("EMAIL", "Email", e.name), email: e.email })),
    ...(contact.phones ?? []).map((p) => ({ ...entry("PHONE", "Phone", p.name), phone: p.phone })),
    ...(contact.websites ?? []).map((w) => ({ ...entry("WEBSITE", "Website", w.name), website: w.website })),
    ...(contact.addresses ?? []).map((a) => ({
      ...entry("ADDRESS", "Address", a.name),
      address: a.billingAddress,
      city: a.city,
      state: a.state,
      zipcode: a.zipcode,
      country: a.country,
    })),
  ];
}

/**
 * Productive keeps the `contact` attribute as sent, each item marked with the id of the contact
 * entry it created (`contact_datum_id`); the entries are created in the attribute's order.
 */
function contactAttributeWithEntryIds(contact: Attributes, entryIds: number[]): Attributes {
  const ids = [...entryIds];
  return Object.fromEntries(
    ["emails", "phones", "websites", "addresses"]
      .filter((key) => Array.isArray(contact[key]))
      .map((key) => [
        key,
        (contact[key] as Attributes[]).map((item) => ({ ...item, contact_datum_id: ids.shift() })),
      ]),
  );
}

/**
 * The contact entries of a company's `contact` details (inserted), and the attribute that records
 * them; an empty attribute for `null`.
 */
async function insertContactDetails(
  db: Db,
  companyId: string,
  contact: CompanyContactDetails | null,
  attribute: unknown,
): Promise<Attributes> {
  if (!contact) return {};
  const entries = contactDetailEntries(companyId, contact);
  const entryIds = await nextIds(db, "productive_contact_entries", entries.length);
  await insertContactEntryRows(
    db,
    entries.map((entry, i) =>
      contactEntryResource(
        entryIds[i] as number,
        { type: "COMPANY", id: companyId },
        contactEntryAttributes(entry),
      ),
    ),
  );
  return contactAttributeWithEntryIds(attribute as Attributes, entryIds);
}

/** Creates a company (and the contact entries of its `contact` attribute) inside the caller's transaction. */
export async function insertCompany(db: Db, input: CreateCompany, at: Date): Promise<Company> {
  const { contact, ...given } = companyAttributes(input);
  await assertValidCompany(db, given, 0);
  const id = String(await nextId(db, "productive_companies"));
  const now = at.toISOString();
  const record: StoredResource = {
    id,
    type: "companies",
    attributes: {
      ...EMPTY_COMPANY_ATTRIBUTES,
      created_at: now,
      last_activity_at: now,
      ...given,
      company_code: given.company_code || (await generateCompanyCode(db, input.name)),
    },
    relationships: companyRelationships(ORGANIZATION_ID),
  };
  const { company, columns } = companyRow(record);
  await writeCompanyRow(record.attributes, () =>
    db
      .insertInto("productive_companies")
      .values({ id: Number(id), ...columns })
      .execute(),
  );
  await saveCompanyTags(db, company);
  if (!input.contact) return company;
  // The entries reference the company's row, so they follow it; the attribute then records their ids.
  record.attributes.contact = await insertContactDetails(db, id, input.contact, contact);
  return saveCompany(db, record);
}

export async function updateCompany(db: Db, id: string, patch: UpdateCompany): Promise<Company> {
  const record = await loadCompany(db, id);
  const { contact, ...given } = companyAttributes(patch);
  record.attributes = { ...record.attributes, ...given };
  await assertValidCompany(db, record.attributes, Number(record.id));
  if (patch.contact !== undefined) {
    record.attributes.contact = await insertContactDetails(db, record.id, patch.contact, contact);
  }
  return saveCompany(db, record);
}

/** Archiving an archived company keeps the time it was first archived. */
export async function setCompanyArchived(db: Db, id: string, archived: boolean, at: Date): Promise<Company> {
  const record = await loadCompany(db, id);
  record.attributes.archived_at = archived ? (record.attributes.archived_at ?? at.toISOString()) : null;
  return saveCompany(db, record);
}

/**
 * A company owner must exist; the store keeps no people, invoices, subsidiaries or purchase orders,
 * so an entry of one of those is taken for any Productive id.
 */
export async function insertContactEntry(db: Db, input: CreateContactEntry): Promise<ContactEntry> {
  const owner = entryOwner(input);
  assertOwnerId(owner);
  if (owner.type === "COMPANY") await loadCompany(db, owner.id);
  const record = contactEntryResource(
    await nextId(db, "productive_contact_entries"),
    owner,
    contactEntryAttributes(input),
  );
  const [entry] = await insertContactEntryRows(db, [record]);
  return entry as ContactEntry;
}

type CompanyWhere = ExpressionBuilder<Database, "productive_companies">;

function companyConditions(db: Db, eb: CompanyWhere, filter: CompanyFilter): Expression<SqlBool> {
  const contains = (column: "name_key" | "billing_name_key", text: string) =>
    eb(eb.fn<number>(positionFunction(db), [column, eb.val(foldCase(text))]), ">", 0);
  const conditions: Expression<SqlBool>[] = [];
  if (filter.ids) conditions.push(anyOf(eb, "id", storedIds(filter.ids)));
  if (filter.companyIds) conditions.push(anyOf(eb, "id", storedIds(filter.companyIds)));
  if (filter.defaultSubsidiaryIds) {
    conditions.push(anyOf(eb, "default_subsidiary_id", storedIds(filter.defaultSubsidiaryIds)));
  }
  // The store keeps no subsidiaries' own links to companies: a company's is its default subsidiary.
  if (filter.subsidiaryIds) {
    conditions.push(anyOf(eb, "default_subsidiary_id", storedIds(filter.subsidiaryIds)));
  }
  if (filter.defaultTaxRateIds) {
    conditions.push(anyOf(eb, "default_tax_rate_id", storedIds(filter.defaultTaxRateIds)));
  }
  // The store keeps no projects: no company of it has one.
  if (filter.projectIds) conditions.push(eb.or([]));
  if (filter.name !== undefined) conditions.push(contains("name_key", filter.name));
  if (filter.companyCode !== undefined) conditions.push(eb("company_code", "=", filter.companyCode));
  if (filter.billingName !== undefined) conditions.push(contains("billing_name_key", filter.billingName));
  if (filter.vat !== undefined) conditions.push(eb("vat", "=", filter.vat));
  if (filter.defaultCurrency !== undefined)
    conditions.push(eb("default_currency", "=", filter.defaultCurrency));
  if (filter.status) conditions.push(eb("archived", "=", filter.status === "ARCHIVED" ? 1 : 0));
  if (filter.tags) {
    conditions.push(
      eb(
        "id",
        "in",
        eb
          .selectFrom("productive_company_tags")
          .select("company_id")
          .where((tags) => anyOf(tags, "tag", filter.tags ?? [])),
      ),
    );
  }
  if (filter.dueDays !== undefined) conditions.push(eb("due_days", "=", filter.dueDays));
  if (filter.createdAfter) conditions.push(eb("created_at_ms", ">", instant(filter.createdAfter)));
  if (filter.createdBefore) conditions.push(eb("created_at_ms", "<", instant(filter.createdBefore)));
  if (filter.createdAt) conditions.push(...dateConditions(eb, "created_at_ms", filter.createdAt));
  if (filter.archivedAt) conditions.push(...dateConditions(eb, "archived_at_ms", filter.archivedAt));
  if (filter.lastActivityAt) {
    conditions.push(...dateConditions(eb, "last_activity_at_ms", filter.lastActivityAt));
  }
  return eb.and(conditions);
}

const DATE_OPERATOR_SQL = { eq: "=", notEq: "!=", gt: ">", gtEq: ">=", lt: "<", ltEq: "<=" } as const;

/** Productive's date operators on instants; a company without the date matches none of them. */
function dateConditions(
  eb: CompanyWhere,
  column: "created_at_ms" | "archived_at_ms" | "last_activity_at_ms",
  filter: ProductiveDateFilter,
): Expression<SqlBool>[] {
  return DATE_OPERATORS.flatMap((operator) => {
    const value = filter[operator];
    return value === undefined || value === null
      ? []
      : [eb(column, DATE_OPERATOR_SQL[operator], instant(value))];
  });
}

const ORDER_COLUMN = {
  NAME: "name_key",
  CREATED_AT: "created_at_ms",
  LAST_ACTIVITY_AT: "last_activity_at_ms",
} as const;

function contactEntryConditions(
  eb: ExpressionBuilder<Database, "productive_contact_entries">,
  filter: ContactEntryFilter,
): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  const owners = (type: ContactableType, ids: string[]) =>
    eb.and([eb("contactable_type", "=", type), anyOf(eb, "contactable_id", storedIds(ids))]);
  if (filter.companyIds) conditions.push(anyOf(eb, "company_id", storedIds(filter.companyIds)));
  if (filter.personIds) conditions.push(owners("PERSON", filter.personIds));
  if (filter.invoiceIds) conditions.push(owners("INVOICE", filter.invoiceIds));
  if (filter.subsidiaryIds) conditions.push(owners("SUBSIDIARY", filter.subsidiaryIds));
  if (filter.contactableIds) conditions.push(anyOf(eb, "contactable_id", storedIds(filter.contactableIds)));
  if (filter.types) conditions.push(anyOf(eb, "type", filter.types));
  if (filter.contactableTypes) conditions.push(anyOf(eb, "contactable_type", filter.contactableTypes));
  return eb.and(conditions);
}

/** The rows of a companies list, filtered and ordered (the page's window is readPage's). */
export const companyListQuery = (db: Db, filter: CompanyFilter, order: CompanyOrder) =>
  db
    .selectFrom("productive_companies")
    .where((eb) => companyConditions(db, eb, filter))
    // Companies without activity first when ascending, as SQLite orders nulls (PostgreSQL puts them last).
    .orderBy(ORDER_COLUMN[order.field], (ob) =>
      order.direction === "ASC" ? ob.asc().nullsFirst() : ob.desc().nullsLast(),
    )
    .orderBy("id", "asc");

export const contactEntryListQuery = (db: Db, filter: ContactEntryFilter) =>
  db
    .selectFrom("productive_contact_entries")
    .where((eb) => contactEntryConditions(eb, filter))
    .orderBy("id", "asc");

export function createCompanySource(db: Db): CompanySource {
  return {
    getByIds: (ids) => readByIds(db, "productive_companies", ids, readCompany),

    list: async (filter: CompanyFilter, order: CompanyOrder, page: PageRequest) => {
      assertFilterSendable(filter, "companies");
      return readPage(db, page, (trx) => companyListQuery(trx, filter, order), readCompany);
    },

    create: (input) => db.transaction().execute((trx) => insertCompany(trx, input, new Date())),
    update: (id, patch) => db.transaction().execute((trx) => updateCompany(trx, id, patch)),
    archive: (id) => db.transaction().execute((trx) => setCompanyArchived(trx, id, true, new Date())),
    restore: (id) => db.transaction().execute((trx) => setCompanyArchived(trx, id, false, new Date())),
  };
}

export function createContactEntrySource(db: Db): ContactEntrySource {
  return {
    getByIds: (ids) => readByIds(db, "productive_contact_entries", ids, readContactEntry),

    async listByCompanyIds(companyIds, types) {
      const rows = await contactEntryListQuery(db, {
        companyIds: [...companyIds],
        types: types ? [...types] : undefined,
      })
        .select(["domain", "record", "company_id"])
        .execute();
      const byCompany = new Map<string, ContactEntry[]>();
      for (const row of rows) {
        const group = byCompany.get(String(row.company_id)) ?? [];
        group.push(readContactEntry(row));
        byCompany.set(String(row.company_id), group);
      }
      return companyIds.map((id) => byCompany.get(id) ?? []);
    },

    list: async (filter, page) => {
      assertFilterSendable(filter, "contact entries");
      return readPage(db, page, (trx) => contactEntryListQuery(trx, filter), readContactEntry);
    },

    create: (input) => db.transaction().execute((trx) => insertContactEntry(trx, input)),

    update: (id, patch: UpdateContactEntry) =>
      db.transaction().execute(async (trx) => {
        const record = await loadContactEntry(trx, id);
        record.attributes = { ...record.attributes, ...contactEntryAttributes(patch) };
        assertValidContactEntry(record.attributes);
        return saveContactEntry(trx, record);
      }),

    delete: (id) =>
      db.transaction().execute(async (trx) => {
        const record = await loadContactEntry(trx, id);
        await trx.deleteFrom("productive_contact_entries").where("id", "=", Number(record.id)).execute();
      }),
  };
}
