import type {
  Company,
  CompanyContactDetails,
  ContactableType,
  ContactEntry,
  ContactEntryType,
  CreateCompany,
  CreateContactEntry,
  UpdateCompany,
  UpdateContactEntry,
} from "../../domain/index.ts";
import type { FieldError } from "../../errors.ts";
import { definedEntries } from "../shared/records.ts";
import type { CompanyRecord, ContactEntryRecord, JsonApiErrors } from "./records.ts";

/** Productive's records ↔ the domain: reads, write attributes, and its 422 bodies as field errors. */

export function companyFromRecord(record: CompanyRecord, raw: Record<string, unknown>): Company {
  const a = record.attributes;
  return {
    kind: "Company",
    id: record.id,
    name: a.name,
    billingName: a.billing_name,
    vat: a.vat,
    defaultCurrency: a.default_currency,
    companyCode: a.company_code,
    domain: a.domain,
    description: a.description,
    dueDays: a.due_days ?? null,
    tags: a.tag_list ?? [],
    avatarUrl: a.avatar_url,
    externalId: a.external_id,
    customFields: a.custom_fields ?? null,
    // Productive's records carry no status attribute: archived_at is what archiving sets.
    status: a.archived_at ? "ARCHIVED" : "ACTIVE",
    archivedAt: a.archived_at,
    createdAt: a.created_at,
    lastActivityAt: a.last_activity_at,
    raw,
  };
}

/** Productive writes types in several spellings ("email", "Email", "bill_from", "BillFrom"). */
const normalize = (value: string) => value.toLowerCase().replace(/[^a-z]/g, "");

const ENTRY_TYPES: Record<string, ContactEntryType> = {
  address: "ADDRESS",
  billfrom: "BILL_FROM",
  billto: "BILL_TO",
  email: "EMAIL",
  phone: "PHONE",
  website: "WEBSITE",
};
const CONTACTABLE_TYPES: Record<string, ContactableType> = {
  person: "PERSON",
  company: "COMPANY",
  client: "COMPANY",
  invoice: "INVOICE",
  subsidiary: "SUBSIDIARY",
  purchaseorder: "PURCHASE_ORDER",
};

/** The spelling Productive's own examples send on write and in filters. */
export const ENTRY_TYPE_TO_UPSTREAM: Record<ContactEntryType, string> = {
  ADDRESS: "address",
  BILL_FROM: "bill_from",
  BILL_TO: "bill_to",
  EMAIL: "email",
  PHONE: "phone",
  WEBSITE: "website",
};
export const CONTACTABLE_TYPE_TO_UPSTREAM: Record<ContactableType, string> = {
  PERSON: "person",
  COMPANY: "company",
  INVOICE: "invoice",
  SUBSIDIARY: "subsidiary",
  PURCHASE_ORDER: "purchase_order",
};

export class UnknownEnumValueError extends Error {
  override name = "UnknownEnumValueError";
}

export function contactEntryType(value: string): ContactEntryType {
  const type = ENTRY_TYPES[normalize(value)];
  if (!type) throw new UnknownEnumValueError(`unknown contact entry type "${value}"`);
  return type;
}

export function contactableType(value: string): ContactableType {
  const type = CONTACTABLE_TYPES[normalize(value)];
  if (!type) throw new UnknownEnumValueError(`unknown contactable type "${value}"`);
  return type;
}

/** The owning company's id, when the record's `company` relationship was included. */
export function relatedCompanyId(record: ContactEntryRecord): string | null {
  const data = record.relationships?.company?.data;
  return data && !Array.isArray(data) ? data.id : null;
}

export function contactEntryFromRecord(
  record: ContactEntryRecord,
  raw: Record<string, unknown>,
  companyId: string | null = relatedCompanyId(record),
): ContactEntry {
  const a = record.attributes;
  return {
    kind: "ContactEntry",
    id: record.id,
    type: contactEntryType(a.type),
    contactableType: contactableType(a.contactable_type),
    name: a.name,
    email: a.email,
    phone: a.phone,
    website: a.website,
    address: a.address,
    city: a.city,
    state: a.state,
    zipcode: a.zipcode,
    country: a.country,
    vat: a.vat,
    billingAddress: a.billing_address ?? null,
    companyId,
    raw,
  };
}

function contactDetailsAttribute(contact: CompanyContactDetails) {
  return definedEntries({
    emails: contact.emails?.map((e) => definedEntries({ name: e.name, email: e.email })),
    phones: contact.phones?.map((p) => definedEntries({ name: p.name, phone: p.phone })),
    websites: contact.websites?.map((w) => definedEntries({ name: w.name, website: w.website })),
    addresses: contact.addresses?.map((a) =>
      definedEntries({
        name: a.name,
        billing_address: a.billingAddress,
        city: a.city,
        state: a.state,
        zipcode: a.zipcode,
        country: a.country,
      }),
    ),
  });
}

/** `attributes` of a company create or update: only the fields the caller gave. */
export function companyAttributes(input: CreateCompany | UpdateCompany): Record<string, unknown> {
  return definedEntries({
    name: input.name,
    billing_name: input.billingName,
    vat: input.vat,
    default_currency: input.defaultCurrency,
    company_code: input.companyCode,
    domain: input.domain,
    description: input.description,
    due_days: input.dueDays,
    tag_list: input.tags === null ? [] : input.tags,
    avatar_url: input.avatarUrl,
    external_id: input.externalId,
    custom_fields: input.customFields,
    contact: "contact" in input && input.contact ? contactDetailsAttribute(input.contact) : undefined,
  });
}

export function contactEntryAttributes(
  input: CreateContactEntry | UpdateContactEntry,
): Record<string, unknown> {
  return definedEntries({
    contactable_type: "companyId" in input ? CONTACTABLE_TYPE_TO_UPSTREAM.COMPANY : undefined,
    type: input.type ? ENTRY_TYPE_TO_UPSTREAM[input.type] : undefined,
    name: input.name,
    email: input.email,
    phone: input.phone,
    website: input.website,
    address: input.address,
    city: input.city,
    state: input.state,
    zipcode: input.zipcode,
    country: input.country,
    vat: input.vat,
    billing_address: input.billingAddress,
  });
}

/**
 * Productive attribute (or relationship) names → the GraphQL input field they came from. An
 * attribute that is no input field (`contactable_type`, which the gateway sets) is not in here.
 */
const ATTRIBUTE_TO_INPUT_FIELD: Record<string, string> = {
  name: "name",
  billing_name: "billingName",
  vat: "vat",
  default_currency: "defaultCurrency",
  company_code: "companyCode",
  domain: "domain",
  description: "description",
  due_days: "dueDays",
  tag_list: "tags",
  avatar_url: "avatarUrl",
  external_id: "externalId",
  custom_fields: "customFields",
  contact: "contact",
  type: "type",
  email: "email",
  phone: "phone",
  website: "website",
  address: "address",
  city: "city",
  state: "state",
  zipcode: "zipcode",
  country: "country",
  billing_address: "billingAddress",
  company: "companyId",
};

/**
 * `source.pointer: data/attributes/domain` → path ["domain"] on the GraphQL input (and
 * `data/relationships/company` → ["companyId"]). An error without a pointer, or on an attribute that
 * is no input field, applies to the input as a whole, its message naming the attribute.
 */
export function fieldErrorsFromJsonApi(body: JsonApiErrors): FieldError[] {
  return body.errors.map((error) => {
    const pointer = error.source?.pointer?.replace(/^\//, "") ?? "";
    const [, , attribute] = pointer.split("/");
    const message = error.detail ?? error.title ?? "is invalid";
    if (!attribute) return { path: [], message };
    const field = ATTRIBUTE_TO_INPUT_FIELD[attribute];
    return field ? { path: [field], message } : { path: [], message: `${attribute}: ${message}` };
  });
}
