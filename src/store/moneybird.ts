import { createHash, randomBytes } from "node:crypto";
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
  UpdateMoneybirdContact,
} from "../domain/index.ts";
import { NotFoundError, UpstreamError, ValidationError } from "../errors.ts";
import {
  AdditionalChargeRecord,
  additionalChargeBody,
  additionalChargeFromRecord,
  ContactPersonRecord,
  ContactRecord,
  contactBody,
  contactFromRecord,
  contactPersonBody,
  contactPersonFromRecord,
  fieldErrorsFromMoneybird,
  NoteRecord,
  noteBody,
  noteFromRecord,
  PaymentsMandateRecord,
  paymentsMandateFromRecord,
} from "../sources/moneybird/mapping.ts";
import type { MoneybirdContactSource } from "../sources/ports.ts";
import type { Database, Db } from "./database.ts";
import {
  foldCase,
  instant,
  isBlank,
  isEmail,
  loadRecord,
  nextId,
  readByIds,
  uncountedPage,
} from "./support.ts";

/** The administration and user every record of the store belongs to (Moneybird records name them). */
const ADMINISTRATION_ID = 1;
const CURRENT_USER_ID = "4960814000000001";

/** The administration's custom field definitions: a value can only be set for one of these. */
export const CUSTOM_FIELDS = [
  { id: "4960814000000101", name: "Account manager" },
  { id: "4960814000000102", name: "Segment" },
  { id: "4960814000000103", name: "Contract number" },
] as const;

const DELIVERY_METHODS = ["Email", "Simplerinvoicing", "Peppol", "Manual", "Post"];

/** The fields Moneybird's `query` searches. */
const SEARCHED_FIELDS = [
  "company_name",
  "attention",
  "firstname",
  "lastname",
  "address1",
  "address2",
  "zipcode",
  "city",
  "country",
  "email",
  "phone",
  "customer_id",
  "tax_number",
  "chamber_of_commerce",
  "bank_account",
] as const;

type Json = Record<string, unknown>;
interface CustomFieldValue {
  id: string;
  name: string;
  value: string;
}
interface StoredContact extends Json {
  id: string;
  customer_id: string;
  version: number;
  archived: boolean;
  created_at: string;
  updated_at: string;
  moneybird_payments_mandate: boolean;
  notes: Json[];
  custom_fields: CustomFieldValue[];
  contact_people: StoredPerson[];
}
interface StoredPerson extends Json {
  id: string;
  version: number;
  updated_at: string;
}

type ErrorsByAttribute = Record<string, string[]>;

/** Moneybird's 422 body, converted exactly as the REST adapter converts it. */
function assertNoErrors(errors: ErrorsByAttribute): void {
  if (Object.keys(errors).length > 0) throw new ValidationError(fieldErrorsFromMoneybird({ error: errors }));
}

function addError(errors: ErrorsByAttribute, attribute: string, message: string): void {
  errors[attribute] = [...(errors[attribute] ?? []), message];
}

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** Moneybird's `version` is the epoch second of the last change; it never repeats, so it only grows. */
function touch(record: { version: number; updated_at: string }, at: Date): void {
  record.updated_at = at.toISOString();
  record.version = Math.max(epochSeconds(at), record.version + 1);
}

/** What Moneybird returns for a contact whose create set nothing else. */
function newContactRecord(id: string, at: Date): StoredContact {
  const now = at.toISOString();
  const digest = createHash("sha256").update(id).digest("hex");
  return {
    id,
    administration_id: ADMINISTRATION_ID,
    company_name: "",
    firstname: "",
    lastname: "",
    address1: "",
    address2: "",
    zipcode: "",
    city: "",
    country: "NL",
    phone: "",
    delivery_method: "Email",
    customer_id: "",
    tax_number: "",
    chamber_of_commerce: "",
    bank_account: "",
    is_trusted: false,
    max_transfer_amount: null,
    attention: "",
    email: "",
    email_ubl: true,
    send_invoices_to_attention: "",
    send_invoices_to_email: "",
    send_estimates_to_attention: "",
    send_estimates_to_email: "",
    direct_debit: false,
    sepa_active: false,
    sepa_iban: "",
    sepa_iban_account_name: "",
    sepa_bic: "",
    sepa_mandate_id: "",
    sepa_mandate_date: null,
    sepa_sequence_type: "RCUR",
    credit_card_number: "",
    credit_card_reference: "",
    credit_card_type: null,
    tax_number_validated_at: null,
    tax_number_valid: null,
    invoice_workflow_id: null,
    estimate_workflow_id: null,
    si_identifier: "",
    si_identifier_type: null,
    moneybird_payments_mandate: false,
    created_at: now,
    updated_at: now,
    version: epochSeconds(at),
    sales_invoices_url: `https://moneybird.com/${ADMINISTRATION_ID}/sales_invoices/${digest}/all`,
    notes: [],
    custom_fields: [],
    contact_people: [],
    archived: false,
    events: [],
  };
}

const toContact = (record: StoredContact) => contactFromRecord(ContactRecord.parse(record), record);
const readContact = (json: string) => toContact(JSON.parse(json) as StoredContact);

/** The contact a record is, and the row that stores it. */
function contactRow(record: StoredContact) {
  const contact = toContact(record);
  return {
    contact,
    columns: {
      record: JSON.stringify(record),
      search_text: foldCase(SEARCHED_FIELDS.map((field) => record[field] ?? "").join("\n")),
      firstname_key: foldCase(contact.firstName ?? ""),
      lastname_key: foldCase(contact.lastName ?? ""),
      customer_id: record.customer_id,
      archived: record.archived ? 1 : 0,
      created_at_ms: Date.parse(record.created_at),
      updated_at_ms: Date.parse(record.updated_at),
    },
  };
}

const loadContact = (db: Db, id: string) =>
  loadRecord<StoredContact>(db, "moneybird_contacts", "MoneybirdContact", id);

async function saveContact(db: Db, record: StoredContact): Promise<MoneybirdContact> {
  const { contact, columns } = contactRow(record);
  await db.updateTable("moneybird_contacts").set(columns).where("id", "=", Number(record.id)).execute();
  return contact;
}

const isEmailList = (value: unknown) =>
  isBlank(value) ||
  String(value)
    .split(",")
    .every((address) => isEmail(address.trim()));

const firstAddress = (emails: string) => emails.split(",")[0]?.trim() ?? "";

/** The next free numeric customer id, as Moneybird assigns one to a contact that has none. */
async function nextCustomerId(db: Db): Promise<string> {
  const { rows } = await sql<{ highest: number }>`
    select coalesce(max(cast(customer_id as integer)), 0) as highest from moneybird_contacts`.execute(db);
  return String((rows[0]?.highest ?? 0) + 1);
}

type CustomFieldsAttributes = { id: string; value: string }[];

/** Applies a write body. Moneybird shows the first invoice address as `email`, the invoice attention as `attention`. */
function applyContactBody(record: StoredContact, body: Json): void {
  const { custom_fields_attributes, contact_person, ...attributes } = body;
  Object.assign(record, attributes);
  if (typeof attributes.send_invoices_to_attention === "string")
    record.attention = attributes.send_invoices_to_attention;
  if (typeof attributes.send_invoices_to_email === "string")
    record.email = firstAddress(attributes.send_invoices_to_email);
  const values = new Map(record.custom_fields.map((field) => [field.id, field.value]));
  for (const field of (custom_fields_attributes ?? []) as CustomFieldsAttributes)
    values.set(String(field.id), field.value);
  record.custom_fields = CUSTOM_FIELDS.filter((field) => values.has(field.id)).map((field) => ({
    ...field,
    value: values.get(field.id) ?? "",
  }));
}

async function assertValidContact(db: Db, record: StoredContact, body: Json): Promise<void> {
  const errors: ErrorsByAttribute = {};
  const hasName = !isBlank(record.company_name) || (!isBlank(record.firstname) && !isBlank(record.lastname));
  if (!hasName) {
    for (const attribute of ["firstname", "lastname", "company_name"]) {
      if (isBlank(record[attribute])) addError(errors, attribute, "is required");
    }
  }
  for (const attribute of ["send_invoices_to_email", "send_estimates_to_email"]) {
    if (!isEmailList(record[attribute])) addError(errors, attribute, "is invalid");
  }
  if (!isBlank(record.delivery_method) && !DELIVERY_METHODS.includes(String(record.delivery_method))) {
    addError(errors, "delivery_method", "is not included in the list");
  }
  if (!isBlank(record.customer_id)) {
    const owner = await db
      .selectFrom("moneybird_contacts")
      .select("id")
      .where("customer_id", "=", record.customer_id)
      .where("id", "!=", Number(record.id))
      .executeTakeFirst();
    if (owner) addError(errors, "customer_id", "has already been taken");
  }
  for (const field of (body.custom_fields_attributes ?? []) as CustomFieldsAttributes) {
    if (!CUSTOM_FIELDS.some((known) => known.id === String(field.id))) {
      addError(errors, "custom_fields", `Custom field with id ${field.id} not found for administration`);
    }
  }
  const person = body.contact_person as Json | undefined;
  if (person && (isBlank(person.firstname) || isBlank(person.lastname)))
    addError(errors, "contact_person", "is invalid");
  assertNoErrors(errors);
}

function personErrors(person: Json): ErrorsByAttribute {
  const errors: ErrorsByAttribute = {};
  for (const attribute of ["firstname", "lastname"]) {
    if (isBlank(person[attribute])) addError(errors, attribute, "can't be blank");
  }
  if (!isBlank(person.email) && !isEmail(String(person.email))) addError(errors, "email", "is invalid");
  return errors;
}

function newPersonRecord(id: number, contactId: string, at: Date, body: Json): StoredPerson {
  const now = at.toISOString();
  return {
    id: String(id),
    contact_id: contactId,
    administration_id: ADMINISTRATION_ID,
    firstname: null,
    lastname: null,
    phone: null,
    email: null,
    department: null,
    created_at: now,
    updated_at: now,
    version: epochSeconds(at),
    ...body,
  };
}

function findPerson(record: StoredContact, personId: string): StoredPerson {
  const person = record.contact_people.find((candidate) => candidate.id === personId);
  if (!person) throw new NotFoundError("ContactPerson", `${record.id}/${personId}`);
  return person;
}

const toPerson = (person: StoredPerson, contactId: string): ContactPerson =>
  contactPersonFromRecord(ContactPersonRecord.parse(person), contactId, person);

/** Creates a contact inside the caller's transaction. */
export async function insertMoneybirdContact(
  db: Db,
  input: CreateMoneybirdContact,
  at: Date,
): Promise<MoneybirdContact> {
  const body = contactBody(input);
  const id = await nextId(db, "moneybird");
  const record = newContactRecord(String(id), at);
  applyContactBody(record, body);
  await assertValidContact(db, record, body);
  if (isBlank(record.customer_id)) record.customer_id = await nextCustomerId(db);
  const person = body.contact_person as Json | undefined;
  if (person)
    record.contact_people.push(newPersonRecord(await nextId(db, "moneybird"), record.id, at, person));
  const { contact, columns } = contactRow(record);
  await db
    .insertInto("moneybird_contacts")
    .values({ id, ...columns })
    .execute();
  return contact;
}

async function updateMoneybirdContact(db: Db, id: string, patch: UpdateMoneybirdContact, at: Date) {
  const record = await loadContact(db, id);
  const body = contactBody(patch);
  applyContactBody(record, body);
  await assertValidContact(db, record, body);
  if (isBlank(record.customer_id)) record.customer_id = await nextCustomerId(db);
  touch(record, at);
  return saveContact(db, record);
}

/** Moneybird refuses to archive an archived contact (a 400). */
export async function archiveMoneybirdContact(db: Db, id: string, at: Date): Promise<void> {
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
  await saveContact(db, record);
}

export async function insertContactPerson(
  db: Db,
  contactId: string,
  input: CreateContactPerson,
  at: Date,
): Promise<ContactPerson> {
  const record = await loadContact(db, contactId);
  const body = contactPersonBody(input);
  assertNoErrors(personErrors(body));
  const person = newPersonRecord(await nextId(db, "moneybird"), record.id, at, body);
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
  const now = at.toISOString();
  const note = {
    id: String(await nextId(db, "moneybird")),
    administration_id: ADMINISTRATION_ID,
    entity_id: record.id,
    entity_type: "Contact",
    user_id: CURRENT_USER_ID,
    assignee_id: body.assignee_id ?? null,
    todo: body.todo === true || body.assignee_id !== undefined,
    note: body.note,
    completed_at: null,
    completed_by_id: null,
    todo_type: null,
    data: {},
    created_at: now,
    updated_at: now,
  };
  record.notes.push(note);
  touch(record, at);
  await saveContact(db, record);
  return noteFromRecord(NoteRecord.parse(note), record.id, note);
}

/** "20210601..20210630" → "202106..202106": Moneybird answers with the months the period covers. */
const monthPeriod = (period: string) => period.replace(/^(\d{6})\d{2}\.\.(\d{6})\d{2}$/, "$1..$2");
const currentMonth = (at: Date) => {
  const month = at.toISOString().slice(0, 7).replace("-", "");
  return `${month}..${month}`;
};
/** Moneybird writes prices as decimals ("100.0" for 100). */
const decimal = (price: string) => {
  const value = Number(price);
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
};

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
  if (body.period !== undefined && !/^\d{8}\.\.\d{8}$/.test(String(body.period)))
    addError(errors, "period", "is invalid");
  assertNoErrors(errors);

  const record = {
    id: String(await nextId(db, "moneybird")),
    administration_id: ADMINISTRATION_ID,
    contact_id: contact.id,
    subscription_id: null,
    product_id: String(body.product_id),
    detail_id: null,
    amount: body.amount ?? null,
    price: decimal(String(body.price)),
    period: body.period === undefined ? currentMonth(at) : monthPeriod(String(body.period)),
    description: body.description ?? "",
  };
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
  request: Pick<Database["moneybird_mandate_requests"], "email_message" | "identity_id" | "url">,
): Promise<void> {
  const contact = await loadContact(db, contactId);
  await db
    .insertInto("moneybird_mandate_requests")
    .values({ contact_id: Number(contact.id), requested_at: at.toISOString(), ...request })
    .execute();
}

function contactConditions(
  eb: ExpressionBuilder<Database, "moneybird_contacts">,
  filter: MoneybirdContactFilter,
): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  if (!filter.includeArchived) conditions.push(eb("archived", "=", 0));
  if (filter.query !== undefined) {
    conditions.push(eb(eb.fn<number>("instr", ["search_text", eb.val(foldCase(filter.query))]), ">", 0));
  }
  if (filter.firstName !== undefined) conditions.push(eb("firstname_key", "=", foldCase(filter.firstName)));
  if (filter.lastName !== undefined) conditions.push(eb("lastname_key", "=", foldCase(filter.lastName)));
  if (filter.createdAfter) conditions.push(eb("created_at_ms", ">", instant(filter.createdAfter)));
  if (filter.updatedAfter) conditions.push(eb("updated_at_ms", ">", instant(filter.updatedAfter)));
  return eb.and(conditions);
}

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
    change: (record: StoredContact, person: StoredPerson, at: Date) => void,
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
        .select("record")
        .where("customer_id", "=", customerId)
        .executeTakeFirst();
      return row ? readContact(row.record) : null;
    },

    async list(filter, page) {
      const rows = await db
        .selectFrom("moneybird_contacts")
        .select("record")
        .where((eb) => contactConditions(eb, filter))
        .orderBy("id", "asc")
        .limit(page.limit + 1)
        .offset(page.offset)
        .execute();
      return uncountedPage(
        rows.map((row) => readContact(row.record)),
        page,
      );
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
          if (!record.archived) await archiveMoneybirdContact(trx, id, at);
          return { archived: true };
        }
        await trx.deleteFrom("moneybird_contacts").where("id", "=", Number(record.id)).execute();
        return { archived: false };
      }),

    archive: (id) => write((trx, at) => archiveMoneybirdContact(trx, id, at)),

    createContactPerson: (contactId, input) =>
      write((trx, at) => insertContactPerson(trx, contactId, input, at)),

    async updateContactPerson(contactId, personId, patch) {
      const person = await changePerson(contactId, personId, (_record, person, at) => {
        const changed = { ...person, ...contactPersonBody(patch) };
        assertNoErrors(personErrors(changed));
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
          url: null,
        }),
      );
    },

    async createPaymentsMandateUrl(contactId, identityId) {
      assertPaymentsEnabled();
      const url = `https://moneybird.com/mandate_requests/${randomBytes(32).toString("base64url")}`;
      await write((trx, at) =>
        recordMandateRequest(trx, contactId, at, { email_message: null, identity_id: identityId, url }),
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
