import { randomBytes } from "node:crypto";
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type {
  AddContactNote,
  AdditionalCharge,
  ContactNote,
  ContactPerson,
  CreateAdditionalCharge,
  CreateContactPerson,
  CreateMoneybirdContact,
  MoneybirdContact,
  MoneybirdContactFilter,
  PaymentsMandate,
  RawRecord,
  UpdateMoneybirdContact,
} from "../domain/index.ts";
import { contactNameKey } from "../domain/index.ts";
import { NotFoundError, UpstreamError, ValidationError } from "../errors.ts";
import type { MoneybirdContactSource } from "../ports.ts";
import {
  additionalChargeBody,
  additionalChargeFromRecord,
  contactBody,
  contactFromRecord,
  contactPersonBody,
  contactPersonFromRecord,
  fieldErrorsFromMoneybird,
  noteBody,
  noteFromRecord,
  paymentsMandateFromRecord,
} from "../providers/moneybird/mapping.ts";
import {
  AdditionalChargeRecord,
  ContactPersonRecord,
  ContactRecord,
  NoteRecord,
  PaymentsMandateRecord,
} from "../providers/moneybird/records.ts";
import {
  type Administration,
  addError,
  applyContactBody,
  assertListParameters,
  type ChildRecordOrigin,
  type ContactJson,
  contactErrors,
  contactPersonErrors,
  type ErrorsByAttribute,
  FILTER_ENDPOINT_FIELDS,
  hasErrors,
  isChargePeriod,
  listParameterColumns,
  listParameterLine,
  newAdditionalChargeRecord,
  newContactPersonRecord,
  newContactRecord,
  newEventRecord,
  newNoteRecord,
  type PersonJson,
  SEARCHED_FIELDS,
  touch,
  type ValueFilterKey,
  valueFilterColumns,
} from "../providers/moneybird/rules.ts";
import { foldCase, isBlank } from "../providers/shared/text.ts";
import type { Database, Db } from "./database.ts";
import { isPostgres, positionFunction, violatedUniqueColumn } from "./dialect.ts";
import {
  domainJson,
  instant,
  lazyRecord,
  loadRecord,
  nextId,
  readByIds,
  type StoredRow,
  uncountedPage,
  withRaw,
} from "./support.ts";

/** The administration and user every record of the store belongs to (Moneybird records name them). */
const ADMINISTRATION: Administration = { id: 1, userId: "4960814000000001" };

/** The administration's custom field definitions: a value can only be set for one of these. */
export const CUSTOM_FIELDS = [
  { id: "4960814000000101", name: "Account manager" },
  { id: "4960814000000102", name: "Segment" },
  { id: "4960814000000103", name: "Contract number" },
] as const;

type Json = Record<string, unknown>;

/** Moneybird's 422 body, converted exactly as the REST adapter converts it. */
function assertNoErrors(errors: ErrorsByAttribute): void {
  if (hasErrors(errors)) throw new ValidationError(fieldErrorsFromMoneybird({ error: errors }));
}

/** Writes validate and map the record; reads take the `domain` a write stored (readContact). */
const toContact = (record: ContactJson) => contactFromRecord(ContactRecord.parse(record), record);

type StoredContact = Omit<MoneybirdContact, "raw" | "notes" | "contactPersons"> & {
  notes: Omit<ContactNote, "raw">[];
  contactPersons: Omit<ContactPerson, "raw">[];
};

/** A contact as `domain` keeps it: its people and notes without `raw` too (their raw is part of the record's). */
function contactDomainJson(contact: MoneybirdContact): string {
  const { notes, contactPersons, ...rest } = contact;
  return domainJson({
    ...rest,
    notes: notes.map(({ raw: _raw, ...note }) => note),
    contactPersons: contactPersons.map(({ raw: _raw, ...person }) => person),
  });
}

/** The embedded records' raw are the record's array items, as contactFromRecord gives them. */
export function readContact(row: StoredRow): MoneybirdContact {
  const stored = JSON.parse(row.domain) as StoredContact;
  const raw = lazyRecord(row.record);
  const item = (key: "notes" | "contact_people", index: number) => () =>
    (raw()[key] as RawRecord[])[index] as RawRecord;
  return withRaw<MoneybirdContact>(
    {
      ...stored,
      notes: stored.notes.map((note, i) => withRaw<ContactNote>(note, item("notes", i))),
      contactPersons: stored.contactPersons.map((person, i) =>
        withRaw<ContactPerson>(person, item("contact_people", i)),
      ),
    },
    raw,
  );
}

/** The contact a record is, and the row that stores it. */
function contactRow(record: ContactJson) {
  const contact = toContact(record);
  return { contact, columns: contactColumns(contact) };
}

/** The columns of a contact's row: its `raw` is the record it was mapped from (a mirror's, Moneybird's answer). */
export function contactColumns(contact: MoneybirdContact) {
  const record = contact.raw as ContactJson;
  return {
    record: JSON.stringify(record),
    domain: contactDomainJson(contact),
    version: contact.version,
    search_text: foldCase(SEARCHED_FIELDS.map((field) => record[field] ?? "").join("\n")),
    firstname_key: foldCase(contact.firstName ?? ""),
    lastname_key: foldCase(contact.lastName ?? ""),
    name_key: contactNameKey(contact),
    customer_id: record.customer_id,
    archived: record.archived ? 1 : 0,
    created_at_ms: Date.parse(record.created_at),
    updated_at_ms: Date.parse(record.updated_at),
    ...valueFilterColumns(record),
    ...listParameterColumns(record),
  };
}

const loadContact = (db: Db, id: string) =>
  loadRecord<ContactJson>(db, "moneybird_contacts", "MoneybirdContact", id);

async function saveContact(db: Db, record: ContactJson): Promise<MoneybirdContact> {
  const { contact, columns } = contactRow(record);
  await db.updateTable("moneybird_contacts").set(columns).where("id", "=", Number(record.id)).execute();
  return contact;
}

/**
 * Fills `domain` and `version` of rows written before they existed (a store of an earlier
 * version), validating each record as a write does.
 */
export async function completeMoneybirdRows(db: Db): Promise<void> {
  const rows = await db
    .selectFrom("moneybird_contacts")
    .select("record")
    .where("domain", "is", null)
    .execute();
  for (const { record } of rows) await saveContact(db, JSON.parse(record) as ContactJson);
}

/** Whether another contact has the customer id (a blank one is Moneybird's to assign). */
async function customerIdTaken(db: Db, record: ContactJson): Promise<boolean> {
  if (isBlank(record.customer_id)) return false;
  const owner = await db
    .selectFrom("moneybird_contacts")
    .select("id")
    .where("customer_id", "=", record.customer_id)
    .where("id", "!=", Number(record.id))
    .executeTakeFirst();
  return owner !== undefined;
}

/**
 * The next free numeric customer id, as Moneybird assigns one to a contact that has none: one more
 * than the highest leading number of a customer id (SQLite's cast reads it; PostgreSQL's cast
 * would refuse text that is not a number). A create holds the Moneybird id sequence's row lock by
 * now (nextId), so concurrent creates assign in turn.
 */
async function nextCustomerId(db: Db): Promise<string> {
  const number = isPostgres(db)
    ? sql`cast(substring(customer_id from '^[0-9]+') as numeric)`
    : sql`cast(customer_id as integer)`;
  const { rows } = await sql<{ highest: number | string }>`
    select coalesce(max(${number}), 0) as highest from moneybird_contacts`.execute(db);
  return String(Number(rows[0]?.highest ?? 0) + 1);
}

/** Applies a write body to a contact, or throws what Moneybird answers a body that breaks its rules. */
async function applyValidContactBody(db: Db, record: ContactJson, body: Json): Promise<void> {
  applyContactBody(record, body, CUSTOM_FIELDS);
  assertNoErrors(
    contactErrors(record, body, {
      customerIdTaken: await customerIdTaken(db, record),
      customFields: CUSTOM_FIELDS,
    }),
  );
  if (isBlank(record.customer_id)) record.customer_id = await nextCustomerId(db);
}

/**
 * Writes the row of a contact whose body passed the checks above. The unique index on
 * `customer_id` decides between concurrent writes of one customer id (another instance's among
 * them), and its violation answers as the check would have: "has already been taken".
 */
async function writeCheckedContact<T>(record: ContactJson, body: Json, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (violatedUniqueColumn(error) === "moneybird_contacts.customer_id") {
      assertNoErrors(contactErrors(record, body, { customerIdTaken: true, customFields: CUSTOM_FIELDS }));
    }
    throw error;
  }
}

/** Where a new record inside a contact belongs, with its id taken from the store's sequence. */
const childOrigin = async (db: Db, contactId: string, at: Date): Promise<ChildRecordOrigin> => ({
  administration: ADMINISTRATION,
  contactId,
  id: String(await nextId(db, "moneybird")),
  at,
});

function findPerson(record: ContactJson, personId: string): PersonJson {
  const person = record.contact_people.find((candidate) => candidate.id === personId);
  if (!person) throw new NotFoundError("ContactPerson", `${record.id}/${personId}`);
  return person;
}

const toPerson = (person: PersonJson, contactId: string): ContactPerson =>
  contactPersonFromRecord(ContactPersonRecord.parse(person), contactId, person);

/** Creates a contact inside the caller's transaction. */
export async function insertMoneybirdContact(
  db: Db,
  input: CreateMoneybirdContact,
  at: Date,
): Promise<MoneybirdContact> {
  const body = contactBody(input);
  const id = await nextId(db, "moneybird");
  const record = newContactRecord(ADMINISTRATION, String(id), at);
  await applyValidContactBody(db, record, body);
  const person = body.contact_person as Json | undefined;
  if (person)
    record.contact_people.push(newContactPersonRecord(await childOrigin(db, record.id, at), person));
  (record.events as Json[]).push(newEventRecord(ADMINISTRATION, "contact_created", at));
  const { contact, columns } = contactRow(record);
  await writeCheckedContact(record, body, () =>
    db
      .insertInto("moneybird_contacts")
      .values({ id, ...columns })
      .execute(),
  );
  return contact;
}

async function updateMoneybirdContact(db: Db, id: string, patch: UpdateMoneybirdContact, at: Date) {
  const record = await loadContact(db, id);
  const body = contactBody(patch);
  await applyValidContactBody(db, record, body);
  touch(record, at);
  return writeCheckedContact(record, body, () => saveContact(db, record));
}

/** Moneybird refuses to archive an archived contact (a 400). */
export async function archiveMoneybirdContact(db: Db, id: string, at: Date): Promise<MoneybirdContact> {
  const record = await loadContact(db, id);
  if (record.archived) {
    throw new ValidationError(
      fieldErrorsFromMoneybird({
        error: "Contact can not be archived",
        symbolic: { id: "can_not_be_archived" },
      }),
    );
  }
  record.archived = true;
  touch(record, at);
  return saveContact(db, record);
}

export async function insertContactPerson(
  db: Db,
  contactId: string,
  input: CreateContactPerson,
  at: Date,
): Promise<ContactPerson> {
  const record = await loadContact(db, contactId);
  const body = contactPersonBody(input);
  assertNoErrors(contactPersonErrors(body));
  const person = newContactPersonRecord(await childOrigin(db, record.id, at), body);
  record.contact_people.push(person);
  touch(record, at);
  await saveContact(db, record);
  return toPerson(person, record.id);
}

export async function insertNote(
  db: Db,
  contactId: string,
  input: AddContactNote,
  at: Date,
): Promise<ContactNote> {
  const record = await loadContact(db, contactId);
  const body = noteBody(input);
  if (isBlank(body.note)) assertNoErrors({ note: ["can't be blank"] });
  const note = newNoteRecord(await childOrigin(db, record.id, at), body);
  record.notes.push(note);
  touch(record, at);
  await saveContact(db, record);
  return noteFromRecord(NoteRecord.parse(note), record.id, note);
}

export async function insertAdditionalCharge(
  db: Db,
  contactId: string,
  input: CreateAdditionalCharge,
  at: Date,
  billed = false,
): Promise<AdditionalCharge> {
  const contact = await loadContact(db, contactId);
  const body = additionalChargeBody(input);
  const errors: ErrorsByAttribute = {};
  if (isBlank(body.product_id)) addError(errors, "product_id", "can't be blank");
  if (isBlank(body.price)) addError(errors, "price", "can't be blank");
  else if (!Number.isFinite(Number(body.price))) addError(errors, "price", "is not a number");
  if (body.period !== undefined && !isChargePeriod(body.period)) addError(errors, "period", "is invalid");
  assertNoErrors(errors);

  const record = newAdditionalChargeRecord(await childOrigin(db, contact.id, at), body);
  await db
    .insertInto("moneybird_additional_charges")
    .values({
      id: Number(record.id),
      contact_id: Number(contact.id),
      billed: billed ? 1 : 0,
      record: JSON.stringify(record),
    })
    .execute();
  return additionalChargeFromRecord(AdditionalChargeRecord.parse(record), contact.id, record);
}

/** Stores the mandate a contact set up (the seed's stand-in for Moneybird's payment flow). */
export async function storePaymentsMandate(
  db: Db,
  contactId: string,
  mandate: Json,
  at: Date,
): Promise<void> {
  const record = await loadContact(db, contactId);
  PaymentsMandateRecord.parse(mandate);
  await db
    .insertInto("moneybird_payments_mandates")
    .values({ contact_id: Number(record.id), record: JSON.stringify(mandate) })
    .execute();
  record.moneybird_payments_mandate = true;
  touch(record, at);
  await saveContact(db, record);
}

/** A mandate request waits for the contact (the store has no payment flow to complete it). */
async function recordMandateRequest(
  db: Db,
  contactId: string,
  at: Date,
  request: Pick<
    Database["moneybird_mandate_requests"],
    "email_message" | "identity_id" | "workflow_id" | "url"
  >,
): Promise<void> {
  const contact = await loadContact(db, contactId);
  await db
    .insertInto("moneybird_mandate_requests")
    .values({ contact_id: Number(contact.id), requested_at: at.toISOString(), ...request })
    .execute();
}

function contactConditions(
  db: Db,
  eb: ExpressionBuilder<Database, "moneybird_contacts">,
  filter: MoneybirdContactFilter,
): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  if (!filter.includeArchived) conditions.push(eb("archived", "=", 0));
  if (filter.query !== undefined) {
    const position = eb.fn<number>(positionFunction(db), ["search_text", eb.val(foldCase(filter.query))]);
    conditions.push(eb(position, ">", 0));
  }
  if (filter.firstName !== undefined) conditions.push(eb("firstname_key", "=", foldCase(filter.firstName)));
  if (filter.lastName !== undefined) conditions.push(eb("lastname_key", "=", foldCase(filter.lastName)));
  if (filter.createdAfter) conditions.push(eb("created_at_ms", ">", instant(filter.createdAfter)));
  if (filter.updatedAfter) conditions.push(eb("updated_at_ms", ">", instant(filter.updatedAfter)));
  // Stored as the filter spells them (VALUE_FILTERS): the enum values in lower case.
  const values = {
    contact_type: filter.contactType?.toLowerCase(),
    delivery_method: filter.deliveryMethod?.toLowerCase(),
    trusted_type: filter.trustedType?.toLowerCase(),
    invoice_workflow_id: filter.invoiceWorkflowId,
    estimate_workflow_id: filter.estimateWorkflowId,
  } satisfies Record<ValueFilterKey, string | undefined>;
  for (const [column, value] of Object.entries(values) as [ValueFilterKey, string | undefined][]) {
    if (value !== undefined) conditions.push(eb(column, "=", value));
  }
  assertListParameters(
    filter,
    FILTER_ENDPOINT_FIELDS.some((field) => filter[field] !== undefined),
  );
  // Whole lines of listParameterColumns, so a value matches itself only.
  const lines = {
    todo_types: filter.todo,
    field_values:
      filter.contactField === undefined || filter.contactValue === undefined
        ? undefined
        : `${filter.contactField}=${foldCase(filter.contactValue)}`,
  };
  for (const [column, value] of Object.entries(lines) as [keyof typeof lines, string | undefined][]) {
    if (value === undefined) continue;
    const position = eb.fn<number>(positionFunction(db), [column, eb.val(listParameterLine(value))]);
    conditions.push(eb(position, ">", 0));
  }
  return eb.and(conditions);
}

/** The rows of a contacts list (and of listVersions), filtered and in id order. */
export const contactListQuery = (db: Db, filter: MoneybirdContactFilter) =>
  db
    .selectFrom("moneybird_contacts")
    .where((eb) => contactConditions(db, eb, filter))
    .orderBy("id", "asc");

export interface MoneybirdStoreOptions {
  paymentsEnabled: boolean;
}

export function createMoneybirdContactSource(db: Db, options: MoneybirdStoreOptions): MoneybirdContactSource {
  const assertPaymentsEnabled = () => {
    if (!options.paymentsEnabled) {
      throw new UpstreamError(
        "MONEYBIRD",
        "FORBIDDEN",
        "Moneybird Payments is not enabled for this administration",
      );
    }
  };
  const write = <T>(change: (trx: Db, at: Date) => Promise<T>) =>
    db.transaction().execute((trx) => change(trx, new Date()));

  /** A person is part of its contact's record: changing one is a change (and a new version) of both. */
  const changePerson = (
    contactId: string,
    personId: string,
    change: (record: ContactJson, person: PersonJson, at: Date) => void,
  ) =>
    write(async (trx, at) => {
      const record = await loadContact(trx, contactId);
      const person = findPerson(record, personId);
      change(record, person, at);
      touch(record, at);
      await saveContact(trx, record);
      return person;
    });

  return {
    getByIds: (ids) => readByIds(db, "moneybird_contacts", ids, readContact),

    async getByCustomerId(customerId) {
      const row = await db
        .selectFrom("moneybird_contacts")
        .select(["domain", "record"])
        .where("customer_id", "=", customerId)
        .executeTakeFirst();
      return row ? readContact(row) : null;
    },

    async listVersions(filter) {
      // Ids as text: a mirrored Moneybird id beyond 2^53 would come back rounded as a number.
      const rows = await contactListQuery(db, filter)
        .select([sql<string>`cast(id as text)`.as("id"), "version"])
        .execute();
      return rows.map((row) => ({ id: row.id, version: row.version }));
    },

    async list(filter, page) {
      const rows = await contactListQuery(db, filter)
        .select(["domain", "record"])
        .limit(page.limit + 1)
        .offset(page.offset)
        .execute();
      return uncountedPage(rows.map(readContact), page);
    },

    create: (input) => write((trx, at) => insertMoneybirdContact(trx, input, at)),
    update: (id, patch) => write((trx, at) => updateMoneybirdContact(trx, id, patch, at)),

    delete: (id) =>
      write(async (trx, at) => {
        const record = await loadContact(trx, id);
        const charge = await trx
          .selectFrom("moneybird_additional_charges")
          .select("id")
          .where("contact_id", "=", Number(record.id))
          .executeTakeFirst();
        if (charge) {
          const contact = record.archived ? toContact(record) : await archiveMoneybirdContact(trx, id, at);
          return { archived: true, contact };
        }
        await trx.deleteFrom("moneybird_contacts").where("id", "=", Number(record.id)).execute();
        return { archived: false, contact: null };
      }),

    archive: async (id) => {
      await write((trx, at) => archiveMoneybirdContact(trx, id, at));
    },

    createContactPerson: (contactId, input) =>
      write((trx, at) => insertContactPerson(trx, contactId, input, at)),

    async updateContactPerson(contactId, personId, patch) {
      const person = await changePerson(contactId, personId, (_record, person, at) => {
        const changed = { ...person, ...contactPersonBody(patch) };
        assertNoErrors(contactPersonErrors(changed));
        Object.assign(person, changed);
        touch(person, at);
      });
      return toPerson(person, contactId);
    },

    async deleteContactPerson(contactId, personId) {
      await changePerson(contactId, personId, (record, person) => {
        record.contact_people = record.contact_people.filter((candidate) => candidate !== person);
      });
    },

    addNote: (contactId, input) => write((trx, at) => insertNote(trx, contactId, input, at)),

    deleteNote: (contactId, noteId) =>
      write(async (trx, at) => {
        const record = await loadContact(trx, contactId);
        const notes = record.notes.filter((note) => note.id !== noteId);
        if (notes.length === record.notes.length)
          throw new NotFoundError("ContactNote", `${record.id}/${noteId}`);
        record.notes = notes;
        touch(record, at);
        await saveContact(trx, record);
      }),

    async listAdditionalCharges(contactId, includeBilled) {
      const contact = await loadContact(db, contactId);
      const rows = await db
        .selectFrom("moneybird_additional_charges")
        .select("record")
        .where("contact_id", "=", Number(contact.id))
        .$if(!includeBilled, (query) => query.where("billed", "=", 0))
        .orderBy("id", "asc")
        .execute();
      return rows.map((row) => {
        const raw = JSON.parse(row.record) as Json;
        return additionalChargeFromRecord(AdditionalChargeRecord.parse(raw), contact.id, raw);
      });
    },

    createAdditionalCharge: (contactId, input) =>
      write((trx, at) => insertAdditionalCharge(trx, contactId, input, at)),

    async getPaymentsMandate(contactId): Promise<PaymentsMandate | null> {
      assertPaymentsEnabled();
      const contact = await loadContact(db, contactId);
      const row = await db
        .selectFrom("moneybird_payments_mandates")
        .select("record")
        .where("contact_id", "=", Number(contact.id))
        .executeTakeFirst();
      if (!row) return null;
      const raw = JSON.parse(row.record) as Json;
      return paymentsMandateFromRecord(PaymentsMandateRecord.parse(raw), raw);
    },

    async requestPaymentsMandate(contactId, input) {
      assertPaymentsEnabled();
      await write((trx, at) =>
        recordMandateRequest(trx, contactId, at, {
          email_message: input.emailMessage ?? null,
          identity_id: input.identityId ?? null,
          workflow_id: input.workflowId ?? null,
          url: null,
        }),
      );
    },

    async createPaymentsMandateUrl(contactId, identityId, workflowId) {
      assertPaymentsEnabled();
      const url = `https://moneybird.com/mandate_requests/${randomBytes(32).toString("base64url")}`;
      await write((trx, at) =>
        recordMandateRequest(trx, contactId, at, {
          email_message: null,
          identity_id: identityId,
          workflow_id: workflowId ?? null,
          url,
        }),
      );
      return url;
    },

    async deletePaymentsMandate(contactId) {
      assertPaymentsEnabled();
      await write(async (trx, at) => {
        const record = await loadContact(trx, contactId);
        const { numDeletedRows } = await trx
          .deleteFrom("moneybird_payments_mandates")
          .where("contact_id", "=", Number(record.id))
          .executeTakeFirst();
        if (numDeletedRows === 0n) return;
        record.moneybird_payments_mandate = false;
        touch(record, at);
        await saveContact(trx, record);
      });
    },
  };
}
