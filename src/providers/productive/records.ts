import { z } from "zod";
import type { ContactableType, ContactEntryOwner } from "../../domain/index.ts";
import { nullableString, upstreamId } from "../shared/records.ts";

/**
 * Productive's JSON:API records as it sends them (productive-companies.txt,
 * productive-contact-entries.txt), validated at the boundary, and the shape a record takes when the
 * local store or a fake upstream makes one. Adapters, store and fakes share this code.
 */

const nullableId = upstreamId.nullish().transform((value) => value ?? null);

/** An item of the `contact` attribute; Productive adds `contact_datum_id`, the entry it created. */
const contactItem = <T extends z.ZodRawShape>(shape: T) =>
  z.looseObject({ name: nullableString, contact_datum_id: nullableId, ...shape });
const contactList = <T extends z.ZodRawShape>(shape: T) =>
  z
    .array(contactItem(shape))
    .nullish()
    .transform((items) => items ?? []);

const ContactAttribute = z.looseObject({
  emails: contactList({ email: nullableString }),
  phones: contactList({ phone: nullableString }),
  websites: contactList({ website: nullableString }),
  addresses: contactList({
    billing_address: nullableString,
    city: nullableString,
    state: nullableString,
    zipcode: nullableString,
    country: nullableString,
  }),
});

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
    buyer_reference: nullableString,
    default_subsidiary_id: nullableId,
    default_tax_rate_id: nullableId,
    default_document_type_id: nullableId,
    due_days: z.number().int().nullish(),
    tag_list: z.array(z.string()).nullish(),
    contact: ContactAttribute.nullish(),
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

/** Each contactable's relationship on a contact entry, and the JSON:API type of its records. */
export const OWNER_RELATIONSHIPS: Record<ContactableType, { relationship: string; type: string }> = {
  COMPANY: { relationship: "company", type: "companies" },
  PERSON: { relationship: "person", type: "people" },
  INVOICE: { relationship: "invoice", type: "invoices" },
  SUBSIDIARY: { relationship: "subsidiary", type: "subsidiaries" },
  PURCHASE_ORDER: { relationship: "purchase_order", type: "purchase_orders" },
};

/** A relationship to one record, as a write sends it and an `include` answers it. */
export const ownerRelationship = (owner: ContactEntryOwner) => {
  const { relationship, type } = OWNER_RELATIONSHIPS[owner.type];
  return { [relationship]: { data: { type, id: owner.id } } };
};

/** The relationships of a contact entry record, as Productive sends them: the owner's with its id, when given. */
export const contactEntryRelationships = (organizationId: string, owner: ContactEntryOwner | null) => ({
  organization: organization(organizationId),
  ...Object.fromEntries(
    Object.values(OWNER_RELATIONSHIPS).map(({ relationship }) => [relationship, notIncluded()]),
  ),
  ...(owner ? ownerRelationship(owner) : {}),
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
  // The owners' relationships are read; the others pass through unvalidated.
  relationships: z
    .looseObject({
      company: relationship.optional(),
      person: relationship.optional(),
      invoice: relationship.optional(),
      subsidiary: relationship.optional(),
      purchase_order: relationship.optional(),
    })
    .optional(),
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
