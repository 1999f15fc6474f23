import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import type {
  CreateFreeAgentContact,
  FreeAgentContact,
  FreeAgentContactFilter,
  FreeAgentView,
  UpdateFreeAgentContact,
} from "../domain/index.ts";
import { ValidationError } from "../errors.ts";
import {
  ContactRecord,
  contactBody,
  contactFromRecord,
  fieldErrorsFromFreeAgent,
} from "../sources/freeagent/mapping.ts";
import type { FreeAgentContactSource } from "../sources/ports.ts";
import type { Database, Db } from "./database.ts";
import { countedPage, foldCase, instant, isBlank, loadRecord, nextId, readByIds } from "./support.ts";

type Json = Record<string, unknown>;

/**
 * What makes a contact appear in FreeAgent's role views: invoices, bills and projects, none of
 * which the store models. They are kept beside the record (the seed sets them), never in it.
 */
export interface FreeAgentRoles {
  isClient: boolean;
  isSupplier: boolean;
  hasCompletedProjects: boolean;
  hasOpenInvoices: boolean;
  hasOpenBills: boolean;
}

/** Record attributes FreeAgent computes from activity the store does not model (the seed sets them). */
export type FreeAgentActivity = Partial<
  Record<"account_balance" | "active_projects_count" | "direct_debit_mandate_state", unknown>
>;

type ContactWhere = ExpressionBuilder<Database, "freeagent_contacts">;

const VIEW_CONDITION: Record<FreeAgentView, (eb: ContactWhere) => Expression<SqlBool>> = {
  ALL: (eb) => eb.and([]),
  ACTIVE: (eb) => eb("status", "=", "Active"),
  HIDDEN: (eb) => eb("status", "=", "Hidden"),
  CLIENTS: (eb) => eb("is_client", "=", 1),
  SUPPLIERS: (eb) => eb.and([eb("is_supplier", "=", 1), eb("status", "=", "Active")]),
  ACTIVE_PROJECTS: (eb) => eb("active_projects_count", ">", 0),
  COMPLETED_PROJECTS: (eb) => eb("has_completed_projects", "=", 1),
  OPEN_CLIENTS: (eb) => eb("has_open_invoices", "=", 1),
  OPEN_SUPPLIERS: (eb) => eb("has_open_bills", "=", 1),
};

const SORT_COLUMN = { NAME: "sort_name", CREATED_AT: "created_at_ms", UPDATED_AT: "updated_at_ms" } as const;

/** FreeAgent's timestamps are whole seconds in UTC. */
const timestamp = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, "Z");

/** FreeAgent leaves out the attributes that have no value. */
const withoutNulls = (record: Json): Json =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined));

const toContact = (record: Json) => contactFromRecord(ContactRecord.parse(record), record);
const readContact = (json: string) => toContact(JSON.parse(json) as Json);

/** The contact a record is, and the row that stores it. */
function contactRow(record: Json) {
  const contact = toContact(record);
  return {
    contact,
    columns: {
      record: JSON.stringify(record),
      status: contact.status ?? "Active",
      // FreeAgent's name order: organisation, last name, first name, run together.
      sort_name: foldCase(`${contact.companyName ?? ""}${contact.lastName ?? ""}${contact.firstName ?? ""}`),
      active_projects_count: contact.activeProjectsCount ?? 0,
      created_at_ms: Date.parse(contact.createdAt ?? ""),
      updated_at_ms: Date.parse(contact.updatedAt ?? ""),
    },
  };
}

const REQUIRED_NAMES = [
  { attribute: "first_name", message: "First name can't be blank" },
  { attribute: "last_name", message: "Last name can't be blank" },
];

/** A contact needs an organisation name, or a first and a last name; FreeAgent names each missing one. */
function assertValidContact(record: Json): void {
  if (!isBlank(record.organisation_name)) return;
  const errors = REQUIRED_NAMES.filter(({ attribute }) => isBlank(record[attribute])).map(({ message }) => ({
    message,
  }));
  if (errors.length > 0) throw new ValidationError(fieldErrorsFromFreeAgent({ errors }));
}

const loadContact = (db: Db, id: string) =>
  loadRecord<Json>(db, "freeagent_contacts", "FreeAgentContact", id);

/** Creates a contact inside the caller's transaction. */
export async function insertFreeAgentContact(
  db: Db,
  input: CreateFreeAgentContact,
  at: Date,
  roles: Partial<FreeAgentRoles> = {},
  activity: FreeAgentActivity = {},
): Promise<FreeAgentContact> {
  const body = contactBody(input);
  assertValidContact(body);
  const id = await nextId(db, "freeagent_contacts");
  const now = timestamp(at);
  const record = withoutNulls({
    url: `https://api.freeagent.com/v2/contacts/${id}`,
    ...body,
    account_balance: "0.0",
    active_projects_count: 0,
    ...activity,
    status: body.status ?? "Active",
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
  const current = await loadContact(db, id);
  const record = withoutNulls({ ...current, ...contactBody(patch), updated_at: timestamp(at) });
  assertValidContact(record);
  const { contact, columns } = contactRow(record);
  await db.updateTable("freeagent_contacts").set(columns).where("id", "=", Number(contact.id)).execute();
  return contact;
}

export function createFreeAgentContactSource(db: Db): FreeAgentContactSource {
  return {
    getByIds: (ids) => readByIds(db, "freeagent_contacts", ids, readContact),

    async list(filter: FreeAgentContactFilter, page) {
      const where = (eb: ContactWhere) =>
        eb.and([
          VIEW_CONDITION[filter.view ?? "ACTIVE"](eb),
          ...(filter.updatedAfter ? [eb("updated_at_ms", ">=", instant(filter.updatedAfter))] : []),
        ]);
      const sort = filter.sort ?? { field: "NAME", direction: "ASC" };
      const rows = await db
        .selectFrom("freeagent_contacts")
        .select("record")
        .where(where)
        .orderBy(SORT_COLUMN[sort.field], sort.direction === "ASC" ? "asc" : "desc")
        .orderBy("id", "asc")
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      const { count } = await db
        .selectFrom("freeagent_contacts")
        .where(where)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow();
      return countedPage(
        rows.map((row) => readContact(row.record)),
        page,
        count,
      );
    },

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
