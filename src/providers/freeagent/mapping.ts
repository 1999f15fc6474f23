import type { z } from "zod";
import { postalAddress } from "../../domain/address.ts";
import type { CreateFreeAgentContact, FreeAgentContact, UpdateFreeAgentContact } from "../../domain/index.ts";
import type { FieldError } from "../../errors.ts";
import { isIntegerId } from "../shared/ids.ts";
import { definedEntries } from "../shared/records.ts";
import type { ContactRecord, FreeAgentErrorBody } from "./records.ts";

/** FreeAgent's contact records ↔ the domain: reads, write bodies, and its error bodies as field errors. */

/** A contact's id is the last path segment of its url. */
export function contactIdFromUrl(url: string): string {
  const id = url.split("/").pop();
  if (!id || !isIntegerId(id)) throw new Error(`not a FreeAgent contact url: ${url}`);
  return id;
}

export function contactFromRecord(record: ContactRecord, raw: Record<string, unknown>): FreeAgentContact {
  return {
    kind: "FreeAgentContact",
    provider: "FREEAGENT",
    id: contactIdFromUrl(record.url),
    companyName: record.organisation_name || null,
    firstName: record.first_name,
    lastName: record.last_name,
    email: record.email,
    phone: record.phone_number,
    address: postalAddress({
      line1: record.address1,
      line2: record.address2,
      line3: record.address3,
      city: record.town,
      region: record.region,
      postcode: record.postcode,
      country: record.country,
    }),
    taxNumber: record.sales_tax_registration_number,
    // FreeAgent has no archive: a contact that is hidden is its archived state.
    archived: record.status === "Hidden",
    createdAt: record.created_at,
    updatedAt: record.updated_at,
    mobile: record.mobile,
    billingEmail: record.billing_email,
    chargeSalesTax: record.charge_sales_tax,
    locale: record.locale,
    accountBalance: record.account_balance,
    defaultPaymentTermsInDays: record.default_payment_terms_in_days,
    activeProjectsCount: record.active_projects_count,
    directDebitMandateState: record.direct_debit_mandate_state,
    status: record.status,
    usesContactInvoiceSequence: record.uses_contact_invoice_sequence ?? null,
    contactNameOnInvoices: record.contact_name_on_invoices ?? null,
    raw,
  };
}

/** The `contact` object of a create (POST) or update (PUT, only changed attributes) body. */
export function contactBody(input: CreateFreeAgentContact | UpdateFreeAgentContact): Record<string, unknown> {
  const address =
    input.address === null
      ? { line1: null, line2: null, line3: null, city: null, region: null, postcode: null, country: null }
      : input.address;
  return definedEntries({
    organisation_name: input.companyName,
    first_name: input.firstName,
    last_name: input.lastName,
    email: input.email,
    billing_email: input.billingEmail,
    phone_number: input.phone,
    mobile: input.mobile,
    address1: address?.line1,
    address2: address?.line2,
    address3: address?.line3,
    town: address?.city,
    region: address?.region,
    postcode: address?.postcode,
    country: address?.country,
    sales_tax_registration_number: input.taxNumber,
    charge_sales_tax: input.chargeSalesTax,
    locale: input.locale,
    default_payment_terms_in_days: input.defaultPaymentTermsInDays,
    uses_contact_invoice_sequence: input.usesContactInvoiceSequence,
    contact_name_on_invoices: input.contactNameOnInvoices,
    status: input.status,
  });
}

/**
 * FreeAgent's messages name the attribute in words ("Organisation name can't be blank"); the
 * leading attribute name, when recognised, gives the path on the GraphQL input.
 */
const MESSAGE_PREFIX_TO_INPUT_PATH: [RegExp, string[]][] = [
  [/^organisation name\b/i, ["companyName"]],
  [/^first name\b/i, ["firstName"]],
  [/^last name\b/i, ["lastName"]],
  [/^billing email\b/i, ["billingEmail"]],
  [/^email\b/i, ["email"]],
  [/^phone number\b/i, ["phone"]],
  [/^mobile\b/i, ["mobile"]],
  [/^country\b/i, ["address", "country"]],
  [/^postcode\b/i, ["address", "postcode"]],
  [/^sales tax registration number\b/i, ["taxNumber"]],
  [/^default payment terms in days\b/i, ["defaultPaymentTermsInDays"]],
  [/^locale\b/i, ["locale"]],
  [/^charge sales tax\b/i, ["chargeSalesTax"]],
  [/^status\b/i, ["status"]],
];

export function fieldErrorsFromFreeAgent(body: z.infer<typeof FreeAgentErrorBody>): FieldError[] {
  const messages = Array.isArray(body.errors)
    ? body.errors.map((e) => e.message)
    : [body.errors.error.message];
  return messages.map((message) => ({
    path: MESSAGE_PREFIX_TO_INPUT_PATH.find(([pattern]) => pattern.test(message))?.[1] ?? [],
    message,
  }));
}
