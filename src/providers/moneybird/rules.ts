import { createHash } from "node:crypto";
import { BadUserInputError } from "../../errors.ts";
import { quoteInput } from "../../security/redaction.ts";
import { foldCase, isBlank, isEmail } from "../shared/text.ts";

/**
 * How Moneybird treats contacts beyond the shape of its records (mapping.ts): what a new record
 * holds, which writes it refuses with which 422 messages, what it derives from a write, what its
 * search reads. The local store and the tests' fake Moneybird both answer by these rules.
 */

type Json = Record<string, unknown>;

/** The `error` object of Moneybird's 422: messages by attribute. */
export type ErrorsByAttribute = Record<string, string[]>;

/** The administration records belong to, and the user the API acts as. */
export interface Administration {
  id: number;
  userId: string;
}

/** A custom field the administration defines; a contact can only hold values of these. */
export interface CustomField {
  id: string;
  name: string;
}

export interface CustomFieldValue extends CustomField {
  value: string;
}

/** A contact record with the attributes these rules read and write typed. */
export interface ContactJson extends Json {
  id: string;
  customer_id: string;
  version: number;
  archived: boolean;
  created_at: string;
  updated_at: string;
  moneybird_payments_mandate: boolean;
  notes: Json[];
  custom_fields: CustomFieldValue[];
  contact_people: PersonJson[];
}

export interface PersonJson extends Json {
  id: string;
  version: number;
  updated_at: string;
}

const DELIVERY_METHODS = ["Email", "Simplerinvoicing", "Peppol", "Manual", "Post"];
const SEPA_SEQUENCE_TYPES = ["RCUR", "FRST", "OOFF", "FNAL"];
/** "When `sepa_active` is true, all other SEPA fields are required" (the spec's own example leaves out the BIC). */
const SEPA_REQUIRED = ["sepa_iban", "sepa_iban_account_name", "sepa_mandate_id", "sepa_mandate_date"];

/** The fields Moneybird's `query` searches. */
export const SEARCHED_FIELDS = [
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

/**
 * The to-do types the spec lists for notes (`note_response.todo_type`): the only to-do vocabulary
 * Moneybird documents, so what the contact list's undocumented `todo` parameter is taken to take
 * (unconfirmed): the contacts with an open to-do of that type.
 */
export const TODO_TYPES = [
  "sales_invoice_due",
  "purchase_invoice_due",
  "general_document_reminder",
  "general_document_due",
  "new_document_awaiting_processing",
  "new_financial_mutation_awaiting_processing",
  "financial_mutations_not_updated",
  "sales_invoice_payment_not_linked_to_financial_mutation",
  "document_payment_not_linked_to_financial_mutation",
  "sales_invoice_awaiting_payment_batch",
  "export_sales_invoices_ready",
  "export_documents_ready",
  "export_contacts_ready",
  "import_contacts_ready",
  "recurring_sales_invoice_auto_send_failed",
  "sales_invoice_scheduled_sending_failed",
  "sales_invoice_reminder_sending_failed",
  "sales_invoice_payment_email_missing_sender_email",
  "sales_invoice_becoming_due",
  "sales_invoice_collecting_failed",
  "estimate_due",
  "export_estimates_ready",
  "sales_invoice_email_delivery_failed",
  "sales_invoice_email_marked_as_spam",
  "estimate_email_delivery_failed",
  "estimate_email_marked_as_spam",
  "purchase_invoice_invalid_ubl",
  "sales_invoice_unprintable",
  "estimate_unprintable",
  "auditfile_ready",
  "import_financial_statement_finished",
  "recurring_sales_invoice_auto_send_skipped_import_wizard",
  "ledger_account_report_export_ready",
  "recurring_sales_invoice_failed_deleted_contact",
  "recurring_sales_invoice_create_invoice_failed",
  "sales_invoice_simplerinvoicing_delivery_failed_unroutable",
  "purchase_invoice_received_simplerinvoicing",
  "sales_invoice_simplerinvoicing_delivery_error",
  "purchase_transaction_expired",
  "sales_invoice_si_delivery_failed_contact_unreachable",
  "sales_invoice_si_delivery_failed_deactivated",
  "sales_invoice_si_delivery_failed_identity_unverified",
  "sales_invoice_si_delivery_failed_length_exceeded",
  "recurring_document_stopped_by_contact_delete",
  "sales_invoice_email_previously_bounced",
  "estimate_email_previously_bounced",
  "email_domain_invalidated",
  "external_sales_invoice_invalid_ubl",
  "sales_invoice_email_invalid_address",
  "estimate_email_invalid_address",
  "gateway_connection_terminated",
  "sales_invoice_email_payload_too_large",
  "estimate_email_payload_too_large",
  "ponto_organization_not_activated",
  "ponto_financial_institution_deprecated",
  "contact_email_delivery_failed",
  "contact_email_marked_as_spam",
  "contact_email_previously_bounced",
  "contact_email_invalid_address",
  "contact_email_payload_too_large",
  "sales_invoice_scheduling_failed_due_to_payment_information",
  "sales_invoice_scheduling_failed_due_to_delivery_information",
  "sales_invoice_collecting_failed_missing_subscription",
  "sales_invoice_collecting_failed_no_mandate",
  "sales_invoice_si_delivery_failed_ubl_validation_failed",
  "sales_invoice_email_sender_limit",
  "estimate_email_sender_limit",
  "contact_email_sender_limit",
  "sales_invoice_email_blocked",
  "estimate_email_blocked",
  "contact_email_blocked",
  "sales_invoice_email_invalid_attachment",
  "estimate_email_invalid_attachment",
  "contact_email_invalid_attachment",
  "sales_invoice_collecting_failed_monthly_limit_exceeded",
  "sales_invoice_collecting_failed_invalid_currency",
  "mollie_credential_needs_reconnect",
  "adyen_verification_error",
  "contact_email_not_present",
  "financial_mutation_failed",
  "sales_invoice_si_delivery_failed_invalid_sender",
  "sales_invoice_tax_number_invalid",
  "payment_transaction_no_positive_payment",
  "financial_mutation_payment_locked",
  "sales_invoice_withdrawal_requested",
] as const;

/** An open to-do of a contact: a note marked to-do and not completed. */
const openTodoTypes = (contact: Json) =>
  ((contact.notes as Json[] | undefined) ?? [])
    .filter((note) => (note.todo === true || note.todo === "true") && !note.completed_at && note.todo_type)
    .map((note) => String(note.todo_type));

/**
 * The contact list's parameters beyond search (GET /contacts only; the spec types them as bare
 * strings): `todo` a to-do type, `contact_field` one of the fields the list's search reads, with
 * `contact_value` its value, compared as the name filters compare (case-insensitive, exact).
 * Unconfirmed readings; the store and the fake answer by them.
 */
export interface ListParameters {
  todo?: string;
  contactField?: string;
  contactValue?: string;
}

/** The domain filter fields that Moneybird's filter endpoint serves (`filter=key:value,…`). */
export const FILTER_ENDPOINT_FIELDS = [
  "firstName",
  "lastName",
  "createdAfter",
  "updatedAfter",
  "contactType",
  "deliveryMethod",
  "trustedType",
  "invoiceWorkflowId",
  "estimateWorkflowId",
] as const;

/**
 * Refuses what the list's parameters cannot mean (BAD_USER_INPUT), before any call; `filtered`
 * says the filter endpoint serves the list, which documents none of them.
 */
export function assertListParameters(
  { todo, contactField, contactValue }: ListParameters,
  filtered: boolean,
): void {
  if (filtered && (todo ?? contactField ?? contactValue) !== undefined) {
    throw new BadUserInputError(
      `todo, contactField and contactValue are parameters of Moneybird's plain contact list: they cannot combine with ${FILTER_ENDPOINT_FIELDS.join(", ")} (its filter endpoint)`,
    );
  }
  if (todo !== undefined && !(TODO_TYPES as readonly string[]).includes(todo)) {
    throw new BadUserInputError(
      `todo is not a Moneybird to-do type (e.g. contact_email_delivery_failed): ${quoteInput(todo)}`,
    );
  }
  if ((contactField === undefined) !== (contactValue === undefined)) {
    throw new BadUserInputError("contactField and contactValue go together: give both or neither");
  }
  if (contactField !== undefined && !(SEARCHED_FIELDS as readonly string[]).includes(contactField)) {
    throw new BadUserInputError(
      `contactField is not one of Moneybird's contact fields (${SEARCHED_FIELDS.join(", ")}): ${quoteInput(contactField)}`,
    );
  }
  if (contactValue !== undefined && /[\r\n]/.test(contactValue)) {
    throw new BadUserInputError("contactValue cannot hold a line break");
  }
}

/** Whether a contact record is one the list's parameters select. */
export function matchesListParameters(
  contact: Json,
  { todo, contactField, contactValue }: ListParameters,
): boolean {
  if (todo !== undefined && !openTodoTypes(contact).includes(todo)) return false;
  if (contactField === undefined || contactValue === undefined) return true;
  return foldCase(String(contact[contactField] ?? "")) === foldCase(contactValue);
}

/** What the store indexes a contact by for the list's parameters: its open to-do types, and field=value lines. */
export function listParameterColumns(contact: Json) {
  const lines = (values: string[]) => `\n${values.join("\n")}\n`;
  return {
    todo_types: lines(openTodoTypes(contact)),
    field_values: lines(
      SEARCHED_FIELDS.map(
        (field) => `${field}=${foldCase(String(contact[field] ?? "")).replace(/[\r\n]/g, " ")}`,
      ),
    ),
  };
}

/** The line of `listParameterColumns` a parameter looks for. */
export const listParameterLine = (value: string) => `\n${value}\n`;

/**
 * The filter endpoint's keys that select by an attribute's value, each with what a contact has for
 * it as the filter spells it (`all`, accepted by the first three, selects every contact).
 */
export const VALUE_FILTERS = {
  contact_type: (contact: Json) => (isBlank(contact.company_name) ? "private_individual" : "company"),
  delivery_method: (contact: Json) => String(contact.delivery_method ?? "").toLowerCase(),
  trusted_type: (contact: Json) => (contact.is_trusted === true ? "trusted" : "not_trusted"),
  invoice_workflow_id: (contact: Json) => String(contact.invoice_workflow_id ?? ""),
  estimate_workflow_id: (contact: Json) => String(contact.estimate_workflow_id ?? ""),
} as const;
export type ValueFilterKey = keyof typeof VALUE_FILTERS;

/** What a contact has for every value filter, by key. */
export const valueFilterColumns = (contact: Json) =>
  Object.fromEntries(Object.entries(VALUE_FILTERS).map(([key, read]) => [key, read(contact)])) as Record<
    ValueFilterKey,
    string
  >;

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** Moneybird's `version` is the epoch second of the last change; it never repeats, so it only grows. */
export function touch(record: Json, at: Date): void {
  record.updated_at = at.toISOString();
  record.version = Math.max(epochSeconds(at), Number(record.version) + 1);
}

/** An entry of a contact's `events`, as the spec's examples show them (`contact_created` on a create). */
export const newEventRecord = (administration: Administration, action: string, at: Date): Json => ({
  administration_id: administration.id,
  user_id: administration.userId,
  action,
  link_entity_id: null,
  link_entity_type: null,
  data: {},
  created_at: at.toISOString(),
  updated_at: at.toISOString(),
});

/** What Moneybird returns for a contact whose create set nothing else: the spec's example, blank. */
export function newContactRecord(administration: Administration, id: string, at: Date): ContactJson {
  const now = at.toISOString();
  const digest = createHash("sha256").update(id).digest("hex");
  return {
    id,
    administration_id: administration.id,
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
    sales_invoices_url: `https://moneybird.com/${administration.id}/sales_invoices/${digest}/all`,
    notes: [],
    custom_fields: [],
    contact_people: [],
    archived: false,
    events: [],
  };
}

/** What a record inside a contact (a person, note or charge) is made with: where it belongs, its id and time. */
export interface ChildRecordOrigin {
  administration: Administration;
  contactId: string;
  id: string;
  at: Date;
}

/** A contact person as Moneybird stores the `contact_person` of a write body. */
export function newContactPersonRecord(
  { administration, contactId, id, at }: ChildRecordOrigin,
  body: Json,
): PersonJson {
  const now = at.toISOString();
  return {
    id,
    contact_id: contactId,
    administration_id: administration.id,
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

/** A note as Moneybird stores the `note` of a write body: one with an assignee is a to-do. */
export function newNoteRecord({ administration, contactId, id, at }: ChildRecordOrigin, body: Json): Json {
  const now = at.toISOString();
  return {
    id,
    administration_id: administration.id,
    entity_id: contactId,
    entity_type: "Contact",
    user_id: administration.userId,
    assignee_id: body.assignee_id === undefined ? null : String(body.assignee_id),
    todo: body.todo === true || body.todo === "true" || body.assignee_id !== undefined,
    note: body.note,
    completed_at: null,
    completed_by_id: null,
    todo_type: null,
    data: {},
    created_at: now,
    updated_at: now,
  };
}

/** "20210601..20210630": the days a charge's `period` names. */
export const isChargePeriod = (value: unknown) => /^\d{8}\.\.\d{8}$/.test(String(value));

/**
 * An additional charge as Moneybird answers its create: the price as a decimal ("100.0" for 100),
 * the period as the months it covers ("20210601..20210630" → "202106..202106"), this month by default.
 */
export function newAdditionalChargeRecord(
  { administration, contactId, id, at }: ChildRecordOrigin,
  body: Json,
): Json {
  const month = at.toISOString().slice(0, 7).replace("-", "");
  const price = Number(body.price);
  return {
    id,
    administration_id: administration.id,
    contact_id: contactId,
    subscription_id: null,
    product_id: String(body.product_id),
    detail_id: null,
    amount: body.amount === undefined ? null : String(body.amount),
    price: Number.isInteger(price) ? price.toFixed(1) : String(price),
    period:
      body.period === undefined
        ? `${month}..${month}`
        : String(body.period).replace(/^(\d{6})\d{2}\.\.(\d{6})\d{2}$/, "$1..$2"),
    description: body.description === undefined ? "" : String(body.description),
  };
}

/** The `custom_fields_attributes` of a body, in either of the spec's forms (array or index-keyed object). */
const customFieldValues = (body: Json) =>
  Object.values((body.custom_fields_attributes ?? {}) as Record<string, { id: unknown; value: string }>);

/**
 * Applies a contact write body to a record (not its `contact_person`, which becomes a record of its
 * own): the first invoice address shows as `email`, the invoice attention as `attention`, and the
 * custom field values follow the order of the administration's definitions.
 */
export function applyContactBody(record: Json, body: Json, customFields: readonly CustomField[]): void {
  const { custom_fields_attributes: _values, contact_person: _person, ...attributes } = body;
  Object.assign(record, attributes);
  // A cleared date is null in Moneybird's records, never "" (the spec's format is date).
  if (record.sepa_mandate_date === "") record.sepa_mandate_date = null;
  if (typeof attributes.send_invoices_to_attention === "string")
    record.attention = attributes.send_invoices_to_attention;
  if (typeof attributes.send_invoices_to_email === "string")
    record.email = attributes.send_invoices_to_email.split(",")[0]?.trim() ?? "";
  const values = new Map(
    (record.custom_fields as CustomFieldValue[]).map((field) => [String(field.id), String(field.value)]),
  );
  // An empty value clears the field's value.
  for (const field of customFieldValues(body)) {
    if (field.value === "") values.delete(String(field.id));
    else values.set(String(field.id), field.value);
  }
  record.custom_fields = customFields
    .filter((field) => values.has(field.id))
    .map((field) => ({ ...field, value: values.get(field.id) ?? "" }));
}

export function addError(errors: ErrorsByAttribute, attribute: string, message: string): void {
  errors[attribute] = [...(errors[attribute] ?? []), message];
}

const isEmailList = (value: unknown) =>
  isBlank(value) ||
  String(value)
    .split(",")
    .every((address) => isEmail(address.trim()));

/** The ids of a body's custom field values that name no field the administration defines. */
export const unknownCustomFieldIds = (body: Json, customFields: readonly CustomField[]) =>
  customFieldValues(body)
    .map((field) => String(field.id))
    .filter((id) => !customFields.some((known) => known.id === id));

export const unknownCustomFieldMessage = (id: string) =>
  `Custom field with id ${id} not found for administration`;

/**
 * Every rule a contact breaks as a write `body` leaves it, all at once: a company name or both
 * names, valid invoice and estimate address lists, a known delivery method and SEPA sequence type,
 * the SEPA details SEPA needs, a mandate date not in the future, a customer id no other contact has
 * (`customerIdTaken`, which only the caller's storage can tell), known custom fields, and a
 * `contact_person` with both names.
 */
export function contactErrors(
  contact: Json,
  body: Json,
  known: { customerIdTaken: boolean; customFields: readonly CustomField[] },
): ErrorsByAttribute {
  const errors: ErrorsByAttribute = {};
  if (isBlank(contact.company_name) && (isBlank(contact.firstname) || isBlank(contact.lastname))) {
    for (const attribute of ["firstname", "lastname", "company_name"]) {
      if (isBlank(contact[attribute])) addError(errors, attribute, "is required");
    }
  }
  for (const attribute of ["send_invoices_to_email", "send_estimates_to_email"]) {
    if (!isEmailList(contact[attribute])) addError(errors, attribute, "is invalid");
  }
  if (!isBlank(contact.delivery_method) && !DELIVERY_METHODS.includes(String(contact.delivery_method))) {
    addError(errors, "delivery_method", "is not included in the list");
  }
  if (
    !isBlank(contact.sepa_sequence_type) &&
    !SEPA_SEQUENCE_TYPES.includes(String(contact.sepa_sequence_type))
  ) {
    addError(errors, "sepa_sequence_type", "is not included in the list");
  }
  if (contact.sepa_active === true || contact.sepa_active === "true") {
    for (const attribute of SEPA_REQUIRED) {
      if (isBlank(contact[attribute])) addError(errors, attribute, "can't be blank");
    }
  }
  if (!isBlank(contact.sepa_mandate_date) && Date.parse(String(contact.sepa_mandate_date)) > Date.now()) {
    addError(errors, "sepa_mandate_date", "cannot be in the future");
  }
  if (known.customerIdTaken) addError(errors, "customer_id", "has already been taken");
  for (const id of unknownCustomFieldIds(body, known.customFields)) {
    addError(errors, "custom_fields", unknownCustomFieldMessage(id));
  }
  const person = body.contact_person as Json | undefined;
  if (person && (isBlank(person.firstname) || isBlank(person.lastname)))
    addError(errors, "contact_person", "is invalid");
  return errors;
}

/** Every rule a contact person breaks: both names, and a valid address when it has one. */
export function contactPersonErrors(person: Json): ErrorsByAttribute {
  const errors: ErrorsByAttribute = {};
  for (const attribute of ["firstname", "lastname"]) {
    if (isBlank(person[attribute])) addError(errors, attribute, "can't be blank");
  }
  if (!isBlank(person.email) && !isEmail(String(person.email))) addError(errors, "email", "is invalid");
  return errors;
}

export const hasErrors = (errors: ErrorsByAttribute) => Object.keys(errors).length > 0;
