import { z } from "zod";
import { nullableString, upstreamId } from "../shared/records.ts";

/**
 * Moneybird's JSON records as it sends them (moneybird-contacts.openapi.json), validated at the
 * boundary. Adapters, store and fakes share them.
 */

const nullableId = upstreamId.nullish().transform((value) => value ?? null);
/** Moneybird sends "" for an attribute that was never set or was cleared (see the spec's examples). */
const text = z
  .string()
  .nullish()
  .transform((value) => value || null);

export const ContactPersonRecord = z.looseObject({
  id: upstreamId,
  contact_id: nullableId,
  firstname: text,
  lastname: text,
  phone: text,
  email: text,
  department: text,
  created_at: nullableString,
  updated_at: nullableString,
  version: z.number().int().nullish(),
});

export const NoteRecord = z.looseObject({
  id: upstreamId,
  entity_id: nullableId,
  user_id: nullableId,
  assignee_id: nullableId,
  todo: z.union([z.boolean(), z.string()]).nullish(),
  note: nullableString,
  completed_at: nullableString,
  created_at: nullableString,
});

export const CustomFieldRecord = z.looseObject({ id: upstreamId, name: z.string(), value: z.string() });

export const EventRecord = z.looseObject({
  user_id: nullableId,
  action: z.string(),
  link_entity_id: nullableId,
  link_entity_type: nullableString,
  data: z.record(z.string(), z.unknown()).nullish(),
  created_at: nullableString,
  updated_at: nullableString,
});

const nullableBoolean = z
  .boolean()
  .nullish()
  .transform((value) => value ?? null);

export const ContactRecord = z.looseObject({
  id: upstreamId,
  // The spec leaves company_name untyped; real responses send a string or null.
  company_name: z.unknown().transform((value) => (typeof value === "string" ? value : null)),
  firstname: text,
  lastname: text,
  address1: text,
  address2: text,
  zipcode: text,
  city: text,
  country: text,
  phone: text,
  delivery_method: text,
  customer_id: text,
  tax_number: text,
  chamber_of_commerce: text,
  bank_account: text,
  is_trusted: nullableBoolean,
  max_transfer_amount: z
    .union([z.number(), z.string()])
    .nullish()
    .transform((value) => value ?? null),
  attention: text,
  email: text,
  email_ubl: nullableBoolean,
  send_invoices_to_attention: text,
  send_invoices_to_email: text,
  send_estimates_to_attention: text,
  send_estimates_to_email: text,
  direct_debit: nullableBoolean,
  sepa_active: nullableBoolean,
  sepa_iban: text,
  sepa_iban_account_name: text,
  sepa_bic: text,
  sepa_mandate_id: text,
  sepa_mandate_date: text,
  sepa_sequence_type: text,
  credit_card_number: text,
  credit_card_reference: text,
  credit_card_type: text,
  tax_number_validated_at: text,
  tax_number_valid: nullableBoolean,
  invoice_workflow_id: nullableId,
  estimate_workflow_id: nullableId,
  si_identifier: text,
  si_identifier_type: text,
  moneybird_payments_mandate: nullableBoolean,
  sales_invoices_url: text,
  created_at: nullableString,
  updated_at: nullableString,
  version: z.number().int(),
  archived: z.boolean().nullish(),
  notes: z.array(NoteRecord).nullish(),
  custom_fields: z.array(CustomFieldRecord).nullish(),
  contact_people: z.array(ContactPersonRecord).nullish(),
  events: z.array(EventRecord).nullish(),
});
export type ContactRecord = z.infer<typeof ContactRecord>;

export const AdditionalChargeRecord = z.looseObject({
  id: upstreamId,
  contact_id: nullableId,
  subscription_id: nullableId,
  product_id: upstreamId,
  amount: nullableString,
  price: z.union([z.string(), z.number()]).transform(String),
  period: z.string(),
  description: text,
});

export const PaymentsMandateRecord = z.looseObject({
  type: nullableString,
  sepa_mandate: z.boolean(),
  bank: nullableString,
  iban: nullableString,
  bic: nullableString,
  iban_account_name: nullableString,
  card_expiry_month: nullableString,
  card_expiry_year: nullableString,
  card_final_digits: nullableString,
  created_at: z.string(),
});

/**
 * An error body: 422 `{"error": {"firstname": ["is required"]}, "details": {…}}`, or 400/404
 * `{"error": "record not found", "symbolic": {"id": "not_found"}}`.
 */
export const MoneybirdErrorBody = z.object({
  error: z.union([z.string(), z.record(z.string(), z.union([z.array(z.unknown()), z.string()]))]),
  symbolic: z.record(z.string(), z.unknown()).optional(),
});
export type MoneybirdErrorBody = z.infer<typeof MoneybirdErrorBody>;
