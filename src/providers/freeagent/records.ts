import { z } from "zod";
import { nullableString } from "../shared/records.ts";

/** FreeAgent's JSON contact records as it sends them (freeagent-contacts.txt), validated at the boundary. */

const looseInteger = z
  .union([z.number().int(), z.string().regex(/^-?\d+$/)])
  .nullish()
  .transform((value) => (value === null || value === undefined ? null : Number(value)));

export const ContactRecord = z.looseObject({
  url: z.string().regex(/\/contacts\/\d+$/, "a contact url ends in /contacts/:id"),
  first_name: nullableString,
  last_name: nullableString,
  organisation_name: nullableString,
  email: nullableString,
  billing_email: nullableString,
  phone_number: nullableString,
  mobile: nullableString,
  address1: nullableString,
  address2: nullableString,
  address3: nullableString,
  town: nullableString,
  region: nullableString,
  postcode: nullableString,
  country: nullableString,
  contact_name_on_invoices: z.boolean().nullish(),
  default_payment_terms_in_days: looseInteger,
  locale: nullableString,
  account_balance: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v == null ? null : String(v))),
  uses_contact_invoice_sequence: z.boolean().nullish(),
  charge_sales_tax: nullableString,
  sales_tax_registration_number: nullableString,
  // Documented as a String, sent as an integer in the examples: accept both.
  active_projects_count: looseInteger,
  direct_debit_mandate_state: nullableString,
  status: nullableString,
  created_at: nullableString,
  updated_at: nullableString,
});
export type ContactRecord = z.infer<typeof ContactRecord>;
/** FreeAgent's two error shapes (undocumented; both seen from clients). */
export const FreeAgentErrorBody = z.union([
  z.object({ errors: z.object({ error: z.object({ message: z.string() }) }) }),
  z.object({ errors: z.array(z.object({ message: z.string() })) }),
]);
