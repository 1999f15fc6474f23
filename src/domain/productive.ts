import type { RawRecord, Timestamp } from "./common.ts";

export const COMPANY_STATUSES = ["ACTIVE", "ARCHIVED"] as const;
export type CompanyStatus = (typeof COMPANY_STATUSES)[number];

/** A Productive company (a client). `id` is Productive's id. */
export interface Company {
  kind: "Company";
  id: string;
  name: string;
  billingName: string | null;
  vat: string | null;
  defaultCurrency: string | null;
  companyCode: string | null;
  domain: string | null;
  description: string | null;
  buyerReference: string | null;
  /** Productive's ids of the company's default subsidiary, tax rate and document type (invoice template). */
  defaultSubsidiaryId: string | null;
  defaultTaxRateId: string | null;
  defaultDocumentTypeId: string | null;
  dueDays: number | null;
  tags: string[];
  avatarUrl: string | null;
  externalId: string | null;
  customFields: unknown;
  /** Productive's `contact` attribute as it keeps it: the details written with the company. */
  contact: CompanyContact;
  status: CompanyStatus;
  archivedAt: Timestamp | null;
  createdAt: Timestamp;
  lastActivityAt: Timestamp | null;
  raw: RawRecord;
}

export const COMPANY_ORDER_FIELDS = ["NAME", "CREATED_AT", "LAST_ACTIVITY_AT"] as const;
export type CompanyOrderField = (typeof COMPANY_ORDER_FIELDS)[number];
export interface CompanyOrder {
  field: CompanyOrderField;
  direction: "ASC" | "DESC";
}

/** Productive's comparison operators on a date filter (`filter[created_at][gt_eq]=…`). */
export interface ProductiveDateFilter {
  eq?: Timestamp;
  notEq?: Timestamp;
  gt?: Timestamp;
  gtEq?: Timestamp;
  lt?: Timestamp;
  ltEq?: Timestamp;
}
export const DATE_OPERATORS = ["eq", "notEq", "gt", "gtEq", "lt", "ltEq"] as const;

export interface CompanyFilter {
  ids?: string[];
  /** Productive's `company_id` filter: companies by their own ids, like `ids`. */
  companyIds?: string[];
  defaultSubsidiaryIds?: string[];
  subsidiaryIds?: string[];
  defaultTaxRateIds?: string[];
  projectIds?: string[];
  name?: string;
  companyCode?: string;
  billingName?: string;
  vat?: string;
  defaultCurrency?: string;
  status?: CompanyStatus;
  tags?: string[];
  dueDays?: number;
  createdAfter?: Timestamp;
  createdBefore?: Timestamp;
  createdAt?: ProductiveDateFilter;
  archivedAt?: ProductiveDateFilter;
  lastActivityAt?: ProductiveDateFilter;
}

export const CONTACT_ENTRY_TYPES = ["ADDRESS", "BILL_FROM", "BILL_TO", "EMAIL", "PHONE", "WEBSITE"] as const;
export type ContactEntryType = (typeof CONTACT_ENTRY_TYPES)[number];
export const CONTACTABLE_TYPES = ["PERSON", "COMPANY", "INVOICE", "SUBSIDIARY", "PURCHASE_ORDER"] as const;
export type ContactableType = (typeof CONTACTABLE_TYPES)[number];

/** A Productive contact entry: an email, phone, website or address of its owner (a company, person, invoice, …). */
export interface ContactEntry {
  kind: "ContactEntry";
  id: string;
  type: ContactEntryType;
  contactableType: ContactableType;
  name: string | null;
  email: string | null;
  phone: string | null;
  website: string | null;
  address: string | null;
  city: string | null;
  state: string | null;
  zipcode: string | null;
  country: string | null;
  vat: string | null;
  billingAddress: boolean | null;
  /** Productive's id of the owner (of `contactableType`), when the source knows it. */
  contactableId: string | null;
  /** The owning company, when the entry belongs to one. */
  companyId: string | null;
  /** The owning company's record, when the source received it with the entry (Productive's `include=company`). */
  company?: Company | null;
  raw: RawRecord;
}

export interface ContactEntryFilter {
  companyIds?: string[];
  personIds?: string[];
  invoiceIds?: string[];
  subsidiaryIds?: string[];
  /** Owners of any type, by Productive's id. */
  contactableIds?: string[];
  types?: ContactEntryType[];
  contactableTypes?: ContactableType[];
}

/** One item of a company's `contact` attribute, with the id of the contact entry it became. */
export interface CompanyContactItem {
  name: string | null;
  contactDatumId: string | null;
}
export interface CompanyContact {
  emails: (CompanyContactItem & { email: string | null })[];
  phones: (CompanyContactItem & { phone: string | null })[];
  websites: (CompanyContactItem & { website: string | null })[];
  addresses: (CompanyContactItem & {
    billingAddress: string | null;
    city: string | null;
    state: string | null;
    zipcode: string | null;
    country: string | null;
  })[];
}

export interface CompanyContactDetails {
  emails?: { name?: string | null; email: string }[] | null;
  phones?: { name?: string | null; phone: string }[] | null;
  websites?: { name?: string | null; website: string }[] | null;
  addresses?:
    | {
        name?: string | null;
        billingAddress?: string | null;
        city?: string | null;
        state?: string | null;
        zipcode?: string | null;
        country?: string | null;
      }[]
    | null;
}

export interface CreateCompany {
  name: string;
  billingName?: string | null;
  vat?: string | null;
  defaultCurrency?: string | null;
  companyCode?: string | null;
  domain?: string | null;
  description?: string | null;
  buyerReference?: string | null;
  defaultSubsidiaryId?: string | null;
  defaultTaxRateId?: string | null;
  defaultDocumentTypeId?: string | null;
  dueDays?: number | null;
  tags?: string[] | null;
  avatarUrl?: string | null;
  externalId?: string | null;
  customFields?: unknown;
  /** Contact details created with the company, as Productive's `contact` attribute. */
  contact?: CompanyContactDetails | null;
}

/**
 * Fields left out are unchanged; `null` clears a field. `contact` adds its details as on create
 * (the entries it made before stay, being records of their own).
 */
export type UpdateCompany = Partial<CreateCompany>;

/** A contact entry's owner: one of the contactables Productive documents, by its Productive id. */
export interface ContactEntryOwner {
  type: ContactableType;
  id: string;
}

/** The owner of a new entry: a company by `companyId`, or any owner by `contactable`. */
export type ContactEntryOwnerInput = { companyId: string } | { contactable: ContactEntryOwner };

export const entryOwner = (input: ContactEntryOwnerInput): ContactEntryOwner =>
  "companyId" in input ? { type: "COMPANY", id: input.companyId } : input.contactable;

export type CreateContactEntry = ContactEntryOwnerInput & ContactEntryValues;

export interface ContactEntryValues {
  type: ContactEntryType;
  name: string;
  email?: string | null;
  phone?: string | null;
  website?: string | null;
  address?: string | null;
  city?: string | null;
  state?: string | null;
  zipcode?: string | null;
  country?: string | null;
  vat?: string | null;
  billingAddress?: boolean | null;
}

export type UpdateContactEntry = Partial<ContactEntryValues>;
