import type {
  ContactEntryType,
  CreateCompany,
  CreateContactEntry,
  UpdateCompany,
  UpdateContactEntry,
} from "../../domain/index.ts";
import {
  type Company,
  type CompanyContactDetails,
  type ContactableType,
  type ContactEntry,
  type ContactEntryOwner,
  entryOwner,
} from "../../domain/index.ts";
import type { FieldError } from "../../errors.ts";
import { isIntegerId } from "../shared/ids.ts";
import { definedEntries } from "../shared/records.ts";
import {
  type CompanyRecord,
  type ContactEntryRecord,
  type JsonApiErrors,
  OWNER_RELATIONSHIPS,
} from "./records.ts";

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
    buyerReference: a.buyer_reference,
    defaultSubsidiaryId: a.default_subsidiary_id,
    defaultTaxRateId: a.default_tax_rate_id,
    defaultDocumentTypeId: a.default_document_type_id,
    dueDays: a.due_days ?? null,
    tags: a.tag_list ?? [],
    avatarUrl: a.avatar_url,
    externalId: a.external_id,
    customFields: a.custom_fields ?? null,
    contact: contactFromAttribute(a.contact),
    // Productive's records carry no status attribute: archived_at is what archiving sets.
    status: a.archived_at ? "ARCHIVED" : "ACTIVE",
    archivedAt: a.archived_at,
    createdAt: a.created_at,
    lastActivityAt: a.last_activity_at,
    raw,
  };
}

function contactFromAttribute(contact: CompanyRecord["attributes"]["contact"]): Company["contact"] {
  const item = ({ name, contact_datum_id }: { name: string | null; contact_datum_id: string | null }) => ({
    name,
    contactDatumId: contact_datum_id,
  });
  return {
    emails: (contact?.emails ?? []).map((e) => ({ ...item(e), email: e.email })),
    phones: (contact?.phones ?? []).map((p) => ({ ...item(p), phone: p.phone })),
    websites: (contact?.websites ?? []).map((w) => ({ ...item(w), website: w.website })),
    addresses: (contact?.addresses ?? []).map((a) => ({
      ...item(a),
      billingAddress: a.billing_address,
      city: a.city,
      state: a.state,
      zipcode: a.zipcode,
      country: a.country,
    })),
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

/**
 * The spellings sent on write and in filters. The docs disagree with themselves: their lists spell
 * the values `Client`, `Email`, `BillFrom`, `Purchase order`, …, while their request and response
 * examples use `company` and `email`. A value an example request sends (and Productive answered
 * 201) is sent as the example spells it; every other value as the list spells it. Reads accept both.
 */
export const ENTRY_TYPE_TO_UPSTREAM: Record<ContactEntryType, string> = {
  ADDRESS: "Address",
  BILL_FROM: "BillFrom",
  BILL_TO: "BillTo",
  EMAIL: "email",
  PHONE: "Phone",
  WEBSITE: "Website",
};
export const CONTACTABLE_TYPE_TO_UPSTREAM: Record<ContactableType, string> = {
  PERSON: "Person",
  COMPANY: "company",
  INVOICE: "Invoice",
  SUBSIDIARY: "Subsidiary",
  PURCHASE_ORDER: "Purchase order",
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

/** The id of the record's `type` relationship, when the relationship came with its data (an `include`). */
function relatedId(record: ContactEntryRecord, type: ContactableType): string | null {
  const relationships = record.relationships as Record<string, { data?: unknown } | undefined> | undefined;
  const data = relationships?.[OWNER_RELATIONSHIPS[type].relationship]?.data;
  return data && !Array.isArray(data) ? (data as { id: string }).id : null;
}

/**
 * `knownOwner`: the one owner the request was limited to (or wrote to), for an entry whose owner
 * relationship came without an id.
 */
export function contactEntryFromRecord(
  record: ContactEntryRecord,
  raw: Record<string, unknown>,
  knownOwner: ContactEntryOwner | null = null,
): ContactEntry {
  const a = record.attributes;
  const ownerType = contactableType(a.contactable_type);
  const contactableId =
    relatedId(record, ownerType) ?? (knownOwner?.type === ownerType ? knownOwner.id : null);
  return {
    kind: "ContactEntry",
    id: record.id,
    type: contactEntryType(a.type),
    contactableType: ownerType,
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
    contactableId,
    companyId: ownerType === "COMPANY" ? contactableId : null,
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

/** The docs type related ids as integers; anything else is sent as given, for Productive to refuse. */
const idAttribute = (id: string | null | undefined) =>
  typeof id === "string" && isIntegerId(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id;

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
    buyer_reference: input.buyerReference,
    default_subsidiary_id: idAttribute(input.defaultSubsidiaryId),
    default_tax_rate_id: idAttribute(input.defaultTaxRateId),
    default_document_type_id: idAttribute(input.defaultDocumentTypeId),
    due_days: input.dueDays,
    tag_list: input.tags === null ? [] : input.tags,
    avatar_url: input.avatarUrl,
    external_id: input.externalId,
    custom_fields: input.customFields,
    contact: input.contact === null ? {} : input.contact && contactDetailsAttribute(input.contact),
  });
}

const isCreate = (input: CreateContactEntry | UpdateContactEntry): input is CreateContactEntry =>
  "companyId" in input || "contactable" in input;

export function contactEntryAttributes(
  input: CreateContactEntry | UpdateContactEntry,
): Record<string, unknown> {
  return definedEntries({
    contactable_type: isCreate(input) ? CONTACTABLE_TYPE_TO_UPSTREAM[entryOwner(input).type] : undefined,
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
  buyer_reference: "buyerReference",
  default_subsidiary_id: "defaultSubsidiaryId",
  default_tax_rate_id: "defaultTaxRateId",
  default_document_type_id: "defaultDocumentTypeId",
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
  person: "contactableId",
  invoice: "contactableId",
  subsidiary: "contactableId",
  purchase_order: "contactableId",
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
