import type { z } from "zod";
import { postalAddress } from "../../domain/address.ts";
import type {
  AddContactNote,
  AdditionalCharge,
  ContactNote,
  ContactPerson,
  CreateAdditionalCharge,
  CreateContactPerson,
  CreateMoneybirdContact,
  MoneybirdContact,
  PaymentsMandate,
  RequestPaymentsMandate,
  UpdateMoneybirdContact,
} from "../../domain/index.ts";
import { SEPA_SEQUENCE_TYPES } from "../../domain/index.ts";
import type { FieldError } from "../../errors.ts";
import { definedEntries } from "../shared/records.ts";
import type {
  AdditionalChargeRecord,
  ContactPersonRecord,
  ContactRecord,
  MoneybirdErrorBody,
  NoteRecord,
  PaymentsMandateRecord,
} from "./records.ts";

/** Moneybird's records ↔ the domain: reads, write bodies, and its error bodies as field errors. */

type Raw = Record<string, unknown>;
/** The unparsed element i of an embedded array, kept as `raw` of the nested record. */
const rawAt = (raw: Raw, key: string, index: number): Raw =>
  ((raw[key] as Raw[] | undefined)?.[index] ?? {}) as Raw;

export function contactPersonFromRecord(
  record: z.infer<typeof ContactPersonRecord>,
  contactId: string,
  raw: Raw,
): ContactPerson {
  return {
    kind: "ContactPerson",
    id: record.id,
    contactId: record.contact_id ?? contactId,
    firstName: record.firstname,
    lastName: record.lastname,
    phone: record.phone,
    email: record.email,
    department: record.department,
    version: record.version ?? null,
    createdAt: record.created_at,
    updatedAt: record.updated_at,
    raw,
  };
}

export function noteFromRecord(record: z.infer<typeof NoteRecord>, contactId: string, raw: Raw): ContactNote {
  return {
    kind: "ContactNote",
    id: record.id,
    contactId: record.entity_id ?? contactId,
    note: record.note ?? "",
    todo: record.todo === true || record.todo === "true",
    assigneeId: record.assignee_id,
    userId: record.user_id,
    completedAt: record.completed_at,
    createdAt: record.created_at,
    raw,
  };
}

export function contactFromRecord(record: ContactRecord, raw: Raw): MoneybirdContact {
  return {
    kind: "MoneybirdContact",
    provider: "MONEYBIRD",
    id: record.id,
    companyName: record.company_name || null,
    firstName: record.firstname,
    lastName: record.lastname,
    email: record.email,
    phone: record.phone,
    address: postalAddress({
      line1: record.address1,
      line2: record.address2,
      city: record.city,
      postcode: record.zipcode,
      country: record.country,
    }),
    taxNumber: record.tax_number,
    archived: record.archived ?? false,
    createdAt: record.created_at,
    updatedAt: record.updated_at,
    customerId: record.customer_id,
    // Read where it is written: the spec's `attention` is not writable.
    attention: record.send_invoices_to_attention,
    chamberOfCommerce: record.chamber_of_commerce,
    bankAccount: record.bank_account,
    deliveryMethod: record.delivery_method,
    sendInvoicesToEmail: record.send_invoices_to_email,
    sendEstimatesToEmail: record.send_estimates_to_email,
    sendEstimatesToAttention: record.send_estimates_to_attention,
    emailUbl: record.email_ubl,
    directDebit: record.direct_debit,
    sepa: {
      active: record.sepa_active,
      iban: record.sepa_iban,
      ibanAccountName: record.sepa_iban_account_name,
      bic: record.sepa_bic,
      mandateId: record.sepa_mandate_id,
      mandateDate: record.sepa_mandate_date,
      sequenceType: SEPA_SEQUENCE_TYPES.find((type) => type === record.sepa_sequence_type) ?? null,
    },
    creditCard:
      record.credit_card_number || record.credit_card_reference || record.credit_card_type
        ? {
            number: record.credit_card_number,
            reference: record.credit_card_reference,
            type: record.credit_card_type,
          }
        : null,
    invoiceWorkflowId: record.invoice_workflow_id,
    estimateWorkflowId: record.estimate_workflow_id,
    siIdentifier: record.si_identifier,
    siIdentifierType: record.si_identifier_type,
    isTrusted: record.is_trusted,
    maxTransferAmount: record.max_transfer_amount === null ? null : String(record.max_transfer_amount),
    taxNumberValid: record.tax_number_valid,
    taxNumberValidatedAt: record.tax_number_validated_at,
    hasPaymentsMandate: record.moneybird_payments_mandate,
    salesInvoicesUrl: record.sales_invoices_url,
    events: (record.events ?? []).map((event) => ({
      action: event.action,
      userId: event.user_id,
      linkEntityId: event.link_entity_id,
      linkEntityType: event.link_entity_type,
      data: event.data ?? {},
      createdAt: event.created_at,
      updatedAt: event.updated_at,
    })),
    version: record.version,
    customFields: (record.custom_fields ?? []).map((field) => ({
      id: field.id,
      name: field.name,
      value: field.value,
    })),
    notes: (record.notes ?? []).map((note, i) => noteFromRecord(note, record.id, rawAt(raw, "notes", i))),
    contactPersons: (record.contact_people ?? []).map((person, i) =>
      contactPersonFromRecord(person, record.id, rawAt(raw, "contact_people", i)),
    ),
    raw,
  };
}

export function additionalChargeFromRecord(
  record: z.infer<typeof AdditionalChargeRecord>,
  contactId: string,
  raw: Raw,
): AdditionalCharge {
  return {
    id: record.id,
    contactId: record.contact_id ?? contactId,
    productId: record.product_id,
    subscriptionId: record.subscription_id,
    amount: record.amount,
    price: record.price,
    period: record.period,
    description: record.description,
    raw,
  };
}

export function paymentsMandateFromRecord(
  record: z.infer<typeof PaymentsMandateRecord>,
  raw: Raw,
): PaymentsMandate {
  return {
    type: record.type,
    sepaMandate: record.sepa_mandate,
    bank: record.bank,
    iban: record.iban,
    bic: record.bic,
    ibanAccountName: record.iban_account_name,
    cardExpiryMonth: record.card_expiry_month,
    cardExpiryYear: record.card_expiry_year,
    cardFinalDigits: record.card_final_digits,
    createdAt: record.created_at,
    raw,
  };
}

/** Moneybird clears an optional attribute that is sent as an empty string. */
const clearable = <T>(value: T | null | undefined) => (value === null ? "" : value);

/** What `sepa: null` sends: every SEPA attribute cleared, SEPA switched off. */
const NO_SEPA = {
  active: false,
  iban: null,
  ibanAccountName: null,
  bic: null,
  mandateId: null,
  mandateDate: null,
  sequenceType: null,
};

/**
 * The `contact` object of a create or update body: only the fields the caller gave. `email` is the
 * invoice address list it is read from (the contact routing refuses it beside `sendInvoicesToEmail`).
 */
export function contactBody(input: CreateMoneybirdContact | UpdateMoneybirdContact): Record<string, unknown> {
  const address =
    input.address === null
      ? { line1: null, line2: null, city: null, postcode: null, country: null }
      : input.address;
  const sepa = input.sepa === null ? NO_SEPA : input.sepa;
  return definedEntries({
    company_name: clearable(input.companyName),
    firstname: clearable(input.firstName),
    lastname: clearable(input.lastName),
    phone: clearable(input.phone),
    address1: clearable(address?.line1),
    address2: clearable(address?.line2),
    city: clearable(address?.city),
    zipcode: clearable(address?.postcode),
    country: clearable(address?.country),
    tax_number: clearable(input.taxNumber),
    customer_id: clearable(input.customerId),
    send_invoices_to_attention: clearable(input.attention),
    chamber_of_commerce: clearable(input.chamberOfCommerce),
    bank_account: clearable(input.bankAccount),
    delivery_method: clearable(input.deliveryMethod),
    send_invoices_to_email: clearable(input.sendInvoicesToEmail ?? input.email),
    send_estimates_to_email: clearable(input.sendEstimatesToEmail),
    send_estimates_to_attention: clearable(input.sendEstimatesToAttention),
    email_ubl: input.emailUbl ?? undefined,
    direct_debit: input.directDebit ?? undefined,
    sepa_active: sepa?.active ?? undefined,
    sepa_iban: clearable(sepa?.iban),
    sepa_iban_account_name: clearable(sepa?.ibanAccountName),
    sepa_bic: clearable(sepa?.bic),
    sepa_mandate_id: clearable(sepa?.mandateId),
    sepa_mandate_date: clearable(sepa?.mandateDate),
    sepa_sequence_type: sepa?.sequenceType ?? undefined,
    invoice_workflow_id: clearable(input.invoiceWorkflowId),
    estimate_workflow_id: clearable(input.estimateWorkflowId),
    si_identifier: clearable(input.siIdentifier),
    si_identifier_type: clearable(input.siIdentifierType),
    // Moneybird clears a value sent as "".
    custom_fields_attributes: input.customFields?.map((field) => ({
      id: field.id,
      value: field.value ?? "",
    })),
    contact_person:
      "contactPerson" in input && input.contactPerson
        ? { firstname: input.contactPerson.firstName, lastname: input.contactPerson.lastName }
        : undefined,
  });
}

export function contactPersonBody(input: CreateContactPerson): Record<string, unknown> {
  return definedEntries({
    firstname: clearable(input.firstName),
    lastname: clearable(input.lastName),
    phone: clearable(input.phone),
    email: clearable(input.email),
    department: clearable(input.department),
  });
}

export function noteBody(input: AddContactNote): Record<string, unknown> {
  return definedEntries({
    note: input.note,
    todo: input.todo ?? undefined,
    assignee_id: input.assigneeId ?? undefined,
  });
}

/** Additional charges are the one Moneybird write whose body is not wrapped (see the spec's example). */
export function additionalChargeBody(input: CreateAdditionalCharge): Record<string, unknown> {
  return definedEntries({
    product_id: input.productId,
    amount: input.amount ?? undefined,
    price: input.price,
    period: input.period ?? undefined,
    description: input.description ?? undefined,
  });
}

/** `{"mandate_request": {…}}`, the body of both the mandate request and the mandate URL request. */
export function mandateRequestBody(input: RequestPaymentsMandate): Record<string, unknown> {
  return {
    mandate_request: definedEntries({
      email_message: input.emailMessage ?? undefined,
      identity_id: input.identityId ?? undefined,
      workflow_id: input.workflowId ?? undefined,
    }),
  };
}

/**
 * Moneybird attribute names → the GraphQL input path they came from. An attribute that is no input
 * field (`is_trusted`, say, which Moneybird does not let the API write) is not in here.
 */
const ATTRIBUTE_TO_INPUT_PATH: Record<string, string[]> = {
  company_name: ["companyName"],
  firstname: ["firstName"],
  lastname: ["lastName"],
  phone: ["phone"],
  email: ["email"],
  department: ["department"],
  address1: ["address", "line1"],
  address2: ["address", "line2"],
  zipcode: ["address", "postcode"],
  city: ["address", "city"],
  country: ["address", "country"],
  tax_number: ["taxNumber"],
  customer_id: ["customerId"],
  send_invoices_to_attention: ["attention"],
  chamber_of_commerce: ["chamberOfCommerce"],
  bank_account: ["bankAccount"],
  delivery_method: ["deliveryMethod"],
  send_invoices_to_email: ["sendInvoicesToEmail"],
  send_estimates_to_email: ["sendEstimatesToEmail"],
  send_estimates_to_attention: ["sendEstimatesToAttention"],
  email_ubl: ["emailUbl"],
  direct_debit: ["directDebit"],
  sepa_active: ["sepa", "active"],
  sepa_iban: ["sepa", "iban"],
  sepa_iban_account_name: ["sepa", "ibanAccountName"],
  sepa_bic: ["sepa", "bic"],
  sepa_mandate_id: ["sepa", "mandateId"],
  sepa_mandate_date: ["sepa", "mandateDate"],
  sepa_sequence_type: ["sepa", "sequenceType"],
  invoice_workflow_id: ["invoiceWorkflowId"],
  estimate_workflow_id: ["estimateWorkflowId"],
  si_identifier: ["siIdentifier"],
  si_identifier_type: ["siIdentifierType"],
  workflow_id: ["workflowId"],
  custom_fields_attributes: ["customFields"],
  custom_fields: ["customFields"],
  contact_person: ["contactPerson"],
  product_id: ["productId"],
  price: ["price"],
  period: ["period"],
  amount: ["amount"],
  description: ["description"],
  note: ["note"],
  todo: ["todo"],
  assignee_id: ["assigneeId"],
  identity_id: ["identityId"],
  email_message: ["emailMessage"],
};

/**
 * `{"error":{"firstname":["is required"]}}` → [{path:["firstName"], message:"is required"}]; an
 * attribute that is no input field → [{path:[], message:"sepa_iban: is invalid"}]. A message whose
 * `symbolic` names input attributes lands on those, any other message at path [].
 */
export function fieldErrorsFromMoneybird(body: MoneybirdErrorBody): FieldError[] {
  const { error } = body;
  if (typeof error === "string") {
    const paths = Object.keys(body.symbolic ?? {}).flatMap((attribute) => {
      const path = ATTRIBUTE_TO_INPUT_PATH[attribute];
      return path ? [path] : [];
    });
    return (paths.length > 0 ? paths : [[]]).map((path) => ({ path, message: error }));
  }
  return Object.entries(error).flatMap(([attribute, messages]) =>
    (Array.isArray(messages) ? messages : [messages]).map((message) => {
      const text = typeof message === "string" ? message : JSON.stringify(message);
      const path = ATTRIBUTE_TO_INPUT_PATH[attribute];
      return path ? { path, message: text } : { path: [], message: `${attribute}: ${text}` };
    }),
  );
}

/**
 * Whether an error body says that the record the request addresses does not exist, rather than
 * that an input is wrong: `symbolic: {"entity": "not_found"}` (a note on a missing contact is a
 * 400) or `error: {"contact": ["must exist"]}` (a person on a missing contact is a 422).
 */
export function namesMissingRecord(body: MoneybirdErrorBody): boolean {
  const missingSymbol = Object.entries(body.symbolic ?? {}).some(
    ([key, value]) => value === "not_found" && !(key in ATTRIBUTE_TO_INPUT_PATH),
  );
  const missingParent = typeof body.error !== "string" && ("contact" in body.error || "entity" in body.error);
  return missingSymbol || missingParent;
}
