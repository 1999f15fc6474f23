import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import type {
  CreateFreeAgentContact,
  FreeAgentContact,
  FreeAgentContactFilter,
  FreeAgentView,
  UpdateFreeAgentContact,
} from "../domain/index.ts";
import { contactNameKey } from "../domain/index.ts";
import { ValidationError } from "../errors.ts";
import type { FreeAgentContactSource } from "../ports.ts";
import { contactBody, contactFromRecord, fieldErrorsFromFreeAgent } from "../providers/freeagent/mapping.ts";
import { ContactRecord } from "../providers/freeagent/records.ts";
import {
  CREATE_DEFAULTS,
  contactErrors,
  type FreeAgentRoles,
  nameSortKey,
  VIEW_RULES,
  withoutNulls,
} from "../providers/freeagent/rules.ts";
import type { Database, Db } from "./database.ts";
import {
  domainJson,
  instant,
  loadRecord,
  nextId,
  readByIds,
  readPage,
  readStoredRow,
  type StoredRow,
} from "./support.ts";

type Json = Record<string, unknown>;

/**
 * The roles a contact has through invoices, bills and projects, none of which the store models:
 * they are kept beside the record (the seed sets them), never in it. Active projects are the
 * record's own `active_projects_count`.
 */
type StoredRoles = Omit<FreeAgentRoles, "hasActiveProjects">;

/** Record attributes FreeAgent computes from activity the store does not model (the seed sets them). */
export type FreeAgentActivity = Partial<
  Record<"account_balance" | "active_projects_count" | "direct_debit_mandate_state", unknown>
>;

type ContactWhere = ExpressionBuilder<Database, "freeagent_contacts">;

const ROLE_CONDITION: Record<keyof FreeAgentRoles, (eb: ContactWhere) => Expression<SqlBool>> = {
  isClient: (eb) => eb("is_client", "=", 1),
  isSupplier: (eb) => eb("is_supplier", "=", 1),
  hasActiveProjects: (eb) => eb("active_projects_count", ">", 0),
  hasCompletedProjects: (eb) => eb("has_completed_projects", "=", 1),
  hasOpenInvoices: (eb) => eb("has_open_invoices", "=", 1),
  hasOpenBills: (eb) => eb("has_open_bills", "=", 1),
};

function viewCondition(eb: ContactWhere, view: FreeAgentView): Expression<SqlBool> {
  const { status, roles } = VIEW_RULES[view];
  return eb.and([
    ...(status ? [eb("status", "=", status)] : []),
    ...roles.map((role) => ROLE_CONDITION[role](eb)),
  ]);
}

const SORT_COLUMN = { NAME: "sort_name", CREATED_AT: "created_at_ms", UPDATED_AT: "updated_at_ms" } as const;

/** FreeAgent's timestamps are whole seconds in UTC. */
const timestamp = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, "Z");

/** Writes validate and map the record; reads take the `domain` a write stored (readStoredRow). */
const toContact = (record: Json) => contactFromRecord(ContactRecord.parse(record), record);
const readContact = (row: StoredRow) => readStoredRow<FreeAgentContact>(row);

/** The contact a record is, and the row that stores it. */
function contactRow(record: Json) {
  const contact = toContact(record);
  return { contact, columns: contactColumns(contact) };
}

/** The columns of a contact's row: its `raw` is the record it was mapped from (a mirror's, FreeAgent's answer). */
export function contactColumns(contact: FreeAgentContact) {
  const record = contact.raw as Json;
  return {
    record: JSON.stringify(record),
    domain: domainJson(contact),
    status: contact.status ?? "Active",
    sort_name: nameSortKey(record),
    name_key: contactNameKey(contact),
    active_projects_count: contact.activeProjectsCount ?? 0,
    created_at_ms: Date.parse(contact.createdAt ?? ""),
    updated_at_ms: Date.parse(contact.updatedAt ?? ""),
  };
}

/** FreeAgent's validation answer, converted exactly as the REST adapter converts it. */
function assertValidContact(record: Json): void {
  const errors = contactErrors(record).map((message) => ({ message }));
  if (errors.length > 0) throw new ValidationError(fieldErrorsFromFreeAgent({ errors }));
}

const loadContact = (db: Db, id: string) =>
  loadRecord<Json>(db, "freeagent_contacts", "FreeAgentContact", id);

/** Creates a contact inside the caller's transaction. */
export async function insertFreeAgentContact(
  db: Db,
  input: CreateFreeAgentContact,
  at: Date,
  roles: Partial<StoredRoles> = {},
  activity: FreeAgentActivity = {},
): Promise<FreeAgentContact> {
  const body = contactBody(input);
  assertValidContact(body);
  const id = await nextId(db, "freeagent_contacts");
  const now = timestamp(at);
  const record = withoutNulls({
    url: `https://api.freeagent.com/v2/contacts/${id}`,
    ...CREATE_DEFAULTS,
    ...withoutNulls(body),
    ...activity,
    created_at: now,
    updated_at: now,
  });
  const { contact, columns } = contactRow(record);
  await db
    .insertInto("freeagent_contacts")
    .values({
      id,
      ...columns,
      is_client: roles.isClient ? 1 : 0,
      is_supplier: roles.isSupplier ? 1 : 0,
      has_completed_projects: roles.hasCompletedProjects ? 1 : 0,
      has_open_invoices: roles.hasOpenInvoices ? 1 : 0,
      has_open_bills: roles.hasOpenBills ? 1 : 0,
    })
    .execute();
  return contact;
}

export async function updateFreeAgentContact(db: Db, id: string, patch: UpdateFreeAgentContact, at: Date) {
  const changed = { ...(await loadContact(db, id)), ...contactBody(patch) };
  assertValidContact(changed);
  return saveContact(db, withoutNulls({ ...changed, updated_at: timestamp(at) }));
}

async function saveContact(db: Db, record: Json): Promise<FreeAgentContact> {
  const { contact, columns } = contactRow(record);
  await db.updateTable("freeagent_contacts").set(columns).where("id", "=", Number(contact.id)).execute();
  return contact;
}

/** Fills `domain` of rows written before it existed, validating each record as a write does. */
export async function completeFreeAgentRows(db: Db): Promise<void> {
  const rows = await db
    .selectFrom("freeagent_contacts")
    .select("record")
    .where("domain", "is", null)
    .execute();
  for (const { record } of rows) await saveContact(db, JSON.parse(record) as Json);
}

/** The rows of a contacts list, filtered and ordered (the page's window is readPage's). */
export function contactListQuery(db: Db, filter: FreeAgentContactFilter) {
  const sort = filter.sort ?? { field: "NAME", direction: "ASC" };
  return db
    .selectFrom("freeagent_contacts")
    .where((eb) =>
      eb.and([
        viewCondition(eb, filter.view ?? "ACTIVE"),
        ...(filter.updatedAfter ? [eb("updated_at_ms", ">=", instant(filter.updatedAfter))] : []),
      ]),
    )
    .orderBy(SORT_COLUMN[sort.field], sort.direction === "ASC" ? "asc" : "desc")
    .orderBy("id", "asc");
}

export function createFreeAgentContactSource(db: Db): FreeAgentContactSource {
  return {
    getByIds: (ids) => readByIds(db, "freeagent_contacts", ids, readContact),

    list: (filter, page) => readPage(db, page, (trx) => contactListQuery(trx, filter), readContact),

    create: (input) => db.transaction().execute((trx) => insertFreeAgentContact(trx, input, new Date())),
    update: (id, patch) =>
      db.transaction().execute((trx) => updateFreeAgentContact(trx, id, patch, new Date())),

    delete: (id) =>
      db.transaction().execute(async (trx) => {
        await loadContact(trx, id);
        await trx.deleteFrom("freeagent_contacts").where("id", "=", Number(id)).execute();
      }),
  };
}
