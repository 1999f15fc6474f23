import { z } from "zod";
import { nullableString, upstreamId } from "../shared/records.ts";

/**
 * Productive's JSON:API records as it sends them (productive-companies.txt,
 * productive-contact-entries.txt), validated at the boundary, and the shape a record takes when the
 * local store or a fake upstream makes one. Adapters, store and fakes share this code.
 */

const relationship = z.looseObject({
  data: z
    .union([
      z.object({ type: z.string(), id: upstreamId }),
      z.array(z.object({ type: z.string(), id: upstreamId })),
    ])
    .nullish(),
  meta: z.unknown().optional(),
});

export const CompanyRecord = z.looseObject({
  id: upstreamId,
  type: z.literal("companies"),
  attributes: z.looseObject({
    name: z.string(),
    billing_name: nullableString,
    vat: nullableString,
    default_currency: nullableString,
    created_at: z.string(),
    last_activity_at: nullableString,
    archived_at: nullableString,
    avatar_url: nullableString,
    custom_fields: z.unknown().optional(),
    company_code: nullableString,
    domain: nullableString,
    description: nullableString,
    due_days: z.number().int().nullish(),
    tag_list: z.array(z.string()).nullish(),
    external_id: nullableString,
  }),
  // Its relationships are not read: passed through unvalidated, as every key the schema does not name.
});
export type CompanyRecord = z.infer<typeof CompanyRecord>;

/** Every attribute of a company record in Productive's examples, as a create that sets nothing else leaves them. */
export const EMPTY_COMPANY_ATTRIBUTES: Readonly<Record<string, unknown>> = {
  name: "",
  billing_name: null,
  vat: null,
  default_currency: null,
  created_at: null,
  last_activity_at: null,
  archived_at: null,
  avatar_url: null,
  invoice_email_recipients: {},
  custom_fields: null,
  company_code: null,
  domain: null,
  projectless_budgets: false,
  leitweg_id: null,
  buyer_reference: null,
  peppol_id: null,
  default_subsidiary_id: null,
  default_tax_rate_id: null,
  default_document_type_id: null,
  description: null,
  due_days: null,
  tag_list: [],
  contact: {},
  sample_data: false,
  settings: {},
  external_id: null,
  external_sync: false,
};

/** A relationship Productive names without its data, as it does for one the request did not include. */
export const notIncluded = () => ({ meta: { included: false } });

const organization = (organizationId: string) => ({ data: { type: "organizations", id: organizationId } });

/** The relationships of a company record, as Productive sends them. */
export const companyRelationships = (organizationId: string) => ({
  organization: organization(organizationId),
  default_subsidiary: notIncluded(),
  default_tax_rate: notIncluded(),
  custom_field_people: notIncluded(),
  custom_field_attachments: notIncluded(),
});

/** Every attribute of a contact entry record in Productive's examples, as a create that sets nothing else leaves them. */
export const EMPTY_CONTACT_ENTRY_ATTRIBUTES: Readonly<Record<string, unknown>> = {
  contactable_type: null,
  type: null,
  name: null,
  email: null,
  phone: null,
  website: null,
  address: null,
  city: null,
  state: null,
  zipcode: null,
  country: null,
  vat: null,
  billing_address: false,
};

/** The relationships of a contact entry record, as Productive sends them; a null `companyId` is not included. */
export const contactEntryRelationships = (organizationId: string, companyId: string | null) => ({
  organization: organization(organizationId),
  company: companyId ? { data: { type: "companies", id: companyId } } : notIncluded(),
  person: notIncluded(),
  invoice: notIncluded(),
  subsidiary: notIncluded(),
  purchase_order: notIncluded(),
});

export const ContactEntryRecord = z.looseObject({
  id: upstreamId,
  type: z.literal("contact_entries"),
  attributes: z.looseObject({
    contactable_type: z.string(),
    type: z.string(),
    name: nullableString,
    email: nullableString,
    phone: nullableString,
    website: nullableString,
    address: nullableString,
    city: nullableString,
    state: nullableString,
    zipcode: nullableString,
    country: nullableString,
    vat: nullableString,
    billing_address: z.boolean().nullish(),
  }),
  // The one relationship read (the owner); the others pass through unvalidated.
  relationships: z.looseObject({ company: relationship.optional() }).optional(),
});
export type ContactEntryRecord = z.infer<typeof ContactEntryRecord>;

export const JsonApiErrors = z.object({
  errors: z.array(
    z.looseObject({
      status: z.string().optional(),
      code: z.string().optional(),
      title: z.string().optional(),
      detail: z.string().optional(),
      source: z.looseObject({ pointer: z.string().optional() }).optional(),
    }),
  ),
});
export type JsonApiErrors = z.infer<typeof JsonApiErrors>;
